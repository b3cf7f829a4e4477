package org.aidcmp.infra.kafka;

import static org.aidcmp.infra.kafka.KafkaTestSupport.consumer;
import static org.aidcmp.infra.kafka.KafkaTestSupport.pollUntil;
import static org.aidcmp.infra.kafka.KafkaTestSupport.producer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One broker for the whole class. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaTest {

  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static Admin admin;

  @BeforeAll
  static void startBroker() {
    kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
    admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
  }

  @AfterAll
  static void stopBroker() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void bindsLoopbackAndReportsItsAddress() {
    assertThat(kafka.port()).isPositive();
    assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
    assertThat(kafka.dataDir()).isEqualTo(dir.resolve("kafka").toAbsolutePath());
  }

  @Test
  void createsATopicProducesAndConsumes() throws Exception {
    admin.createTopics(List.of(new NewTopic("plain", 3, (short) 1))).all().get(15, TimeUnit.SECONDS);
    assertThat(admin.listTopics().names().get(15, TimeUnit.SECONDS)).contains("plain");

    try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers(), Map.of())) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>("plain", "k" + i, "v" + i)).get(15, TimeUnit.SECONDS);
      }
    }
    try (KafkaConsumer<String, String> consumer = consumer(kafka.bootstrapServers(), Map.of())) {
      consumer.subscribe(List.of("plain"));
      List<ConsumerRecord<String, String>> read =
          pollUntil(consumer, r -> r.size() >= 10, Duration.ofSeconds(30));
      assertThat(read).extracting(ConsumerRecord::value).containsExactlyInAnyOrder(
          "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
      // Group offsets work too: the group coordinator needs offsets.topic.replication.factor=1.
      consumer.commitSync(Duration.ofSeconds(15));
    }
  }

  @Test
  void readCommittedSeesExactlyTheCommittedTransactions() throws Exception {
    admin.createTopics(List.of(new NewTopic("tx", 1, (short) 1))).all().get(15, TimeUnit.SECONDS);
    Map<String, Object> tx =
        Map.of(
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers(), tx)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("tx", "a", "committed-1"));
      producer.send(new ProducerRecord<>("tx", "a", "committed-2"));
      producer.commitTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>("tx", "a", "aborted"));
      producer.flush();
      producer.abortTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>("tx", "a", "committed-3"));
      producer.commitTransaction();
    }
    Map<String, Object> readCommitted =
        Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, String> consumer = consumer(kafka.bootstrapServers(), readCommitted)) {
      consumer.subscribe(List.of("tx"));
      List<ConsumerRecord<String, String>> read =
          pollUntil(consumer, r -> r.size() >= 3, Duration.ofSeconds(30));
      // Poll once more: an aborted record, had it leaked, would be right behind.
      consumer.poll(Duration.ofMillis(500)).forEach(read::add);
      assertThat(read)
          .extracting(ConsumerRecord::value)
          .containsExactly("committed-1", "committed-2", "committed-3");
    }
  }

  @Test
  void compactsACompactedTopic() throws Exception {
    Map<String, String> compacted =
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            // Roll segments quickly and clean at once, so compaction is observable within the test.
            TopicConfig.SEGMENT_MS_CONFIG, "100",
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
    admin
        .createTopics(List.of(new NewTopic("compacted", 1, (short) 1).configs(compacted)))
        .all()
        .get(15, TimeUnit.SECONDS);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
    Config config = admin.describeConfigs(Set.of(resource)).all().get(15, TimeUnit.SECONDS).get(resource);
    assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");

    try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers(), Map.of())) {
      for (int round = 1; round <= 3; round++) {
        producer.send(new ProducerRecord<>("compacted", "a", "a" + round)).get(15, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>("compacted", "b", "b" + round)).get(15, TimeUnit.SECONDS);
      }
      Thread.sleep(300);
      // This record rolls the segment, so the one with the overwritten keys becomes cleanable.
      producer.send(new ProducerRecord<>("compacted", "c", "c1")).get(15, TimeUnit.SECONDS);
    }

    Map<String, String> latest = Map.of();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int seen = Integer.MAX_VALUE;
    while (seen > 3 && System.nanoTime() < deadline) {
      try (KafkaConsumer<String, String> consumer = consumer(kafka.bootstrapServers(), Map.of())) {
        consumer.subscribe(List.of("compacted"));
        List<ConsumerRecord<String, String>> read =
            pollUntil(consumer, r -> r.stream().anyMatch(x -> x.key().equals("c")), Duration.ofSeconds(15));
        seen = read.size();
        Map<String, String> byKey = new LinkedHashMap<>();
        read.forEach(r -> byKey.put(r.key(), r.value()));
        latest = byKey;
      }
      if (seen > 3) {
        Thread.sleep(500);
      }
    }
    assertThat(latest).containsExactly(Map.entry("a", "a3"), Map.entry("b", "b3"), Map.entry("c", "c1"));
    assertThat(seen).as("records left after compaction").isEqualTo(3);
  }
}
