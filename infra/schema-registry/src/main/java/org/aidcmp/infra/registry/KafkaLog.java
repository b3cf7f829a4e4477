package org.aidcmp.infra.registry;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's storage: one compacted, single-partition topic, read whole at start and tailed from
 * then on by one thread that feeds every record to the state. A write returns only once that thread
 * has read it back, so a client that registers a schema and then reads it sees it.
 */
final class KafkaLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaLog.class);

  private final Map<String, Object> clientConfig;
  private final TopicPartition partition;
  private final Optional<Short> replicationFactor;
  private final Duration timeout;
  private final BiConsumer<String, String> applier;

  private KafkaProducer<String, String> producer;
  private KafkaConsumer<String, String> consumer;
  private Thread tailer;
  private volatile boolean running;
  /** The offset of the next record the tailer will apply; guarded by {@code this}. */
  private long applied;

  KafkaLog(Map<String, Object> clientConfig, String topic, Optional<Short> replicationFactor,
      Duration timeout, BiConsumer<String, String> applier) {
    this.clientConfig = Map.copyOf(clientConfig);
    // One partition: the registry needs one total order of its records.
    this.partition = new TopicPartition(topic, 0);
    this.replicationFactor = replicationFactor;
    this.timeout = timeout;
    this.applier = applier;
  }

  /** Creates the topic if missing, reads it to the end and starts tailing it. */
  void start() {
    ensureTopic();
    Map<String, Object> c = new HashMap<>(clientConfig);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    long end = consumer.endOffsets(List.of(partition), timeout).get(partition);

    Map<String, Object> p = new HashMap<>(clientConfig);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() * 2);
    producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());

    running = true;
    tailer = new Thread(this::tail, "schema-registry-tailer");
    tailer.setDaemon(true);
    tailer.start();
    awaitApplied(end, "reading " + partition.topic() + " at start");
    LOG.info("schema registry store {} read to offset {}", partition.topic(), end);
  }

  /**
   * Appends records in order (a null value is a tombstone) and waits until they are applied.
   *
   * @throws RegistryException 50001 / 50002 when Kafka does not take them or they are not read back in time
   */
  void write(List<Map.Entry<String, String>> records) {
    RecordMetadata last = null;
    try {
      for (Map.Entry<String, String> r : records) {
        last = producer
            .send(new ProducerRecord<>(partition.topic(), 0, r.getKey(), r.getValue()))
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryException.storeError("interrupted");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw RegistryException.storeError("write to Kafka failed (" + e.getClass().getSimpleName() + ")");
    }
    if (last != null) {
      awaitApplied(last.offset() + 1, "reading back a write");
    }
  }

  private void tail() {
    while (running) {
      try {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          apply(r);
        }
        long position = consumer.position(partition, timeout);
        synchronized (this) {
          applied = position;
          notifyAll();
        }
      } catch (WakeupException e) {
        // close() wakes us up
      } catch (RuntimeException e) {
        if (running) {
          LOG.warn("tailing {} failed, retrying: {}", partition.topic(), e.toString());
          sleepQuietly();
        }
      }
    }
  }

  private void apply(ConsumerRecord<String, String> r) {
    if (r.key() == null) {
      return;
    }
    try {
      applier.accept(r.key(), r.value());
    } catch (RuntimeException e) {
      // A record that is not ours (or is damaged) must not stop the registry; it is skipped.
      LOG.warn("skipping record at {}-{} offset {}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
    }
  }

  private synchronized void awaitApplied(long offset, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (applied < offset) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw RegistryException.storeTimeout(what + " took longer than " + timeout);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RegistryException.storeError("interrupted");
      }
    }
  }

  /**
   * The topic just created may not be in the broker's metadata yet (KRaft propagates it a moment later; seen on a
   * loaded machine): an unknown topic is asked again until the timeout.
   */
  private TopicDescription describe(Admin admin) throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return admin.describeTopics(List.of(partition.topic())).allTopicNames()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(partition.topic());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private void ensureTopic() {
    Map<String, Object> conf = new HashMap<>(clientConfig);
    conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    Admin admin = Admin.create(conf);
    try {
      NewTopic topic =
          new NewTopic(partition.topic(), Optional.of(1), replicationFactor)
              .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      try {
        TopicSetup.create(admin, List.of(topic));
        LOG.info("created schema store topic {}", partition.topic());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      TopicDescription description = describe(admin);
      if (description.partitions().size() != 1) {
        throw new IllegalStateException("schema store topic " + partition.topic() + " has "
            + description.partitions().size() + " partitions; it must have exactly one");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating " + partition.topic(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create or describe the schema store topic "
          + partition.topic() + " on " + clientConfig.get("bootstrap.servers"), e);
    } finally {
      // A plain close() would wait for calls still pending against an unreachable broker.
      admin.close(Duration.ofSeconds(1));
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    if (consumer != null) {
      consumer.wakeup();
    }
    if (tailer != null) {
      try {
        tailer.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (consumer != null) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
