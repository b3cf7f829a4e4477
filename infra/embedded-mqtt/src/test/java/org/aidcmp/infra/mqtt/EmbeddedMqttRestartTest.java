package org.aidcmp.infra.mqtt;

import static org.aidcmp.infra.mqtt.TestClient.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A new broker on the same data folder keeps retained messages and persistent sessions with their queues. */
@Timeout(180)
class EmbeddedMqttRestartTest {

  @TempDir Path tmp;

  @Test
  void aRetainedMessageSurvivesARestart() throws Exception {
    Path dataDir = tmp.resolve("mqtt");
    try (EmbeddedMqttBroker first = new EmbeddedMqttBroker(dataDir, 0).start();
        TestClient vehicle = new TestClient(first, "vehicle-VINR").connect()) {
      TestClient.get(vehicle.publish("aid2/v1/vehicles/VINR/presence", "online", true));
    }
    long begin = System.nanoTime();
    try (EmbeddedMqttBroker second = new EmbeddedMqttBroker(dataDir, 0).start()) {
      System.out.printf("broker restart on existing data: %d ms%n", (System.nanoTime() - begin) / 1_000_000);
      try (TestClient late = new TestClient(second, "late-subscriber").connect()
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
    String downlink = "aid2/v1/vehicles/VINP/down/delete-profile";
    try (EmbeddedMqttBroker first = new EmbeddedMqttBroker(dataDir, 0).start()) {
      try (TestClient vehicle = new TestClient(first, "vehicle-VINP")) {
        assertThat(vehicle.connect(false, 3_600).isSessionPresent()).isFalse();
        vehicle.subscribe("aid2/v1/vehicles/VINP/down/#");
      } // disconnects; the session stays for an hour
      try (TestClient egress = new TestClient(first, "egress").connect()) {
        IntStream.range(0, 20).forEach(i -> TestClient.get(egress.publish(downlink, "before-" + i, false)));
      }
    }
    try (EmbeddedMqttBroker second = new EmbeddedMqttBroker(dataDir, 0).start()) {
      try (TestClient egress = new TestClient(second, "egress").connect()) {
        IntStream.range(0, 20).forEach(i -> TestClient.get(egress.publish(downlink, "after-" + i, false)));
      }
      try (TestClient vehicle = new TestClient(second, "vehicle-VINP")) {
        assertThat(vehicle.connect(false, 3_600).isSessionPresent()).isTrue();
        awaitUntil(TestClient.WAIT, () -> vehicle.received.size() >= 40);
        List<String> expected = IntStream.range(0, 40)
            .mapToObj(i -> i < 20 ? "before-" + i : "after-" + (i - 20)).toList();
        assertThat(vehicle.payloads()).containsExactlyElementsOf(expected);
      }
    }
  }
}
