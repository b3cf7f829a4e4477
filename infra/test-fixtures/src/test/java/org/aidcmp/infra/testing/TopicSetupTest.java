package org.aidcmp.infra.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TopicSetup#create} returns only when a produce to every new partition is served at once: an idempotent
 * producer's first records need no retry. A retry right after creation (NOT_LEADER_OR_FOLLOWER) is what lets a
 * later request overtake the first one and leave it failing with OUT_OF_ORDER_SEQUENCE_NUMBER (KAFKA-15591).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TopicSetupTest {
  @TempDir Path dir;

  @Test
  void aCreatedTopicTakesItsFirstRecordsWithoutARetry() throws Exception {
    int topics = 8;
    int partitions = 6;
    try (TestKafka kafka = TestKafka.start(dir.resolve("kafka"));
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      for (int t = 0; t < topics; t++) {
        String topic = "fresh-" + t;
        TopicSetup.create(admin, List.of(new NewTopic(topic, partitions, (short) 1)));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 0),
            new StringSerializer(), new StringSerializer())) {
          List<Future<RecordMetadata>> sent = new java.util.ArrayList<>();
          for (int p = 0; p < partitions; p++) {
            sent.add(producer.send(new ProducerRecord<>(topic, p, "k", "first")));
            sent.add(producer.send(new ProducerRecord<>(topic, p, "k", "second")));
          }
          for (Future<RecordMetadata> f : sent) {
            f.get(60, TimeUnit.SECONDS);
          }
          double retries = producer.metrics().entrySet().stream()
              .filter(e -> e.getKey().name().equals("record-retry-total")
                  && e.getKey().group().equals("producer-metrics"))
              .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
          assertThat(retries).as("records retried on %s just after it was created", topic).isZero();
        }
      }
    }
  }
}
