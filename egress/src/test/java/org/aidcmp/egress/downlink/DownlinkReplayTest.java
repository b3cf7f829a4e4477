package org.aidcmp.egress.downlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.aidcmp.egress.SharedKafka;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replay of lifecycle-streams writes every downlink command again: same CommandId, same record timestamp (the
 * time of the input that caused it). The downlink, started again, takes them as published (its log: its input below
 * its committed offsets) and sends no vehicle a command twice; the Vehicle aggregate's re-send of an unanswered
 * command when the car is back online (same CommandId, a later timestamp, §4.4 end condition c) still goes out.
 */
@ExtendWith({SharedKafka.class, SharedMqtt.class})
class DownlinkReplayTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aReplaysCopiesAreNotSentAgain_butAReSendForAVehicleBackOnlineIs(SharedKafka.Endpoints endpoints,
      SharedMqtt.Broker broker) throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "replay", 2);
        KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
            new StringSerializer(), new AvroSerializer<>(h.registry, true))) {
      String vin = DownlinkHarness.newVin();
      TestVehicle vehicle = h.vehicle(vin).online();
      String group = "downlink-replay-" + UUID.randomUUID();
      List<SpecificRecord> payloads = DownlinkHarness.everyMessage(vin);
      long t0 = Instant.now().minusSeconds(60).toEpochMilli();
      for (int i = 0; i < payloads.size(); i++) {
        send(producer, h.downlink, vin, id(i), payloads.get(i), t0 + i);
      }
      DownlinkPublisher first = h.start(h.settings(group));
      DownlinkHarness.await(WAIT, "the first publishes", () -> vehicle.received.size() >= payloads.size());
      DownlinkHarness.await(WAIT, "committed to the end", () -> h.committedToEnd(group));
      first.close();

      // The replay's copies, then one re-send of command-0 at a later time (the car came back online).
      for (int i = 0; i < payloads.size(); i++) {
        send(producer, h.downlink, vin, id(i), payloads.get(i), t0 + i);
      }
      send(producer, h.downlink, vin, id(0), payloads.get(0), t0 + 30_000);
      DownlinkPublisher again = h.start(h.settings(group));
      DownlinkHarness.await(WAIT, "committed to the end again", () -> h.committedToEnd(group));
      DownlinkHarness.await(WAIT, "the re-send delivered", () -> vehicle.received.size() >= payloads.size() + 1);
      Thread.sleep(1_000); // anything sent twice would have arrived by now
      assertThat(vehicle.commandIds()).as("each command once, and the first one's re-send")
          .hasSize(payloads.size() + 1)
          .filteredOn(id(0)::equals).hasSize(2);
      assertThat(again.repeatsSkipped()).isEqualTo(payloads.size());
      assertThat(h.deadLetters()).isEmpty();
    }
  }

  private static String id(int i) {
    return UUID.nameUUIDFromBytes(("replayed-command-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
  }

  private static void send(KafkaProducer<String, SpecificRecord> producer, String topic, String vin, String commandId,
      SpecificRecord payload, long timestamp) throws Exception {
    Aid2Downlink record = Aid2Downlink.newBuilder()
        .setHeader(Envelopes.header(commandId, "lifecycle-streams", null, UUID.randomUUID().toString(),
            Instant.ofEpochMilli(timestamp)))
        .setPayload(payload).build();
    producer.send(new ProducerRecord<>(topic, null, timestamp, vin, record)).get(10, TimeUnit.SECONDS);
  }
}
