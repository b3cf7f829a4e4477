package org.aidcmp.egress.downlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.aidcmp.egress.SharedKafka;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The publisher against the authenticated broker, as its own identity (role DOWNLINK: may publish every vehicle's
 * {@code down/...}): over the TLS listener trusting the broker's CA, and refused with a clear error when its login
 * is not one.
 */
@ExtendWith({SharedKafka.class, SharedMqtt.class})
class DownlinkBrokerLoginTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void overTheTlsListener_withItsLogin_theDownlinkReachesTheVehicle(SharedKafka.Endpoints endpoints,
      SharedMqtt.Broker broker) throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "tls", 1)) {
      String vin = DownlinkHarness.newVin();
      TestVehicle vehicle = h.vehicle(vin).online();
      MqttEndpoint tls = h.brokerEndpoint(MqttEndpoint.of(broker.mqtt().tlsServerUri())
          .withTls(MqttTls.of(null, List.of(broker.serverCa()))));
      String group = "downlink-tls";
      h.start(h.settings(group, tls));
      String commandId = h.send(vin, DownlinkHarness.everyMessage(vin).get(0)).commandId();
      DownlinkHarness.await(WAIT, "the activation code over TLS", () -> vehicle.received.size() == 1);
      assertThat(vehicle.commandIds()).containsExactly(commandId);
      DownlinkHarness.await(WAIT, "committed", () -> h.committedToEnd(group));
    }
  }

  @Test
  void aWrongPassword_orAClientIdNotOfTheDownlink_isRefusedAtStart_sayingWhere_withoutThePassword(
      SharedKafka.Endpoints endpoints, SharedMqtt.Broker broker) throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "login", 1)) {
      MqttEndpoint wrong = MqttEndpoint.of(broker.mqtt().serverUri())
          .withCredentials(MqttRole.DOWNLINK.serviceName(), "not-the-password");
      assertThatThrownBy(() -> h.start(h.settings("downlink-wrong", wrong)))
          .hasMessageContaining("cannot connect to the MQTT broker " + broker.mqtt().serverUri())
          .hasMessageNotContaining("not-the-password");
      assertThatThrownBy(() -> h.start(h.settings("downlink-wrong-id").withClientId("someone-else")))
          .hasMessageContaining("cannot connect to the MQTT broker");
    }
  }
}
