package org.aidcmp.infra.mqtt;

import static org.aidcmp.infra.mqtt.TestClient.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new broker on the same data folder keeps retained messages and persistent sessions with their queues, with
 * authentication on: the vehicle (MQTT 5 session expiry) and the services log in with their credentials.
 */
@Timeout(180)
class EmbeddedMqttRestartTest {
  static final String VIN_R = "WBAUX11030A334401";
  static final String VIN_P = "WBAUX11030A334402";

  @TempDir Path tmp;

  private EmbeddedMqttBroker broker(Path dataDir, MqttCredentials credentials) throws Exception {
    return EmbeddedMqttBroker.builder(dataDir).authentication(credentials).build().start();
  }

  private static TestClient login(EmbeddedMqttBroker broker, String clientId, String username, String password) {
    return new TestClient(Logins.v5(Logins.plain(broker, clientId), username, password));
  }

  @Test
  void aRetainedMessageSurvivesARestart() throws Exception {
    Path dataDir = tmp.resolve("mqtt");
    MqttCredentials credentials = MqttCredentials.open(tmp.resolve("mqtt-auth"));
    VehicleCredentials car = credentials.issueVehiclePassword(VIN_R);
    ServiceCredentials bridge = credentials.issueService(MqttRole.BRIDGE);
    try (EmbeddedMqttBroker first = broker(dataDir, credentials);
        TestClient vehicle = login(first, car.clientId(), car.username(), car.password()).connect()) {
      TestClient.get(vehicle.publish("aid2/v1/vehicles/" + VIN_R + "/presence", "online", true));
    }
    long begin = System.nanoTime();
    try (EmbeddedMqttBroker second = broker(dataDir, credentials)) {
      System.out.printf("broker restart on existing data: %d ms%n", (System.nanoTime() - begin) / 1_000_000);
      try (TestClient late = login(second, bridge.clientId("late"), bridge.username(), bridge.password()).connect()
          .subscribe("aid2/v1/vehicles/+/presence")) {
        awaitUntil(TestClient.WAIT, () -> late.received.size() == 1);
        assertThat(late.payloads()).containsExactly("online");
        assertThat(late.received.get(0).isRetain()).isTrue();
      }
    }
  }

  @Test
  void aPersistentSessionGetsWhatWasPublishedWhileItWasOfflineEvenAcrossARestart() throws Exception {
    Path dataDir = tmp.resolve("mqtt");
    MqttCredentials credentials = MqttCredentials.open(tmp.resolve("mqtt-auth"));
    VehicleCredentials car = credentials.issueVehiclePassword(VIN_P);
    ServiceCredentials downlink = credentials.issueService(MqttRole.DOWNLINK);
    String topic = "aid2/v1/vehicles/" + VIN_P + "/down/delete-profile";
    try (EmbeddedMqttBroker first = broker(dataDir, credentials)) {
      try (TestClient vehicle = login(first, car.clientId(), car.username(), car.password())) {
        assertThat(vehicle.connect(false, 3_600).isSessionPresent()).isFalse();
        vehicle.subscribe("aid2/v1/vehicles/" + VIN_P + "/down/#");
      } // disconnects; the session stays for an hour
      try (TestClient egress = login(first, downlink.clientId("1"), downlink.username(), downlink.password())
          .connect()) {
        IntStream.range(0, 20).forEach(i -> TestClient.get(egress.publish(topic, "before-" + i, false)));
      }
    }
    try (EmbeddedMqttBroker second = broker(dataDir, credentials)) {
      try (TestClient egress = login(second, downlink.clientId("1"), downlink.username(), downlink.password())
          .connect()) {
        IntStream.range(0, 20).forEach(i -> TestClient.get(egress.publish(topic, "after-" + i, false)));
      }
      try (TestClient vehicle = login(second, car.clientId(), car.username(), car.password())) {
        assertThat(vehicle.connect(false, 3_600).isSessionPresent()).isTrue();
        awaitUntil(TestClient.WAIT, () -> vehicle.received.size() >= 40);
        List<String> expected = IntStream.range(0, 40)
            .mapToObj(i -> i < 20 ? "before-" + i : "after-" + (i - 20)).toList();
        assertThat(vehicle.payloads()).containsExactlyElementsOf(expected);
      }
    }
  }
}
