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
 * flush). Nothing is lost and nothing doubled: what the killed bridge had written but not yet acknowledged to the
 * broker, the broker delivers again to the other bridge, which finds the record already on the topic (UplinkTail)
 * and acknowledges without writing. What is checked, exactly:
 * <ul>
 *   <li>every message published reaches aid.aid2.uplink.v1 (its messageId, derived from VIN, name and payload, is
 *       there), and nothing else does;</li>
 *   <li>each messageId is there exactly once (no doubles), under the VIN the message came from;</li>
 *   <li>both bridges wrote records, and the surviving one recognised at least one repeat (a kill that left nothing
 *       in flight would test nothing: then the run says so and fails).</li>
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
  void oneOfTwoBridgesKilledMidStreamLosesNothingAndDoublesNothing(
      BridgeStack.Stack stack) throws Exception {
    Path dir = Files.createTempDirectory(stack.dir, "two-bridges-");
    // On the stack's broker (a second embedded HiveMQ in this JVM would share its statics): A is the stack's bridge.
    EmbeddedMqttBroker broker = stack.broker;
    Process b = startBridgeProcess(stack, broker, dir, "test-b");
    Aid2Bridge bridgeA = stack.bridge;
    long repeatsBefore = stack.bridge.stats().repeats();
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
          // A stream, not a burst, so the kill lands in the middle of it; and paced so that the group's queue runs
          // empty between rounds: HiveMQ CE offers a message to a random idle member only then (otherwise the member
          // that just finished takes the next batch, and one bridge can take the whole stream).
          Await.settle(Duration.ofMillis(150));
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
      int doubled = seen.size() - byId.size();
      long lost = vinOfMessageId.keySet().stream().filter(id -> !byId.containsKey(id)).count();
      long repeats = bridgeA.stats().repeats() - repeatsBefore;
      System.out.printf("two bridges, one killed: %d messages, %d records, %d doubled, %d lost; %d repeats recognised"
          + " and not written again%n", total, seen.size(), doubled, lost, repeats);
      assertThat(lost).as("lost").isZero();
      assertThat(byId.entrySet()).as("doubled (by messageId)").allSatisfy(e -> assertThat(e.getValue()).hasSize(1));
      assertThat(doubled).isZero();
      byId.forEach((id, copies) -> assertThat(copies.get(0).key()).isEqualTo(vinOfMessageId.get(id)));
      assertThat(repeats).as("the kill left messages in flight that the broker delivered again").isPositive();
      long byA = writtenBy(stack, vins, A);
      long byB = writtenBy(stack, vins, "aid-bridge-test-b");
      assertThat(byA).as("bridge A wrote some").isPositive();
      assertThat(byB).as("bridge B wrote some before it died").isPositive();
      assertThat(byA + byB).isEqualTo(seen.size());
      System.out.printf("by B %d, by A %d (%d of them while B was up)%n", byB, byA, byABeforeKill);
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
          s.uplinkTopic(), s.dlqTopic(), s.retryBackoff(), s.repeatCheck()), stack.registry, Duration.ofSeconds(30)).close();
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
