package org.aidcmp.infra.mqtt;

import static org.aidcmp.infra.mqtt.TestClient.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control experiment for the burst test: with HiveMQ's default queue size (1,000) the same burst
 * loses messages, every publisher still gets its PUBACK, and only the dropped-messages metric tells.
 * This proves the burst test can fail, and that the limit is really applied from our config.xml.
 */
@Timeout(180)
class EmbeddedMqttQueueLimitTest {

  @TempDir static Path tmp;
  static EmbeddedMqttBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedMqttBroker.builder(tmp.resolve("mqtt")).withoutAuthentication().maxQueueSize(1_000).build().start();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void withHiveMqsDefaultQueueABurstLosesMessagesSilently() throws Exception {
    int count = 5_000;
    CountDownLatch published = new CountDownLatch(1);
    try (TestClient sub = new TestClient(broker, "slow-sub", 10, p -> awaitQuietly(published));
        TestClient pub = new TestClient(broker, "burst-pub").connect()) {
      sub.connect(true, 0);
      sub.subscribe("burst/#");
      List<CompletableFuture<Void>> acks = IntStream.range(0, count)
          .mapToObj(i -> pub.publish("burst/x", Integer.toString(i), false))
          .toList();
      acks.forEach(TestClient::get); // every PUBLISH was acknowledged to the publisher
      published.countDown();
      awaitUntil(TestClient.WAIT, () -> broker.droppedMessages() > 0);
      long dropped = broker.droppedMessages();
      awaitUntil(TestClient.WAIT, () -> sub.received.size() + dropped >= count);
      Thread.sleep(Duration.ofMillis(500).toMillis()); // nothing more is on its way
      assertThat(sub.received.size()).isLessThan(count).isEqualTo(count - (int) dropped);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
