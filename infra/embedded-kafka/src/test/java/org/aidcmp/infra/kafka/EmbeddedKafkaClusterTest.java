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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes of one KRaft cluster (each broker and controller, the cluster drill's layout) in this JVM:
 * replication factor 3 and min ISR 2 hold writes with one node gone, refuse them with two gone, and a node
 * brought back on its directory rejoins the ISR.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EmbeddedKafkaClusterTest {

  @TempDir Path dir;
  private final List<EmbeddedKafka> nodes = new ArrayList<>();
  private final int[] ports = new int[3];
  private final int[] controllerPorts = new int[3];
  private String voters;
  private final String clusterId = Uuid.randomUuid().toString();

  /**
   * All nodes at once: a broker's controlled shutdown needs a controller quorum, so nodes closed one after the
   * other leave the last ones waiting for a quorum that is gone.
   */
  @AfterEach
  void stop() throws InterruptedException {
    ExecutorService stopper = Executors.newFixedThreadPool(3);
    nodes.forEach(n -> stopper.submit(n::close));
    stopper.shutdown();
    stopper.awaitTermination(120, TimeUnit.SECONDS);
  }

  @Test
  void oneNodeDownKeepsWritingTwoDownRefusesAndTheNodeRejoins() throws Exception {
    for (int i = 0; i < 3; i++) {
      ports[i] = freePort();
      controllerPorts[i] = freePort();
    }
    voters = "1@127.0.0.1:" + controllerPorts[0] + ",2@127.0.0.1:" + controllerPorts[1] + ",3@127.0.0.1:" + controllerPorts[2];
    // Each node's start waits for a quorum, so they start together.
    ExecutorService starter = Executors.newFixedThreadPool(3);
    try {
      List<Future<EmbeddedKafka>> started = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        EmbeddedKafka node = node(i);
        started.add(starter.submit(node::start));
        nodes.add(node);
      }
      for (Future<EmbeddedKafka> f : started) {
        f.get(180, TimeUnit.SECONDS);
      }
    } finally {
      starter.shutdownNow();
    }
    String bootstrap = nodes.get(0).bootstrapServers() + "," + nodes.get(1).bootstrapServers() + ","
        + nodes.get(2).bootstrapServers();

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
      admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3))).all().get(30, TimeUnit.SECONDS);

      try (KafkaProducer<String, String> p = producer(bootstrap, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
        send(p, "before", 6);
        nodes.get(2).close();
        send(p, "one-down", 6);
        nodes.get(1).close();
        // Two of three gone: no quorum and below min ISR, so a write is not acknowledged (the producer retries
        // until its delivery timeout and then fails: the caller knows, nothing is acknowledged and lost).
        assertThatThrownBy(() -> p.send(new ProducerRecord<>("replicated", "k", "unacknowledged")).get(60, TimeUnit.SECONDS))
            .isInstanceOf(java.util.concurrent.ExecutionException.class);
      }

      // Bring both back on their directories: a quorum again, and every replica back in sync.
      ExecutorService starter2 = Executors.newFixedThreadPool(2);
      try {
        for (int i = 1; i < 3; i++) {
          EmbeddedKafka again = node(i);
          nodes.set(i, again);
          starter2.submit(again::start);
        }
      } finally {
        starter2.shutdown();
        assertThat(starter2.awaitTermination(180, TimeUnit.SECONDS)).isTrue();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      boolean allInSync = false;
      while (!allInSync && System.nanoTime() < deadline) {
        TopicDescription d = admin.describeTopics(List.of("replicated")).allTopicNames().get(30, TimeUnit.SECONDS)
            .get("replicated");
        allInSync = d.partitions().stream().allMatch(p -> p.isr().size() == 3);
        if (!allInSync) {
          Thread.sleep(500);
        }
      }
      assertThat(allInSync).as("every partition back to 3 in-sync replicas").isTrue();
    }

    try (KafkaConsumer<String, String> c = consumer(bootstrap, Map.of())) {
      c.subscribe(List.of("replicated"));
      List<ConsumerRecord<String, String>> read = pollUntil(c, r -> r.stream().map(ConsumerRecord::value).filter(v -> !v.equals("unacknowledged")).count() >= 12, Duration.ofSeconds(60));
      // Every acknowledged record is there (the unacknowledged one may or may not be: it was never promised).
      List<String> acknowledged = new ArrayList<>();
      for (String prefix : List.of("before", "one-down")) {
        for (int i = 0; i < 6; i++) {
          acknowledged.add(prefix + i);
        }
      }
      assertThat(read).extracting(ConsumerRecord::value).containsAll(acknowledged);
    }
  }

  private EmbeddedKafka node(int i) {
    return EmbeddedKafka.builder(dir.resolve("node-" + (i + 1))).nodeId(i + 1).port(ports[i])
        .controllerPort(controllerPorts[i]).cluster(clusterId, voters).replication(3, 2)
        .startTimeout(Duration.ofSeconds(180)).build();
  }

  private static void send(KafkaProducer<String, String> p, String prefix, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      p.send(new ProducerRecord<>("replicated", prefix + i, prefix + i)).get(60, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
