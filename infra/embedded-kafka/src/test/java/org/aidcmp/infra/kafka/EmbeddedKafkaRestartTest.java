package org.aidcmp.infra.kafka;

import static org.aidcmp.infra.kafka.KafkaTestSupport.consumer;
import static org.aidcmp.infra.kafka.KafkaTestSupport.pollUntil;
import static org.aidcmp.infra.kafka.KafkaTestSupport.producer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle: stop and start again on the same directory and port; a start that cannot succeed. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EmbeddedKafkaRestartTest {

  @TempDir Path dir;

  @Test
  void aRestartOnTheSameDirectoryKeepsTopicsAndRecords() throws Exception {
    Path data = dir.resolve("kafka");
    int port;
    try (EmbeddedKafka first = new EmbeddedKafka(data, 0).start()) {
      port = first.port();
      try (Admin admin = admin(first)) {
        admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1))).all().get(15, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> producer = producer(first.bootstrapServers(), Map.of())) {
        for (int i = 0; i < 5; i++) {
          producer.send(new ProducerRecord<>("kept", "k" + i, "v" + i)).get(15, TimeUnit.SECONDS);
        }
      }
    }

    try (EmbeddedKafka second = EmbeddedKafka.builder(data).port(port).build().start()) {
      assertThat(second.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
      try (Admin admin = admin(second)) {
        assertThat(admin.listTopics().names().get(15, TimeUnit.SECONDS)).contains("kept");
      }
      try (KafkaConsumer<String, String> consumer = consumer(second.bootstrapServers(), Map.of())) {
        consumer.subscribe(List.of("kept"));
        List<ConsumerRecord<String, String>> read =
            pollUntil(consumer, r -> r.size() >= 5, Duration.ofSeconds(30));
        assertThat(read)
            .extracting(ConsumerRecord::value)
            .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4");
      }
    }
  }

  @Test
  void startFailsClearlyWhenThePortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      EmbeddedKafka kafka =
          EmbeddedKafka.builder(dir.resolve("busy"))
              .port(taken.getLocalPort())
              .startTimeout(Duration.ofSeconds(30))
              .build();
      long started = System.nanoTime();
      assertThatThrownBy(kafka::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("did not start");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
      kafka.close();
    }
  }

  private static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
  }
}
