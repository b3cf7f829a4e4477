package org.aidcmp.infra.launcher.bench;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows topics from their end, as a read_committed consumer of its own group sees them, on a thread of its own,
 * and hands every record to a callback. It joins before the constructor returns, so nothing written after that is
 * missed ("latest" is where it joins). For the bench's and the drills' observers.
 */
final class TopicFollower<V> implements AutoCloseable {
  private final KafkaConsumer<String, V> consumer;
  private final Thread reader;
  private volatile boolean running = true;

  TopicFollower(String bootstrap, String name, Collection<String> topics, Deserializer<V> values,
      Properties overrides, Consumer<ConsumerRecord<String, V>> onRecord) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, name + "-" + java.util.UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.putAll(overrides);
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), values);
    consumer.subscribe(List.copyOf(topics));
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (consumer.assignment().isEmpty() && System.nanoTime() < until) {
      consumer.poll(Duration.ofMillis(100));
    }
    reader = new Thread(() -> {
      while (running) {
        try {
          consumer.poll(Duration.ofMillis(100)).forEach(onRecord);
        } catch (WakeupException e) {
          return;
        }
      }
    }, name);
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
