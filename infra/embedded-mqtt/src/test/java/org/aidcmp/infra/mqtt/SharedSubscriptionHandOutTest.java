package org.aidcmp.infra.mqtt;

import static org.aidcmp.infra.mqtt.TestClient.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How HiveMQ CE (the version the parent pom pins, 2025.5) hands out the bridges' share group
 * {@code $share/aid-bridge/...} (AID.02 §7.2 uplinks), on the real embedded broker with the AiD2 security and the
 * bridge's login: why two bridges once both sat idle while 19 of 20 uplinks waited in the group's queue.
 *
 * <p>What HiveMQ does (read in its source, {@code PublishPollServiceImpl}, {@code ClientQueuePersistenceImpl},
 * {@code ClientSessionSubscriptionPersistenceImpl}): a share group has one queue; a message joins it, and members
 * are offered the queue only (1) when it was empty before that message, (2) when a message in flight to a member
 * comes back (that member's connection ended), or (3) when a member's own in-flight messages are all acknowledged,
 * and then only if that connection's flag "no shared subscription" is false. The flag is set whenever that
 * member's own poll reads no shared subscription in its persisted session, and cleared only by a SUBSCRIBE. A
 * SUBSCRIBE with two or more filters (the bridge's: uplinks and presence) clears the flag <em>before</em> it
 * persists the subscriptions ({@code addBatchedTopics}); a poll of the member landing in between reads none and
 * sets the flag for good (a narrower window remains with one filter, {@code addSubscription}: persisted first,
 * flag cleared after in the same single-writer task, but the poll's read and its write of the flag are not atomic).
 * That member then takes one batch per "queue was empty" and nothing after; the others are not offered the queue
 * either while it is not empty. Only a SUBSCRIBE of that member clears the flag (and polls the queue for it).
 * That reading is not pinned by a test: setting the flag on a member directly (through {@link HiveMqProbe}) did not
 * keep the rest of a burst from it in 2 of 3 runs, the flag still set (another poll reached it), so the stall seen
 * (BridgeLoginTest: 19 of 20 waiting 120 s) has no reproduction on demand. The bridge's answer does not depend on
 * which poll failed: a member idle 10 s SUBSCRIBEs again, which polls the group's queue for it
 * ({@code TwoBridgesShareTheGroupTest} in ingress-aid2).
 *
 * <p>A member whose connection ended is never offered anything (no active channel), whatever its session
 * expiry, and what it held goes back to the group the moment the broker sees the connection end (DISCONNECT, or a
 * reset: a silent loss only after the keep-alive). So a stopped bridge keeping its session costs the others nothing.
 */
@Timeout(300)
class SharedSubscriptionHandOutTest {
  static final String VIN = "WBAUX11030A334483";
  static final String GROUP = "aid-bridge";
  static final String UP_FILTER = "aid2/v1/vehicles/+/up/#";
  static final String UP = "$share/" + GROUP + "/" + UP_FILTER;
  static final String UPLINK = "aid2/v1/vehicles/" + VIN + "/up/csim-status";
  static final int BURST = 20;
  static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir static Path tmp;
  static EmbeddedMqttBroker broker;
  static VehicleCredentials vehicle;
  static ServiceCredentials bridge;
  static HiveMqProbe probe;

  /** Each test starts with the group's queue empty: a member takes what an earlier test left. */
  @org.junit.jupiter.api.BeforeEach
  void groupQueueEmpty() {
    try (TestClient drain = member("drain", p -> {})) {
      drain.connect(true, 0);
      joinGroup(drain, "drain");
      awaitUntil(BOUND, () -> probe.groupQueueSize(GROUP, UP_FILTER) == 0);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    CarAndBridge stack = CarAndBridge.start(tmp, VIN);
    broker = stack.broker();
    vehicle = stack.vehicle();
    bridge = stack.bridge();
    probe = new HiveMqProbe(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  /**
   * The lead's first guess, refuted: a member stopped normally with its session kept (still listed in the group) is
   * handed nothing; a burst published right after its DISCONNECT all reaches the member still connected.
   */
  @Test
  void aMemberStoppedNormallyWithItsSessionKept_isHandedNothing() {
    int rounds = 10;
    try (TestClient car = car(); TestClient y = member("stay", p -> {})) {
      y.connect(true, 600);
      joinGroup(y, "stay");
      TestClient x = member("leave", p -> {});
      try {
        for (int r = 0; r < rounds; r++) {
          x.connect(false, 600);
          joinGroup(x, "leave");
          int xBefore = x.received.size();
          int yBefore = y.received.size();
          x.disconnect(); // normal DISCONNECT, the session (and its membership) stays 600 s
          assertThat(probe.isMember(GROUP, UP_FILTER, bridge.clientId("leave"))).as("still listed in the group")
              .isTrue();
          burst(car, "stopped-" + r);
          awaitUntil(BOUND, () -> y.received.size() - yBefore == BURST);
          awaitUntil(BOUND, () -> probe.groupQueueSize(GROUP, UP_FILTER) == 0);
          assertThat(x.received.size()).as("nothing handed to the stopped member").isEqualTo(xBefore);
        }
      } finally {
        x.close();
        endSession("leave");
      }
    } finally {
      endSession("stay");
    }
  }

  /**
   * What a member held unacknowledged goes back to the group when its connection ends, and the next burst reaches
   * the member still connected: a normal DISCONNECT (session kept), and a connection reset with no DISCONNECT (a
   * killed process).
   */
  @Test
  void whatAMemberHeldGoesBackToTheGroupWhenItsConnectionEnds_disconnectOrReset() throws Exception {
    for (boolean reset : new boolean[] {false, true}) {
      for (int r = 0; r < 3; r++) {
        String tag = (reset ? "reset-" : "disconnect-") + r;
        List<Mqtt5Publish> held = new CopyOnWriteArrayList<>();
        try (CuttableProxy proxy = new CuttableProxy(broker.port());
            TestClient car = car();
            TestClient x = holding("holder", reset ? proxy.port() : broker.port(), held)) {
          x.connect(true, 600);
          x.subscribe(UP);
          burst(car, tag + "-held"); // x alone in the group: what it is handed it holds, the rest waits for it
          awaitUntil(BOUND, () -> !held.isEmpty());
          int heldAtEnd = held.size();
          try (TestClient y = member("taker", p -> {})) {
            y.connect(true, 0);
            joinGroup(y, "taker");
            if (reset) {
              proxy.cut();
            } else {
              x.disconnect();
            }
            awaitAsTheBridge(y, BURST);
            assertThat(y.payloads()).as("what x held among them")
                .containsAll(held.subList(0, heldAtEnd).stream().map(SharedSubscriptionHandOutTest::payload).toList());
            System.out.printf("%s: x held %d of %d unacknowledged; after its %s all %d reached y%n", tag, heldAtEnd,
                BURST, reset ? "connection reset" : "DISCONNECT", BURST);
            burst(car, tag + "-after");
            // Distinct uplinks: QoS 1 is at least once, and what x held may reach y twice (seen once in a loaded
            // fresh-clone run: 49 received, the group's queue empty); the bridge drops repeats by message id.
            awaitState(BOUND, () -> new java.util.HashSet<>(y.payloads()).size() == 2 * BURST, () -> "y got "
                + new java.util.HashSet<>(y.payloads()).size() + " distinct of " + y.received.size() + ", y skips "
                + probe.skipsSharedQueues(bridge.clientId("taker")) + ", queue " + probe.groupQueueSize(GROUP, UP_FILTER)
                + ", x connected " + x.mqtt.getState() + ", x member " + probe.isMember(GROUP, UP_FILTER,
                bridge.clientId("holder")));
            awaitUntil(BOUND, () -> probe.groupQueueSize(GROUP, UP_FILTER) == 0);
          }
        } finally {
          endSession("holder");
        }
      }
    }
  }

  /**
   * Subscribes to the group's uplinks as the bridge does (one filter), and once the connection's first poll is done,
   * again: HiveMQ's race between that poll and the first SUBSCRIBE may have marked the connection "no shared
   * subscription" (seen here: a fresh member joining under load got 24 of 40 and kept the mark with 16 waiting);
   * the second SUBSCRIBE clears it, as the bridge's idle SUBSCRIBE does.
   */
  private static void joinGroup(TestClient c, String instance) {
    c.subscribe(UP);
    awaitUntil(BOUND, () -> probe.firstPollDone(bridge.clientId(instance)));
    c.subscribe(UP);
  }

  /**
   * Waits (bounded) until {@code c} got {@code count}, SUBSCRIBing again after each 10 s without a message, as the
   * bridge does: HiveMQ's race may leave even a member that joined with {@link #joinGroup} marked (seen once in ten
   * runs of this class under load), and this test is about where held messages go, not about that race.
   */
  private static void awaitAsTheBridge(TestClient c, int count) {
    c.awaitAsAShareMember(BOUND, UP, () -> c.received.size() >= count);
  }

  /**
   * A member that keeps each uplink it gets in {@code held}, unacknowledged until the test acknowledges it (a
   * manually acknowledged flow beside the client's own: the HiveMQ client sends a PUBACK only when every flow did);
   * anything else it acknowledges at once.
   */
  private static TestClient holding(String instance, int port, List<Mqtt5Publish> held) {
    TestClient c = new TestClient(login(instance, port));
    c.mqtt.publishes(MqttGlobalPublishFilter.SUBSCRIBED, p -> {
      if (p.getTopic().toString().contains("/up/")) {
        held.add(p);
      } else {
        p.acknowledge();
      }
    }, true);
    return c;
  }

  /** {@link TestClient#awaitUntil}, saying on a failure what the broker's state was. */
  private static void awaitState(Duration bound, java.util.function.BooleanSupplier condition,
      java.util.function.Supplier<String> state) {
    try {
      TestClient.awaitUntil(bound, condition);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + state.get(), e);
    }
  }

  private static String payload(Mqtt5Publish p) {
    return new String(p.getPayloadAsBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void burst(TestClient car, String tag) {
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      acks.add(car.publish(UPLINK, tag + "-" + i, false));
    }
    acks.forEach(TestClient::get);
  }

  private static TestClient car() {
    return new TestClient(Logins.v5(Logins.plain(broker, VIN), vehicle.username(), vehicle.password())).connect();
  }

  private static TestClient member(String instance, Consumer<Mqtt5Publish> beforeAck) {
    return new TestClient(login(instance, broker.port()), 65_535, beforeAck);
  }

  private static Mqtt5ClientBuilder login(String instance, int port) {
    return Logins.v5(MqttClient.builder().identifier(bridge.clientId(instance)).serverHost("127.0.0.1")
        .serverPort(port), bridge.username(), bridge.password());
  }

  /** Ends a member's session (and so its membership), whatever it held going back to the group. */
  private static void endSession(String instance) {
    try (TestClient c = member(instance, p -> {})) {
      c.connect(true, 0);
    }
  }
}
