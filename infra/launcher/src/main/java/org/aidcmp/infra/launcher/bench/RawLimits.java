package org.aidcmp.infra.launcher.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The raw limit of this machine, measured beside the platform in the same run: plain produce and consume through
 * the same Kafka broker (idempotent producer, acks=all, as the platform's clients), and QoS 1 publish to a
 * subscriber through the same MQTT broker. Each message carries its send time, so the figures are rates and
 * send-to-receipt latencies.
 */
public final class RawLimits {

  /** A rate and the latency of send to receipt. */
  public record Figure(String what, int count, int bytes, double perSecond, double p50Ms, double p99Ms) {
    public String line() {
      return String.format("%-44s %7d x %4d B  %9.0f /s  p50 %6.1f ms  p99 %6.1f ms", what, count, bytes, perSecond,
          p50Ms, p99Ms);
    }
  }

  private RawLimits() {}

  /** {@code count} records of {@code size} bytes produced to a fresh topic and consumed by a subscriber. */
  public static Figure kafka(String bootstrap, String topic, int partitions, int count, int size) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicSetup.create(admin, List.of(new NewTopic(topic, partitions, (short) 1)));
    }
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-raw");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    long[] latencies = new long[count];
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
         KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
             new ByteArraySerializer())) {
      List<TopicPartition> all = java.util.stream.IntStream.range(0, partitions)
          .mapToObj(i -> new TopicPartition(topic, i)).toList();
      consumer.assign(all);
      consumer.seekToBeginning(all);
      consumer.poll(Duration.ofMillis(100));
      long begin = System.nanoTime();
      Thread sender = new Thread(() -> {
        for (int i = 0; i < count; i++) {
          producer.send(new ProducerRecord<>(topic, ("k" + (i % 1024)).getBytes(), stamped(size)));
        }
        producer.flush();
      }, "raw-kafka-producer");
      sender.start();
      int received = 0;
      long deadline = begin + TimeUnit.MINUTES.toNanos(5);
      while (received < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (received < count) {
            latencies[received++] = System.nanoTime() - ByteBuffer.wrap(r.value()).getLong();
          }
        }
      }
      long elapsed = System.nanoTime() - begin;
      sender.join(TimeUnit.MINUTES.toMillis(1));
      return figure("Kafka: produce -> consume (acks=all)", received, size, elapsed, latencies);
    }
  }

  /**
   * {@code count} QoS 1 messages of {@code size} bytes from {@code publisher} on {@code topic} to
   * {@code subscriber} subscribed to {@code filter}; publishes pipelined within the broker's receive maximum
   * (what its CONNACK gave the publisher, {@link #connect}).
   */
  public static Figure mqtt(Mqtt5AsyncClient publisher, int receiveMaximum, Mqtt5AsyncClient subscriber,
                            String topic, String filter, int count, int size) throws Exception {
    long[] latencies = new long[count];
    AtomicInteger received = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    subscriber.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(m -> {
      int n = received.getAndIncrement();
      if (n < count) {
        latencies[n] = System.nanoTime() - ByteBuffer.wrap(m.getPayloadAsBytes()).getLong();
      }
      if (n + 1 == count) {
        done.countDown();
      }
    }).send().get(30, TimeUnit.SECONDS);
    Semaphore window = new Semaphore(Math.max(1, receiveMaximum));
    long begin = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
        break;
      }
      publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(stamped(size)).send()
          .whenComplete((r, e) -> window.release());
    }
    done.await(2, TimeUnit.MINUTES);
    long elapsed = System.nanoTime() - begin;
    return figure("MQTT: QoS 1 publish -> subscriber", Math.min(received.get(), count), size, elapsed, latencies);
  }

  /** A connected client and the receive maximum the broker granted it. */
  public record Connected(Mqtt5AsyncClient client, int receiveMaximum) {}

  /** A client of the broker at 127.0.0.1:{@code port} with a login, connected with a clean start. */
  public static Connected connect(int port, String clientId, String username, String password) throws Exception {
    Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
        .serverPort(port).simpleAuth().username(username).password(password.getBytes()).applySimpleAuth()
        .buildAsync();
    int receiveMaximum = client.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS).getRestrictions()
        .getReceiveMaximum();
    return new Connected(client, receiveMaximum);
  }

  private static byte[] stamped(int size) {
    byte[] value = new byte[Math.max(Long.BYTES, size)];
    ByteBuffer.wrap(value).putLong(System.nanoTime());
    return value;
  }

  private static Figure figure(String what, int received, int size, long elapsedNanos, long[] latencies) {
    long[] got = Arrays.copyOf(latencies, received);
    Arrays.sort(got);
    return new Figure(what, received, size, received / (elapsedNanos / 1e9), quantile(got, 0.50) / 1e6,
        quantile(got, 0.99) / 1e6);
  }

  /** Nearest rank; NaN for none. */
  public static double quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
