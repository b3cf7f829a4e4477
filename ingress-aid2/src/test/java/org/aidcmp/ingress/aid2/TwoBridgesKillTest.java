package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two bridges share the load and one is killed mid-stream (AID.02 §7.2 uplinks; issue "nothing lost or doubled on
 * Kafka"). Bridge B runs in a JVM of its own, configured as an operator would, and reaches the broker through a
 * {@link HoldableProxy}. So that B surely holds messages whose records Kafka acknowledged but whose PUBACKs the broker
 * never got when it dies (the window the repeat check is for), every time and whatever HiveMQ CE's hand-out does:
 * <ol>
 *   <li>the stack's bridge A is parked (stopped normally: nothing in flight), so B is the group's only member, and
 *       B's PUBACKs are held in the proxy (a network failing one way);</li>
 *   <li>a first part of the stream is published: the broker hands B a first batch (B is the only member, so at least
 *       one message; HiveMQ CE then skips a member with messages in flight, so the rest waits in the group's queue),
 *       B writes each to Kafka and its PUBACKs stay in the proxy; the test waits until Kafka has a record by B;</li>
 *   <li>A resumes and takes the rest while the stream goes on; once A has written some of it, B's connection is cut
 *       (reset, the held PUBACKs dropped) and B SIGKILLed, so the broker hands what B held to A, with the same
 *       stamps and not marked a first delivery.</li>
 * </ol>
 * Checked: every message published is on aid.aid2.uplink.v1 exactly once (its stamp-derived messageId once, and each
 * (VIN, Timestamp) once), nothing else; A recognised B's messages as redeliveries and dropped them (its stats); both
 * bridges wrote.
 */
@ExtendWith(BridgeStack.class)
class TwoBridgesKillTest {
  private static final Aid2Json JSON = new Aid2Json();
  private static final int VEHICLES = 20;
  private static final int FIRST_PART = 10;
  private static final int MESSAGES_PER_VEHICLE = 100;
  private static final int KILLED_RECEIVE_MAXIMUM = 50;
  private static final long BASE = 1_700_000_000L;
  private static final String A = BridgeSettings.CLIENT_ID_PREFIX + BridgeStack.BRIDGE_INSTANCE;
  private static final String B = BridgeSettings.CLIENT_ID_PREFIX + "test-b";

  @Test
  void oneOfTwoBridgesKilledMidStreamWithRecordsOnKafkaButNoPubacks_nothingLostNothingDoubled(
      BridgeStack.Stack stack) throws Exception {
    Path dir = Files.createTempDirectory(stack.dir, "two-bridges-");
    List<Vehicle> vehicles = new ArrayList<>();
    List<String> vins = new ArrayList<>();
    Process b = null;
    boolean parked = false;
    try (HoldableProxy proxy = new HoldableProxy(stack.broker.port())) {
      b = startBridgeProcess(stack, proxy.port(), dir, "test-b");
      awaitUp(dir.resolve("bridge.log"));
      for (int i = 0; i < VEHICLES; i++) {
        String vin = stack.vin("TWN");
        vins.add(vin);
        vehicles.add(stack.vehicle(vin));
      }
      stack.parkBridge();
      parked = true;
      proxy.holdUpstream();

      publish(vehicles, 0, FIRST_PART);
      Await.until("B wrote what it was handed, its PUBACKs held", Duration.ofSeconds(120),
          () -> writtenBy(stack, vins, B) >= 1, () -> "(" + writtenBy(stack, vins, B) + ")");
      Aid2Bridge a = stack.resumeBridge();
      parked = false;
      AtomicInteger published = new AtomicInteger(VEHICLES * FIRST_PART);
      CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
        for (int m = FIRST_PART; m < MESSAGES_PER_VEHICLE; m++) {
          publish(vehicles, m, m + 1);
          published.addAndGet(VEHICLES);
          Await.settle(Duration.ofMillis(30)); // a stream, not a burst (pacing only: nothing waits on it)
        }
      });
      // What B was not handed waits in the group's queue for A; once A wrote all of it and some of the stream, B has
      // long finished writing what it holds (nothing new reaches it: its PUBACKs never arrive).
      Await.until("A took the first part's rest and some of the stream", Duration.ofSeconds(120),
          () -> a.stats().forwarded() > VEHICLES * FIRST_PART - writtenBy(stack, vins, B), () -> a.stats().toString());
      long byBAtKill = writtenBy(stack, vins, B);
      proxy.cut();
      b.destroyForcibly(); // SIGKILL
      assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
      int killedAt = published.get();
      rest.get(180, TimeUnit.SECONDS);
      int total = VEHICLES * MESSAGES_PER_VEHICLE;
      assertThat(published.get()).isEqualTo(total);

      Await.until("every message on Kafka, and what B held recognised", Duration.ofSeconds(180),
          () -> published(stack, vins).size() == total && a.stats().repeats() >= byBAtKill,
          () -> "(" + published(stack, vins).size() + " of " + total + "; " + a.stats() + ")");
      Await.until("nothing left in flight at A", () -> a.stats().inFlight() == 0);

      List<KafkaTap.Seen<org.aidcmp.schemas.aid2.Aid2Uplink>> seen = new ArrayList<>();
      vins.forEach(vin -> seen.addAll(stack.tap.uplinks(vin)));
      assertThat(seen).as("one record per message").hasSize(total);
      assertThat(seen).allSatisfy(s -> {
        assertThat(s.stamp()).as("stamped by the broker").isNotNull();
        assertThat(s.value().getHeader().getMessageId())
            .isEqualTo(UplinkReader.stampedMessageId(s.key(), UplinkMessage.CSIM_STATUS.topicName(), s.stamp()));
      });
      assertThat(seen.stream().map(s -> s.value().getHeader().getMessageId()).distinct().count())
          .as("no messageId twice").isEqualTo(total);
      assertThat(published(stack, vins)).as("every (VIN, Timestamp) published, each once")
          .isEqualTo(expected(vins));
      long byA = seen.stream().filter(s -> A.equals(s.writtenBy())).count();
      long byB = seen.stream().filter(s -> B.equals(s.writtenBy())).count();
      assertThat(byB).as("B wrote what it held, nothing after").isEqualTo(byBAtKill)
          .isBetween(1L, (long) KILLED_RECEIVE_MAXIMUM);
      assertThat(byA + byB).isEqualTo(total);
      assertThat(a.stats().repeats()).as("A recognised and dropped every message B held").isEqualTo(byB);
      System.out.printf("two bridges, one killed: %d messages, %d records; by B %d (all held unacknowledged at the"
          + " kill), by A %d; redeliveries A recognised and dropped: %d; published at the kill: %d%n", total,
          seen.size(), byB, byA, a.stats().repeats(), killedAt);
    } finally {
      if (parked) {
        stack.resumeBridge();
      }
      vehicles.forEach(Vehicle::close);
      if (b != null) {
        b.destroyForcibly();
      }
      if (Files.exists(dir.resolve("bridge.log"))) {
        // Kept for a look after the run (the stack's folder is removed).
        Files.copy(dir.resolve("bridge.log"), Path.of("target", "bridge-b.log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      // B's session outlives it: end it, forwarding whatever the broker still kept for it.
      BridgeSettings s = stack.settings("test-b");
      Aid2Bridge.start(new BridgeSettings(s.mqttHost(), s.mqttPort(), s.credentials(), s.clientId(), Duration.ZERO,
          s.receiveMaximum(), s.kafkaBootstrapServers(), s.producerOverrides(), s.registryUrl(), null,
          s.uplinkTopic(), s.dlqTopic(), s.retryBackoff(), s.repeatCheck()), stack.registry, Duration.ofSeconds(30))
          .close();
    }
  }

  /** Messages {@code from} (inclusive) to {@code to} of every vehicle, each acknowledged by the broker. */
  private static void publish(List<Vehicle> vehicles, int from, int to) {
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int m = from; m < to; m++) {
      for (Vehicle v : vehicles) {
        acks.add(v.publish(Aid2Topics.uplink(v.vin, UplinkMessage.CSIM_STATUS),
            JSON.writeUplink(Uplinks.csimStatus(v.vin, BASE + m))));
      }
    }
    acks.forEach(Vehicle::join);
  }

  /** (VIN, Timestamp) of every uplink record of these vehicles, as a multiset (a pair twice would count 2). */
  private static Map<String, Long> published(BridgeStack.Stack stack, List<String> vins) {
    return vins.stream().flatMap(vin -> stack.tap.uplinks(vin).stream())
        .map(s -> s.key() + "@" + ((CsimStatus) s.value().getPayload()).getRequestId().getTimestamp())
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  private static Map<String, Long> expected(List<String> vins) {
    Set<String> all = new HashSet<>();
    for (String vin : vins) {
      for (int m = 0; m < MESSAGES_PER_VEHICLE; m++) {
        all.add(vin + "@" + (BASE + m));
      }
    }
    return all.stream().collect(Collectors.toMap(Function.identity(), k -> 1L));
  }

  private static long writtenBy(BridgeStack.Stack stack, List<String> vins, String clientId) {
    return vins.stream().flatMap(vin -> stack.tap.uplinks(vin).stream())
        .filter(s -> clientId.equals(s.writtenBy())).count();
  }

  /** BridgeMain in a JVM of its own, configured as an operator would: a properties file. */
  private static Process startBridgeProcess(BridgeStack.Stack stack, int mqttPort, Path dir, String instance)
      throws IOException {
    Path config = dir.resolve("aid.properties");
    Files.writeString(config, String.join("\n",
        "mqtt.server.uri=tcp://127.0.0.1:" + mqttPort,
        "kafka.bootstrap.servers=" + stack.kafka.bootstrapServers(),
        "schema.registry.url=" + stack.registryServer.url(),
        "ingress.aid2.instance-id=" + instance,
        "ingress.aid2.username=" + stack.bridgeLogin.username(),
        "ingress.aid2.password=" + stack.bridgeLogin.password(),
        "ingress.aid2.receive-maximum=" + KILLED_RECEIVE_MAXIMUM, ""));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), BridgeMain.class.getName());
    pb.environment().put("AID_CONFIG", config.toString());
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("bridge.log").toFile());
    return pb.start();
  }

  private static void awaitUp(Path log) {
    Await.until("bridge B up (" + log + ")", Duration.ofSeconds(90), () -> {
      try {
        return Files.exists(log) && Files.readString(log).contains("ingress-aid2 up");
      } catch (IOException e) {
        return false;
      }
    }, () -> "");
  }
}
