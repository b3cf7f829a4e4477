package org.aidcmp.projections;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code aid events}: a user's, a vehicle's or a profile's whole history read from the event topics themselves
 * (not the tables), decoded and told as the customer-care timeline tells it. Reads both topics from their
 * beginning to the end of now, read_committed; a record that does not decode is counted, not shown.
 */
public final class EventHistory {
  /** Whose history: exactly one of the three. */
  public record Subject(String cmpUserId, String vin, String iccid) {
    boolean matches(Timeline.Entry e) {
      return cmpUserId != null ? cmpUserId.equals(e.cmpUserId())
          : vin != null ? vin.equals(e.vin())
          : iccid.equals(e.iccid());
    }
  }

  /** One fact, where it sits and what it says. */
  public record Fact(String topic, int partition, long offset, Instant occurredAt, String eventType, String messageId,
      Timeline.Entry entry) {}

  /** The facts in time order, and how many records were read and did not decode. */
  public record History(List<Fact> facts, long read, long undecodable) {}

  private EventHistory() {}

  public static History of(String bootstrapServers, SchemaRegistryClient registry, List<String> topics,
      Subject subject, Duration limit, LongConsumer progress) {
    AvroDeserializer<LifecycleEvent> lifecycle = new AvroDeserializer<>(registry, LifecycleEvent.class);
    AvroDeserializer<VehicleEvent> vehicle = new AvroDeserializer<>(registry, VehicleEvent.class);
    List<Fact> facts = new ArrayList<>();
    long read = 0;
    long undecodable = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
        ConsumerConfig.CLIENT_ID_CONFIG, "aid-events"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
          throw new IllegalStateException("no topic " + topic + " at " + bootstrapServers);
        }
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + limit.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read the event topics to their end within " + limit);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          read++;
          EnvelopeHeader header;
          Object payload;
          try {
            if (r.topic().equals(topics.get(0))) {
              LifecycleEvent e = lifecycle.deserialize(r.topic(), r.value());
              header = e.getHeader();
              payload = e.getPayload();
            } else {
              VehicleEvent e = vehicle.deserialize(r.topic(), r.value());
              header = e.getHeader();
              payload = e.getPayload();
            }
          } catch (RuntimeException e) {
            undecodable++;
            continue;
          }
          Timeline.Entry entry = Timeline.entry(payload);
          if (subject.matches(entry)) {
            facts.add(new Fact(r.topic(), r.partition(), r.offset(), header.getOccurredAt(),
                payload.getClass().getSimpleName(), header.getMessageId(), entry));
          }
        }
        progress.accept(read);
      }
    }
    facts.sort(Comparator.comparing(Fact::occurredAt).thenComparing(Fact::topic).thenComparing(Fact::offset));
    return new History(facts, read, undecodable);
  }
}
