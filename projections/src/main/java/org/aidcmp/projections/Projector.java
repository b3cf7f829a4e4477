package org.aidcmp.projections;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies aid.lifecycle.events.v1 and aid.vehicle.events.v1 to the read models, exactly once: each poll is one
 * database transaction holding the rows and the next offset of every partition it touched, and the consumer's
 * positions come from the database (partitions assigned, not subscribed; no consumer group, nothing committed to
 * Kafka). A record below the stored position is skipped, so a batch seen twice is applied once.
 *
 * <p>A record that does not decode, or that the tables refuse, is dead-lettered and the rest go on: the batch
 * is applied without savepoints first, and only when a record fails is it applied again one savepoint per
 * record, so the bad one alone is left out. The letters are written before the transaction commits (a crash in
 * between writes the same letter, same id, again). A database that is away is not poison: the batch is retried
 * from the stored positions.
 */
public final class Projector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Projector.class);
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  private final ProjectionsSettings settings;
  private final Jdbi jdbi;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AvroDeserializer<LifecycleEvent> lifecycleEvents;
  private final AvroDeserializer<VehicleEvent> vehicleEvents;
  private final DeadLetterPublisher deadLetters;
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private volatile boolean running;
  /** Counted only by the running service (start), not by a rebuild reading the topics again. */
  private FlowMeters flows;
  private final io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics consumerBinder;
  /** The consumer's metrics, a live view taken once: the consumer itself is for the projector thread only. */
  private final Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> consumerMetrics;
  private Thread thread;
  private String generation;

  public Projector(ProjectionsSettings settings, Jdbi jdbi, SchemaRegistryClient registry) {
    this.settings = settings;
    this.jdbi = jdbi;
    this.lifecycleEvents = new AvroDeserializer<>(registry, LifecycleEvent.class);
    this.vehicleEvents = new AvroDeserializer<>(registry, VehicleEvent.class);
    this.deadLetters = new DeadLetterPublisher(settings.kafkaBootstrapServers(), registry, settings.deadLetterTopic());
    this.consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.CLIENT_ID_CONFIG, "aid-projections-" + settings.schema()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.consumerMetrics = consumer.metrics();
    this.consumerBinder = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer);
    consumerBinder.bindTo(io.micrometer.core.instrument.Metrics.globalRegistry);
    io.micrometer.core.instrument.Metrics.counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS,
        "stage", DeadLetterPublisher.STAGE);
  }

  /** Ready: projecting, and its consumer has connected to Kafka. */
  public boolean ready() {
    return running && thread != null && thread.isAlive()
        && org.aidcmp.schemas.metrics.KafkaReadiness.connected(consumerMetrics);
  }

  /** Alive: not started, or its thread still projecting (a thread that died projects nothing again). */
  public boolean alive() {
    return !running || (thread != null && thread.isAlive());
  }

  /** Runs in a thread of its own until {@link #close()}. */
  public synchronized Projector start() {
    flows = new FlowMeters(io.micrometer.core.instrument.Metrics.globalRegistry);
    running = true;
    thread = new Thread(() -> {
      try {
        while (running) {
          step();
        }
      } catch (WakeupException e) {
        if (running) {
          throw e;
        }
      }
    }, "aid-projections");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /**
   * Applies everything the topics hold now, then returns (a rebuild, a test). Calls {@code progress} with the
   * number of records applied so far after each transaction.
   *
   * @return records applied (dead letters included)
   */
  public long catchUp(Duration limit, LongConsumer progress) {
    assign();
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
    long deadline = System.nanoTime() + limit.toNanos();
    long before = applied.get();
    while (!reached(end)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("projections did not reach the end of the topics within " + limit);
      }
      step();
      progress.accept(applied.get() - before);
    }
    return applied.get() - before;
  }

  /** Each step applies all it polled (or seeks back), so the consumer's position is what the tables hold. */
  private boolean reached(Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  /** Records applied (and dead-lettered) by this instance so far. */
  public long applied() {
    return applied.get();
  }

  public long deadLettered() {
    return deadLettered.get();
  }

  private void step() {
    try {
      assign();
      ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
      if (records.isEmpty()) {
        return;
      }
      if (!apply(records)) {
        seekFromDatabase(); // a rebuild swapped the tables in: their positions, not ours
      }
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      if (!running && thread != null) {
        return;
      }
      LOG.warn("projections could not apply a batch ({}); retrying from the stored positions",
          DeadLetterPublisher.reason(e));
      pause();
      try {
        seekFromDatabase();
      } catch (RuntimeException again) {
        LOG.warn("projections cannot read their positions yet: {}", DeadLetterPublisher.reason(again));
      }
    }
  }

  private void assign() {
    if (!consumer.assignment().isEmpty()) {
      return;
    }
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(settings.lifecycleEventsTopic(), settings.vehicleEventsTopic())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
    }
    consumer.assign(partitions);
    seekFromDatabase();
  }

  private void seekFromDatabase() {
    Map<TopicPartition, Long> stored = new HashMap<>();
    String[] gen = new String[1];
    jdbi.useTransaction(h -> {
      gen[0] = OffsetStore.generation(h);
      stored.putAll(OffsetStore.all(h));
    });
    generation = gen[0];
    Set<TopicPartition> assigned = consumer.assignment();
    List<TopicPartition> fromStart = new ArrayList<>();
    for (TopicPartition tp : assigned) {
      Long next = stored.get(tp);
      if (next == null) {
        fromStart.add(tp);
      } else {
        consumer.seek(tp, next);
      }
    }
    consumer.seekToBeginning(fromStart);
  }

  /** One transaction for the whole poll; false when the schema was swapped under us (nothing applied). */
  private boolean apply(ConsumerRecords<byte[], byte[]> records) {
    try {
      return applyInOneTransaction(records, false);
    } catch (PoisonRecord e) {
      return applyInOneTransaction(records, true);
    }
  }

  private boolean applyInOneTransaction(ConsumerRecords<byte[], byte[]> records, boolean careful) {
    List<DeadLetterPublisher.Letter> letters = new ArrayList<>();
    List<LifecycleEvent> projected = new ArrayList<>();
    long[] count = new long[1];
    boolean done = jdbi.inTransaction(h -> {
      if (!OffsetStore.generation(h).equals(generation)) {
        return false;
      }
      Map<TopicPartition, Long> stored = OffsetStore.lock(h, records.partitions());
      for (TopicPartition tp : records.partitions()) {
        long next = stored.get(tp);
        long last = -1;
        for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
          if (record.offset() < next) {
            continue; // applied before
          }
          applyOne(h, record, careful, letters, projected);
          last = record.offset();
          count[0]++;
        }
        if (last >= 0) {
          OffsetStore.store(h, tp, last + 1);
        }
      }
      deadLetters.publish(letters);
      return true;
    });
    if (done) {
      applied.addAndGet(count[0]);
      deadLettered.addAndGet(letters.size());
      io.micrometer.core.instrument.Metrics.counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS,
          "stage", DeadLetterPublisher.STAGE).increment(letters.size());
      if (flows != null) {
        projected.forEach(flows::observe);
      }
      for (DeadLetterPublisher.Letter l : letters) {
        LOG.warn("dead-lettered {}-{}@{}: {}", l.record().topic(), l.record().partition(), l.record().offset(),
            DeadLetterPublisher.reason(l.why()));
      }
    }
    return done;
  }

  private void applyOne(Handle h, ConsumerRecord<byte[], byte[]> record, boolean careful,
      List<DeadLetterPublisher.Letter> letters, List<LifecycleEvent> projected) {
    Object event;
    try {
      event = decode(record);
    } catch (RuntimeException e) {
      letters.add(new DeadLetterPublisher.Letter(record, e));
      return;
    }
    if (event instanceof LifecycleEvent lifecycleEvent) {
      projected.add(lifecycleEvent); // counted once the transaction commits; a dead-lettered one too: it happened
    }
    if (!careful) {
      try {
        project(h, record, event);
      } catch (RuntimeException e) {
        if (Transient.is(e)) {
          throw e;
        }
        throw new PoisonRecord(e);
      }
      return;
    }
    h.savepoint("record");
    try {
      project(h, record, event);
      h.release("record");
    } catch (RuntimeException e) {
      if (Transient.is(e)) {
        throw e;
      }
      h.rollbackToSavepoint("record");
      letters.add(new DeadLetterPublisher.Letter(record, e));
    }
  }

  private Object decode(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      throw new IllegalArgumentException("a record without a value: the event topics hold no tombstones");
    }
    if (record.topic().equals(settings.lifecycleEventsTopic())) {
      return lifecycleEvents.deserialize(record.topic(), record.value());
    }
    return vehicleEvents.deserialize(record.topic(), record.value());
  }

  /**
   * A fact already applied is skipped whole: a replay of lifecycle-streams writes every fact again, at new
   * offsets, with the same messageId and occurredAt (both derived from the input); applying it again would double
   * the timeline and move rows back to an older state on the way.
   */
  private static void project(Handle h, ConsumerRecord<byte[], byte[]> record, Object event) {
    org.aidcmp.schemas.common.EnvelopeHeader header = event instanceof LifecycleEvent e ? e.getHeader()
        : ((VehicleEvent) event).getHeader();
    Object payload = event instanceof LifecycleEvent e ? e.getPayload() : ((VehicleEvent) event).getPayload();
    if (Timeline.applied(h, record.topic(), header, payload)) {
      return;
    }
    if (event instanceof LifecycleEvent e) {
      LifecycleProjection.apply(h, e);
      Timeline.insert(h, record.topic(), record.partition(), record.offset(), e.getHeader(), e.getPayload());
    } else {
      VehicleEvent e = (VehicleEvent) event;
      VehicleProjection.apply(h, e);
      Timeline.insert(h, record.topic(), record.partition(), record.offset(), e.getHeader(), e.getPayload());
    }
  }

  /** A record the tables refused; the batch is then applied again record by record. */
  private static final class PoisonRecord extends RuntimeException {
    PoisonRecord(Throwable cause) {
      super(cause);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    if (thread != null) {
      consumer.wakeup();
      try {
        thread.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    consumer.close(Duration.ofSeconds(5));
    consumerBinder.close();
    deadLetters.close();
  }
}
