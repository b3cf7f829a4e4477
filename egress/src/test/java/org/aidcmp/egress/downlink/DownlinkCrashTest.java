package org.aidcmp.egress.downlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.aidcmp.egress.SharedKafka;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.topics.AidTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The downlink publisher runs as its own process ({@link DownlinkMain}, configured as in production) and is killed
 * (SIGKILL: no shutdown hook, no commit, no DISCONNECT) while records stream in, then started again. What it
 * checks: every record reaches its vehicle; a vehicle receives nothing that was not decided for it; whatever a
 * vehicle receives twice is the same CommandId with the same bytes (so it can drop the repeat); and the first
 * arrival of each command keeps the order of the topic, per vehicle.
 */
@ExtendWith({SharedKafka.class, SharedMqtt.class})
class DownlinkCrashTest {
  private static final int VEHICLES = 20;
  private static final int RECORDS = 3_000;
  private static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  void killedMidStreamAndStartedAgain_everyRecordIsDelivered_andRepeatsCarryTheSameCommandId(
      SharedKafka.Endpoints endpoints, SharedMqtt.Broker broker) throws Exception {
    Path work = Files.createTempDirectory("aid-downlink-crash-");
    String group = "downlink-crash-" + UUID.randomUUID();
    Path config = work.resolve("aid.properties");
    Files.writeString(config, String.join("\n",
        "kafka.bootstrap.servers=" + endpoints.bootstrapServers(),
        "schema.registry.url=" + endpoints.registryUrl(),
        "mqtt.server.uri=" + broker.mqtt().serverUri(),
        "downlink.mqtt.username=" + broker.downlink().username(),
        "downlink.mqtt.password=" + broker.downlink().password(),
        "downlink.group.id=" + group,
        "downlink.commit.interval.ms=100",
        // static membership: the restarted process takes the partitions back without waiting for a session timeout
        "downlink.consumer.group.instance.id=crash-test-instance", ""));
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker.mqtt(), broker, AidTopic.AID2_DOWNLINK.topicName(),
        AidTopic.DLQ.topicName(), 3)) {
      Map<String, TestVehicle> vehicles = new HashMap<>();
      List<String> vins = new ArrayList<>();
      for (int i = 0; i < VEHICLES; i++) {
        String vin = DownlinkHarness.newVin();
        vins.add(vin);
        vehicles.put(vin, h.vehicle(vin).online());
      }
      List<DownlinkHarness.Sent> sent = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < RECORDS; i++) {
          String vin = vins.get(i % VEHICLES);
          sent.add(h.send(vin, DownlinkHarness.mixed(vin, i / VEHICLES)));
        }
      });

      Process service = start(config, work, 1);
      DownlinkHarness.await(WAIT, () -> "a third delivered before the kill; received " + received(vehicles),
          () -> received(vehicles) >= RECORDS / 3);
      service.destroyForcibly();
      assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
      int atKill = received(vehicles);
      System.out.printf("downlink crash test: killed with %d of %d records delivered%n", atKill, RECORDS);
      assertThat(atKill).as("killed mid-stream").isLessThan(RECORDS);

      service = start(config, work, 2);
      try {
        producing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        DownlinkHarness.await(WAIT, () -> "every command delivered; distinct received " + distinct(vehicles),
            () -> distinct(vehicles) >= RECORDS);
        DownlinkHarness.await(WAIT, "offsets committed to the end", () -> h.committedToEnd(group));
        Thread.sleep(1_000); // anything sent again would arrive now
      } finally {
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
      }

      int repeats = 0;
      for (String vin : vins) {
        TestVehicle vehicle = vehicles.get(vin);
        List<DownlinkHarness.Sent> forIt = sent.stream().filter(s -> s.vin().equals(vin)).toList();
        Map<String, byte[]> first = new HashMap<>();
        List<String> firstOrder = new ArrayList<>();
        for (TestVehicle.Received r : vehicle.received) {
          assertThat(Aid2Topics.parse(r.topic()).orElseThrow().vin()).isEqualTo(vin);
          byte[] before = first.putIfAbsent(r.commandId(), r.payload());
          if (before == null) {
            firstOrder.add(r.commandId());
          } else {
            repeats++;
            assertThat(Arrays.equals(before, r.payload())).as("a repeat is the same message, byte for byte").isTrue();
          }
        }
        assertThat(firstOrder).as("vehicle %s: each of its commands, first arrivals in topic order, nothing else", vin)
            .containsExactlyElementsOf(forIt.stream().map(DownlinkHarness.Sent::commandId).toList());
      }
      System.out.printf("downlink crash test: %d records, %d delivered, %d repeats (same CommandId, same bytes), none lost%n",
          RECORDS, received(vehicles), repeats);
      assertThat(h.deadLetters()).isEmpty();
    }
    SharedMqtt.deleteTree(work); // kept (with the two processes' logs) when the test fails
  }

  private static int received(Map<String, TestVehicle> vehicles) {
    return vehicles.values().stream().mapToInt(v -> v.received.size()).sum();
  }

  private static long distinct(Map<String, TestVehicle> vehicles) {
    return vehicles.values().stream().mapToLong(v -> v.commandIds().stream().distinct().count()).sum();
  }

  private static Process start(Path config, Path work, int run) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        DownlinkMain.class.getName(), config.toString());
    File log = work.resolve("downlink-" + run + ".log").toFile();
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }
}
