package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bridge's own identity on the authenticated broker: its login over the TLS listener (settings as an operator
 * writes them), and a wrong password refused with a clear error.
 */
@ExtendWith(BridgeStack.class)
class BridgeLoginTest {

  @Test
  void overTlsWithItsOwnLoginTheBridgeForwards(BridgeStack.Stack stack) throws Exception {
    Path ca = Files.createTempFile(stack.dir, "broker-ca", ".pem");
    Files.writeString(ca, Pem.certificates(List.of(stack.brokerCa.certificate())));
    BridgeSettings settings = BridgeSettings.from(AidConfig.of(Map.of(
        "mqtt.server.uri", "tcp://127.0.0.1:" + stack.broker.port(),
        "ingress.aid2.server.uri", stack.broker.tlsServerUri(),
        "mqtt.tls.trusted", ca.toString(),
        "ingress.aid2.username", stack.bridgeLogin.username(),
        "ingress.aid2.password", stack.bridgeLogin.password(),
        "ingress.aid2.instance-id", "tls",
        "kafka.bootstrap.servers", stack.kafka.bootstrapServers(),
        "schema.registry.url", stack.registryServer.url())));
    assertThat(settings.credentials().tls()).isTrue();
    assertThat(settings.credentials().toString()).doesNotContain(stack.bridgeLogin.password());
    long before = stack.bridge.stats().forwarded();
    try (Aid2Bridge overTls = Aid2Bridge.start(settings, stack.registry, Duration.ofSeconds(30))) {
      String vin = stack.vin("TLS");
      try (Vehicle vehicle = stack.vehicle(vin)) {
        for (int i = 0; i < 20; i++) {
          vehicle.send(UplinkMessage.CSIM_STATUS, new Aid2Json().writeUplink(Uplinks.csimStatus(vin, 1_700_000_000L + i)));
        }
        // On a failure, what each bridge did says where the messages stopped (the broker, a bridge, Kafka).
        Await.until("20 records", Duration.ofSeconds(120), () -> stack.tap.uplinks(vin).size() >= 20,
            () -> "(" + stack.tap.uplinks(vin).size() + " on Kafka; over TLS " + overTls.stats() + ", the stack's "
                + stack.bridge.stats() + ")");
      }
      // Both bridges are in the group; together they wrote the 20 (which one took which is the broker's choice).
      assertThat(overTls.stats().forwarded() + stack.bridge.stats().forwarded() - before).isGreaterThanOrEqualTo(20);
    }
  }

  /** A refused CONNACK is final at start: the operator hears it at once, not after the connect timeout. */
  @Test
  void aWrongPasswordIsRefusedByTheBrokerAtOnce(BridgeStack.Stack stack) {
    BridgeSettings wrong = stack.settings("wrong").withCredentials(
        BridgeSettings.Credentials.password(stack.bridgeLogin.username(), "not-the-password"));
    assertThatThrownBy(() -> Aid2Bridge.start(wrong, stack.registry, Duration.ofSeconds(30)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("MQTT connect")
        .hasMessageContaining("BAD_USER_NAME_OR_PASSWORD") // the broker's reason,
        .hasMessageNotContaining("no answer within"); // not the connect timeout
  }
}
