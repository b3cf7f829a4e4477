package org.aidcmp.infra.launcher.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The committed records of aid.lifecycle.events from the beginning, read as the story goes: what the platform
 * decided, as every other consumer sees it. One reader, used from the story's thread only.
 */
public final class EventLog implements AutoCloseable {
  private final KafkaConsumer<String, LifecycleEvent> consumer;
  private final List<LifecycleEvent> events = new ArrayList<>();

  public EventLog(String bootstrapServers, SchemaRegistryClient registry) {
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10),
        new StringDeserializer(), new AvroDeserializer<>(registry, LifecycleEvent.class));
    String topic = AidTopic.LIFECYCLE_EVENTS.topicName();
    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** The payloads of type {@code type} that match, read up to now. */
  public synchronized <T> List<T> payloads(Class<T> type, Predicate<T> which) {
    return all().stream().filter(type::isInstance).map(type::cast).filter(which).toList();
  }

  /** Every payload read up to now, in the order read (one key's events in their order: one partition). */
  public synchronized List<Object> all() {
    // A few polls: each returns at most what one fetch brings.
    for (int i = 0; i < 20; i++) {
      int before = events.size();
      for (ConsumerRecord<String, LifecycleEvent> r : consumer.poll(Duration.ofMillis(50))) {
        events.add(r.value());
      }
      if (events.size() == before) {
        break;
      }
    }
    return events.stream().map(LifecycleEvent::getPayload).toList();
  }

  /** The first matching payload, or null. */
  public <T> T first(Class<T> type, Predicate<T> which) {
    List<T> found = payloads(type, which);
    return found.isEmpty() ? null : found.get(0);
  }

  @Override
  public synchronized void close() {
    consumer.close();
  }
}
