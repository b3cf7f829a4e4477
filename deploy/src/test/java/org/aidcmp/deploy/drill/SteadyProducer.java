package org.aidcmp.deploy.drill;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A steady write load on the cluster (acks=all, idempotent, the platform's producer settings): numbered records
 * at a fixed rate, each acknowledged or failed. Afterwards {@link #verify} reads the topic back: every
 * acknowledged record there once, nothing acknowledged lost. The longest time without an acknowledgement is the
 * writers' view of a broker's failure.
 */
final class SteadyProducer implements AutoCloseable {
  static final String TOPIC = "drill.steady";
  private final String bootstrap;
  private final KafkaProducer<String, String> producer;
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong lastAck = new AtomicLong(System.nanoTime());
  private final AtomicLong longestGap = new AtomicLong();
  private final Thread writer;
  private volatile boolean running = true;

  SteadyProducer(String bootstrap, int perSecond) throws Exception {
    this.bootstrap = bootstrap;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicSetup.create(admin, List.of(new NewTopic(TOPIC, 6, (short) 3)));
    }
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
        new StringSerializer(), new StringSerializer());
    writer = new Thread(() -> {
      long n = 0;
      while (running) {
        String id = "r" + n++;
        producer.send(new ProducerRecord<>(TOPIC, id, id), (meta, e) -> {
          if (e == null) {
            acknowledged.add(id);
            long now = System.nanoTime();
            long previous = lastAck.getAndSet(now);
            longestGap.accumulateAndGet(now - previous, Math::max);
          } else {
            failed.incrementAndGet();
          }
        });
        try {
          Thread.sleep(1000L / perSecond);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "drill-steady-producer");
    writer.start();
  }

  long acknowledged() {
    return acknowledged.size();
  }

  long failed() {
    return failed.get();
  }

  /** Resets the longest gap, so it can be measured around one fault. */
  Duration takeLongestGap() {
    return Duration.ofNanos(longestGap.getAndSet(0));
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    writer.join(10_000);
    producer.close(Duration.ofSeconds(70));
  }

  /** Reads the topic back: the acknowledged records missing (lost) and the records read more than once. */
  Result verify(Duration bound) {
    Map<String, Integer> seen = new ConcurrentHashMap<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "drill-verify-" + System.nanoTime(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(), new StringDeserializer())) {
      c.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + bound.toNanos();
      while (System.nanoTime() < deadline && !seen.keySet().containsAll(acknowledged)) {
        c.poll(Duration.ofMillis(500)).forEach(r -> seen.merge(r.value(), 1, Integer::sum));
      }
    }
    long lost = acknowledged.stream().filter(id -> !seen.containsKey(id)).count();
    long doubled = seen.values().stream().filter(n -> n > 1).count();
    return new Result(acknowledged.size(), failed.get(), lost, doubled);
  }

  record Result(long acknowledged, long failed, long lost, long doubled) {}
}
