package org.aidcmp.infra.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Every committed record of a topic, from its beginning, read as it comes ({@link #read} polls once). */
final class TopicLog<T extends SpecificRecord> implements AutoCloseable {
  final List<ConsumerRecord<String, T>> records = new ArrayList<>();
  private final KafkaConsumer<String, T> consumer;

  TopicLog(String bootstrapServers, SchemaRegistryClient registry, String topic, Class<T> type) {
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10),
        new StringDeserializer(), new AvroDeserializer<>(registry, type));
    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  void read() {
    for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(50))) {
      records.add(r);
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
