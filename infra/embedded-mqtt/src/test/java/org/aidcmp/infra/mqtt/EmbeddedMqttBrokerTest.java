package org.aidcmp.infra.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.aidcmp.infra.mqtt.TestClient.awaitUntil;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One broker for the class, with a small embedded extension that turns away client ids "intruder-*". */
@Timeout(180)
class EmbeddedMqttBrokerTest {

  @TempDir static Path tmp;
  static EmbeddedMqttBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedMqttBroker.builder(tmp.resolve("mqtt")).extension(denyIntruders()).build();
    long begin = System.nanoTime();
    broker.start();
    System.out.printf("broker start: %d ms%n", (System.nanoTime() - begin) / 1_000_000);
  }

  @AfterAll
  static void stop() {
    long begin = System.nanoTime();
    broker.close();
    System.out.printf("broker stop: %d ms%n", (System.nanoTime() - begin) / 1_000_000);
  }

  @Test
  void deliversQos1FromPublisherToSubscriber() {
    assertThat(broker.serverUri()).isEqualTo("tcp://127.0.0.1:" + broker.port());
    try (TestClient sub = new TestClient(broker, "sub-1").connect().subscribe("aid2/v1/vehicles/+/down/#");
        TestClient pub = new TestClient(broker, "pub-1").connect()) {
      TestClient.get(pub.publish("aid2/v1/vehicles/VIN1/down/activation-code", "hello", false));
      awaitUntil(TestClient.WAIT, () -> sub.received.size() == 1);
      assertThat(sub.payloads()).containsExactly("hello");
      assertThat(sub.received.get(0).getTopic().toString()).isEqualTo("aid2/v1/vehicles/VIN1/down/activation-code");
    }
  }

  /**
   * HiveMQ learns of a new member of a share group with a short delay (it caches the members of each
   * group; about a second here), so we publish until both members have had a message, then check that
   * every message went to exactly one of them.
   */
  @Test
  void aSharedSubscriptionSplitsTheMessagesBetweenItsSubscribers() {
    String filter = "$share/aid-bridge/aid2/v1/vehicles/+/up/#";
    try (TestClient a = new TestClient(broker, "bridge-a").connect().subscribe(filter);
        TestClient b = new TestClient(broker, "bridge-b").connect().subscribe(filter);
        TestClient pub = new TestClient(broker, "vehicle-pub").connect()) {
      long begin = System.nanoTime();
      long deadline = begin + TestClient.WAIT.toNanos();
      int sent = 0;
      while ((a.received.isEmpty() || b.received.isEmpty() || sent < 200) && System.nanoTime() < deadline) {
        TestClient.get(pub.publish("aid2/v1/vehicles/VIN" + (sent % 7) + "/up/csim-status", "m" + sent, false));
        sent++;
      }
      int total = sent;
      awaitUntil(TestClient.WAIT, () -> a.received.size() + b.received.size() >= total);
      System.out.printf("shared subscription: %d messages split %d / %d, both served after %d ms%n", total,
          a.received.size(), b.received.size(), (System.nanoTime() - begin) / 1_000_000);
      assertThat(a.received).isNotEmpty();
      assertThat(b.received).isNotEmpty();
      Set<String> all = new HashSet<>(a.payloads());
      all.addAll(b.payloads());
      assertThat(all).hasSize(total); // each message went to exactly one of them
      assertThat(a.received.size() + b.received.size()).isEqualTo(total);
    }
  }

  /**
   * The subscriber's receive-maximum of 10 and acknowledgements held back until the publisher is done
   * force about 4,990 messages into the broker's queue for it: with HiveMQ's default queue of 1,000
   * most of them would be dropped silently (see {@link EmbeddedMqttQueueLimitTest}).
   */
  @Test
  void aBurstOf5000Qos1MessagesToOneSlowSubscriberArrivesComplete() throws Exception {
    int count = 5_000;
    CountDownLatch published = new CountDownLatch(1);
    long droppedBefore = broker.droppedMessages();
    try (TestClient sub = new TestClient(broker, "slow-sub", 10, p -> awaitQuietly(published));
        TestClient pub = new TestClient(broker, "burst-pub")) {
      sub.connect(true, 0);
      sub.subscribe("aid2/v1/vehicles/VINB/down/#");
      pub.connect();
      long begin = System.nanoTime();
      List<CompletableFuture<Void>> acks = IntStream.range(0, count)
          .mapToObj(i -> pub.publish("aid2/v1/vehicles/VINB/down/delete-profile", Integer.toString(i), false))
          .toList();
      acks.forEach(TestClient::get);
      published.countDown();
      awaitUntil(TestClient.WAIT.multipliedBy(2), () -> sub.received.size() >= count);
      System.out.printf("burst of %d QoS 1 messages through a 10-message window: %d ms%n", count,
          (System.nanoTime() - begin) / 1_000_000);
      assertThat(sub.payloads()).containsExactlyElementsOf(
          IntStream.range(0, count).mapToObj(Integer::toString).toList());
      assertThat(broker.droppedMessages()).isEqualTo(droppedBefore);
    }
  }

  @Test
  void theEmbeddedExtensionDecidesWhoConnects() {
    try (TestClient intruder = new TestClient(broker, "intruder-1")) {
      assertThatThrownBy(intruder::connect).hasRootCauseInstanceOf(Mqtt5ConnAckException.class);
    }
  }

  private static EmbeddedExtension denyIntruders() {
    return EmbeddedExtension.builder().withId("test-auth").withName("test auth").withVersion("1")
        .withExtensionMain(new ExtensionMain() {
          @Override
          public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            Services.securityRegistry().setAuthenticatorProvider(providerInput ->
                (SimpleAuthenticator) (auth, result) -> {
                  if (auth.getConnectPacket().getClientId().startsWith("intruder-")) {
                    result.failAuthentication();
                  } else {
                    result.authenticateSuccessfully();
                  }
                });
          }

          @Override
          public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}
        })
        .build();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
