package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two bridges share the load and one is killed mid-stream (a separate JVM, SIGKILL: no DISCONNECT, no producer
 * flush). Nothing is lost; a message is written twice only when the killed bridge had its record acknowledged by
 * Kafka but not yet its PUBACK to the broker, so the broker delivered it again to the other bridge. What is checked,
 * exactly:
 * <ul>
 *   <li>every message published reaches aid.aid2.uplink.v1 (its messageId, derived from VIN, name and payload, is
 *       there), and nothing else does;</li>
 *   <li>every messageId that is there more than once is the same record each time (key, requestId, payload);</li>
 *   <li>the extra copies are at most the killed bridge's receive maximum (what it may hold unacknowledged);</li>
 *   <li>both bridges wrote records.</li>
 * </ul>
 */
@ExtendWith(BridgeStack.class)
class TwoBridgesKillTest {
  private static final Aid2Json JSON = new Aid2Json();
  private static final int VEHICLES = 20;
  private static final int MESSAGES_PER_VEHICLE = 100;
  private static final int KILLED_RECEIVE_MAXIMUM = 50;
  private static final String A = BridgeSettings.CLIENT_ID_PREFIX + BridgeStack.BRIDGE_INSTANCE;

  @Test
  void oneOfTwoBridgesKilledMidStreamLosesNothingAndRepeatsOnlyWhatItHadInFlightAsTheSameRecords(
      BridgeStack.Stack stack) throws Exception {
    Path dir = Files.createTempDirectory(stack.dir, "two-bridges-");
    // On the stack's broker (a second embedded HiveMQ in this JVM would share its statics): A is the stack's bridge.
    EmbeddedMqttBroker broker = stack.broker;
    Process b = startBridgeProcess(stack, broker, dir, "test-b");
    Aid2Bridge bridgeA = stack.bridge;
    long byAOtherTests = stack.bridge.stats().forwarded();
    List<Vehicle> vehicles = new ArrayList<>();
    Map<String, String> vinOfMessageId = new HashMap<>();
    try {
      awaitUp(dir.resolve("bridge.log"));
      List<String> vins = new ArrayList<>();
      for (int i = 0; i < VEHICLES; i++) {
        String vin = stack.vin("TWN");
        vins.add(vin);
        vehicles.add(Vehicle.mqtt5(broker.port(), stack.credentials.issueVehiclePassword(vin)));
      }
      AtomicInteger published = new AtomicInteger();
      CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
        for (int m = 0; m < MESSAGES_PER_VEHICLE; m++) {
          List<CompletableFuture<Void>> round = new ArrayList<>();
          for (Vehicle v : vehicles) {
            byte[] payload = JSON.writeUplink(Uplinks.csimStatus(v.vin, 1_700_000_000L + m));
            round.add(v.publish(Aid2Topics.uplink(v.vin, UplinkMessage.CSIM_STATUS), payload));
          }
          CompletableFuture.allOf(round.toArray(CompletableFuture[]::new)).join();
          published.addAndGet(round.size());
          Await.settle(Duration.ofMillis(30)); // a stream, not a burst: the kill lands in the middle of it
        }
      });
      for (Vehicle v : vehicles) {
        for (int m = 0; m < MESSAGES_PER_VEHICLE; m++) {
          byte[] payload = JSON.writeUplink(Uplinks.csimStatus(v.vin, 1_700_000_000L + m));
          vinOfMessageId.put(UplinkReader.messageId(v.vin, "csim-status", payload), v.vin);
        }
      }
      int total = VEHICLES * MESSAGES_PER_VEHICLE;
      // HiveMQ hands new messages to a member of the group without any in flight: both get some under load.
      Await.until("a third of the stream on Kafka, some of it by B", Duration.ofSeconds(120),
          () -> records(stack, vins).size() >= total / 3 && writtenBy(stack, vins, "aid-bridge-test-b") > 0,
          () -> "(" + records(stack, vins).size() + ")");
      long byABeforeKill = writtenBy(stack, vins, A);
      b.destroyForcibly(); // SIGKILL
      assertThat(b.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      traffic.get(120, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(published.get()).isEqualTo(total);
      assertThat(bridgeA.stats().forwarded()).isGreaterThan(byAOtherTests);

      Await.until("every message on Kafka", Duration.ofSeconds(180),
          () -> records(stack, vins).stream().map(r -> r.getHeader().getMessageId()).collect(Collectors.toSet())
              .containsAll(vinOfMessageId.keySet()),
          () -> "(" + records(stack, vins).size() + " records of " + total + ")");
      Await.settle(Duration.ofSeconds(1));

      List<KafkaTap.Seen<Aid2Uplink>> seen = new ArrayList<>();
      vins.forEach(vin -> seen.addAll(stack.tap.uplinks(vin)));
      Map<String, List<KafkaTap.Seen<Aid2Uplink>>> byId = seen.stream()
          .collect(Collectors.groupingBy(s -> s.value().getHeader().getMessageId()));
      assertThat(byId.keySet()).as("every message, nothing else").isEqualTo(vinOfMessageId.keySet());
      int extraCopies = seen.size() - byId.size();
      for (List<KafkaTap.Seen<Aid2Uplink>> copies : byId.values()) {
        KafkaTap.Seen<Aid2Uplink> first = copies.get(0);
        assertThat(copies).allSatisfy(c -> {
          assertThat(c.key()).isEqualTo(first.key());
          assertThat(c.value().getPayload()).isEqualTo(first.value().getPayload());
          assertThat(c.value().getHeader().getRequestId()).isEqualTo(first.value().getHeader().getRequestId());
        });
        assertThat(first.key()).isEqualTo(vinOfMessageId.get(first.value().getHeader().getMessageId()));
      }
      assertThat(extraCopies).as("repeats: at most what the killed bridge held unacknowledged")
          .isLessThanOrEqualTo(KILLED_RECEIVE_MAXIMUM);
      long byA = writtenBy(stack, vins, A);
      long byB = writtenBy(stack, vins, "aid-bridge-test-b");
      assertThat(byA).as("bridge A wrote some").isPositive();
      assertThat(byB).as("bridge B wrote some before it died").isPositive();
      assertThat(byA + byB).isEqualTo(seen.size());
      System.out.printf("two bridges, one killed: %d messages, %d records, %d repeated; by B %d, by A %d (%d of them"
          + " while B was up)%n", total, seen.size(), extraCopies, byB, byA, byABeforeKill);
    } finally {
      vehicles.forEach(Vehicle::close);
      b.destroyForcibly();
      // Kept for a look after the run (the stack's folder is removed).
      Files.copy(dir.resolve("bridge.log"), Path.of("target", "bridge-b.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      // B's session outlives it: end it, forwarding whatever the broker still kept for it.
      BridgeSettings s = stack.settings("test-b");
      Aid2Bridge.start(new BridgeSettings(s.mqttHost(), s.mqttPort(), s.credentials(), s.clientId(), Duration.ZERO,
          s.receiveMaximum(), s.kafkaBootstrapServers(), s.producerOverrides(), s.registryUrl(), null,
          s.uplinkTopic(), s.dlqTopic(), s.retryBackoff()), stack.registry, Duration.ofSeconds(30)).close();
    }
  }

  private static long writtenBy(BridgeStack.Stack stack, List<String> vins, String clientId) {
    return vins.stream().flatMap(vin -> stack.tap.uplinks(vin).stream())
        .filter(s -> clientId.equals(s.writtenBy())).count();
  }

  private static List<Aid2Uplink> records(BridgeStack.Stack stack, List<String> vins) {
    List<Aid2Uplink> all = new ArrayList<>();
    vins.forEach(vin -> stack.tap.uplinks(vin).forEach(s -> all.add(s.value())));
    return all;
  }

  /** BridgeMain in a JVM of its own, configured as an operator would: a properties file. */
  private static Process startBridgeProcess(BridgeStack.Stack stack, EmbeddedMqttBroker broker, Path dir,
      String instance) throws IOException {
    Path config = dir.resolve("aid.properties");
    Files.writeString(config, String.join("\n",
        "mqtt.server.uri=tcp://127.0.0.1:" + broker.port(),
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
