package org.aidcmp.egress.downlink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.aidcmp.egress.PartitionProgress;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.DownlinkMessage;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vehicle downlink (DESIGN.md, egress): takes the commands lifecycle-streams decided for vehicles from
 * {@code aid.aid2.downlink.v1} (key VIN, read_committed) and publishes each to
 * {@code aid2/v1/vehicles/{vin}/down/{message}} at QoS 1 (§7.2.1, §7.2.2, §7.2.4, §7.2.7, §7.2.8).
 *
 * <p>At least once, never lost: an offset commits only when the broker acknowledged (PUBACK) the publish of every
 * record before it in its partition ({@link PartitionProgress}); a crash re-publishes what had no PUBACK, with the
 * same CommandId, so a vehicle drops the repeat. Publishes are pipelined, at most the broker's receive maximum (or
 * {@code maxInFlight}, if lower) waiting for their PUBACK. A vehicle that is offline gets its messages from its
 * persistent session at the broker when it reconnects; what it never answered the Vehicle aggregate sends again
 * when its presence says online ({@code VehicleState.pending}).
 *
 * <p>A record that cannot go to a vehicle (no key, tombstone, undecodable, unknown payload, RequestId of another
 * VIN, JSON against its schema, refused by the broker) is dead-lettered and skipped. When the connection drops, the
 * publishes without a PUBACK are sent again, in offset order, before anything newer, once the client reconnected.
 */
public final class DownlinkPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DownlinkPublisher.class);
  /** Records read ahead of the window before the partitions pause. */
  private static final int BACKLOG_HIGH = 1_000;
  /** Publishes of one record lost with the connection before it is dead-lettered rather than tried again. */
  static final int MAX_ATTEMPTS = 10;

  private final DownlinkSettings settings;
  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroDeserializer<Aid2Downlink> envelopes;
  private final Aid2Json json = new Aid2Json();
  private final DownlinkDeadLetters deadLetters;
  private final DownlinkConnection mqtt;
  private final int windowSize;
  private final Semaphore window;
  private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
  /** Read, not yet published; the poll thread's alone. */
  private final ArrayDeque<Pending> backlog = new ArrayDeque<>();
  /** Published, connection lost before the PUBACK: sent again first. */
  private final ConcurrentLinkedQueue<Pending> lost = new ConcurrentLinkedQueue<>();
  private volatile boolean resending;
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final Map<DownlinkMessage, Counter> published = new EnumMap<>(DownlinkMessage.class);
  private final Counter deadLettered;
  private final Counter repeats;
  /** The same count, kept here: the meter registry may be a composite without registries (counting nothing). */
  private final java.util.concurrent.atomic.AtomicLong repeatsSkipped = new java.util.concurrent.atomic.AtomicLong();
  private final PublishedCommands publishedCommands;
  private final Thread poller;
  private final io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics consumerBinder;
  /** The consumer's metrics, a live view taken once: the consumer itself is for the poller thread only. */
  private final Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> consumerMetrics;
  private volatile boolean running = true;
  private volatile boolean abrupt;

  private static final class Partition {
    final TopicPartition tp;
    final PartitionProgress progress = new PartitionProgress();
    /** Publishes and dead letters under way. */
    final AtomicInteger outstanding = new AtomicInteger();

    Partition(TopicPartition tp) {
      this.tp = tp;
    }
  }

  private static final class Pending {
    final Partition partition;
    final ConsumerRecord<String, byte[]> record;
    final DownlinkCommand command;
    int attempts;

    Pending(Partition partition, ConsumerRecord<String, byte[]> record, DownlinkCommand command) {
      this.partition = partition;
      this.record = record;
      this.command = command;
    }
  }

  private DownlinkPublisher(DownlinkSettings settings, SchemaRegistryClient registry) {
    this.settings = settings;
    // First: a broker that refuses us stops the start before any Kafka client (and its threads) exists.
    this.mqtt = DownlinkConnection.open(settings);
    this.envelopes = new AvroDeserializer<>(registry, Aid2Downlink.class);
    this.deadLetters = new DownlinkDeadLetters(settings, registry);
    this.windowSize = Math.min(settings.maxInFlight(), mqtt.receiveMaximum());
    this.window = new Semaphore(windowSize);
    Map<String, Object> config = new HashMap<>(settings.consumerOverrides());
    config.putAll(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, settings.groupId(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId());
    this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    for (DownlinkMessage m : DownlinkMessage.values()) {
      published.put(m, Counter.builder("aid.egress.downlink.published").tag("message", m.topicName())
          .tag("group", settings.groupId()).register(settings.meterRegistry()));
    }
    deadLettered = Counter.builder("aid.egress.downlink.dead-letters").tag("group", settings.groupId())
        .register(settings.meterRegistry());
    repeats = Counter.builder("aid.egress.downlink.repeats").tag("group", settings.groupId())
        .register(settings.meterRegistry());
    publishedCommands = new PublishedCommands(settings.bootstrapServers(), envelopes);
    Gauge.builder("aid.egress.downlink.in-flight", this, DownlinkPublisher::inFlight).tag("group", settings.groupId())
        .tag("client", settings.clientId()).register(settings.meterRegistry());
    this.consumerMetrics = consumer.metrics();
    this.consumerBinder = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer);
    consumerBinder.bindTo(settings.meterRegistry());
    settings.meterRegistry().counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS, "stage",
        DownlinkDeadLetters.STAGE); // at 0 from the start
    this.poller = new Thread(this::run, "downlink-poller");
  }

  /** Connects to the broker (fails if it cannot) and starts taking records. */
  public static DownlinkPublisher start(DownlinkSettings settings, SchemaRegistryClient registry) {
    DownlinkPublisher publisher = new DownlinkPublisher(settings, registry);
    publisher.poller.start();
    LOG.info("downlink: {} -> MQTT {} (group {}, {} publishes in flight at most)", settings.downlinkTopic(),
        settings.broker(), settings.groupId(), publisher.windowSize);
    return publisher;
  }

  private void run() {
    try {
      deadLetters.checkTopic();
      consumer.subscribe(List.of(settings.downlinkTopic()), new Rebalance());
      long nextCommit = System.nanoTime();
      while (running && fatal.get() == null) {
        Duration wait = backlog.isEmpty() && !resending ? Duration.ofMillis(100) : Duration.ofMillis(5);
        for (ConsumerRecord<String, byte[]> record : consumer.poll(wait)) {
          take(record);
        }
        resendLost();
        drain();
        if (backlog.size() >= BACKLOG_HIGH || resending) {
          consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
          consumer.resume(consumer.paused());
        }
        if (System.nanoTime() >= nextCommit) {
          commit(partitions.keySet());
          nextCommit = System.nanoTime() + settings.commitInterval().toNanos();
        }
      }
      if (!abrupt) {
        awaitOutstanding(partitions.keySet());
        commit(partitions.keySet());
      }
    } catch (WakeupException | InterruptException e) {
      // closing
    } catch (RuntimeException e) {
      fatal.compareAndSet(null, e);
      LOG.error("downlink publisher stopped", e);
    }
  }

  private void take(ConsumerRecord<String, byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    Partition p = partitions.computeIfAbsent(tp, Partition::new);
    p.progress.taken(record.offset());
    try {
      DownlinkCommand command = DownlinkCommand.of(record, envelopes, json);
      if (publishedCommands.repeat(record, command.commandId())) {
        // Published before (a replay of lifecycle-streams wrote it again): done, not sent twice.
        p.progress.finished(record.offset());
        repeats.increment();
        repeatsSkipped.incrementAndGet();
        return;
      }
      backlog.add(new Pending(p, record, command));
    } catch (DownlinkCommand.Undeliverable e) {
      deadLetter(p, record, e.commandId, e.getMessage(), e.getCause(), 0);
    }
  }

  /** Publishes from the backlog while the window has room; nothing new while lost publishes wait to go again. */
  private void drain() {
    while (!resending && !backlog.isEmpty() && window.tryAcquire()) {
      publish(backlog.poll());
    }
  }

  private void publish(Pending x) {
    Partition p = x.partition;
    p.outstanding.incrementAndGet();
    x.attempts++;
    mqtt.publish(x.command.topic(), x.command.json()).thenAccept(outcome -> {
      try {
        if (outcome instanceof DownlinkConnection.Outcome.Acknowledged) {
          p.progress.finished(x.record.offset());
          published.get(x.command.message()).increment();
        } else if (outcome instanceof DownlinkConnection.Outcome.Refused refused) {
          deadLetter(p, x.record, x.command.commandId(), x.command.message().topicName()
              + ": the broker refused the publish (" + refused.reasonCode() + ")", null, x.attempts);
        } else if (outcome instanceof DownlinkConnection.Outcome.Failed failed) {
          if (x.attempts >= MAX_ATTEMPTS) {
            deadLetter(p, x.record, x.command.commandId(), x.command.message().topicName() + ": no PUBACK in "
                + x.attempts + " attempts, the connection was lost each time", failed.error(), x.attempts);
          } else {
            // Before the permit goes back: once every permit is back, every lost publish is in the queue.
            lost.add(x);
            resending = true;
          }
        }
      } finally {
        p.outstanding.decrementAndGet();
        window.release();
      }
    });
  }

  /**
   * After a lost connection: when no publish is waiting for its PUBACK any more and the client is connected again,
   * the lost ones go first, in offset order per partition, so a vehicle's messages keep their order.
   */
  private void resendLost() {
    if (!resending || window.availablePermits() < windowSize || !mqtt.connected()) {
      return;
    }
    List<Pending> again = new ArrayList<>();
    for (Pending x; (x = lost.poll()) != null; ) {
      if (partitions.get(x.partition.tp) == x.partition) { // else revoked: its new owner publishes it
        again.add(x);
      }
    }
    again.sort(Comparator.comparing((Pending x) -> x.partition.tp.toString()).thenComparingLong(x -> x.record.offset()));
    for (int i = again.size() - 1; i >= 0; i--) {
      backlog.addFirst(again.get(i));
    }
    if (!again.isEmpty()) {
      LOG.warn("downlink: publishing {} messages again that lost their connection before the PUBACK", again.size());
    }
    resending = false;
  }

  private void deadLetter(Partition p, ConsumerRecord<String, byte[]> record, String commandId, String reason,
                          Throwable error, int attempts) {
    p.outstanding.incrementAndGet();
    LOG.warn("downlink record {}-{}@{} dead-lettered: {}", record.topic(), record.partition(), record.offset(), reason);
    deadLetters.write(record, commandId, reason, error, attempts).whenComplete((ok, e) -> {
      if (e != null) {
        // Without its letter the record must not count as done: stop; a restart takes it again.
        if (!abrupt && fatal.compareAndSet(null, e)) {
          LOG.error("downlink: could not write a dead letter; the publisher stops", e);
        }
      } else {
        p.progress.finished(record.offset());
        deadLettered.increment();
      }
      p.outstanding.decrementAndGet();
    });
  }

  private void commit(Collection<TopicPartition> tps) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : tps) {
      Partition p = partitions.get(tp);
      long offset = p == null ? -1 : p.progress.toCommit();
      if (offset >= 0) {
        offsets.put(tp, new OffsetAndMetadata(offset));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, Duration.ofSeconds(10));
      offsets.forEach((tp, o) -> {
        Partition p = partitions.get(tp);
        if (p != null) {
          p.progress.committed(o.offset());
        }
      });
    } catch (CommitFailedException | RetriableException e) {
      // A rebalance under way: the revoke commits what is acknowledged; otherwise the next round does.
      LOG.info("downlink: commit not taken now ({})", e.getClass().getSimpleName());
    }
  }

  /** Bounded: the PUBACKs (and letters) under way for these partitions, at most {@code revokeGrace}. */
  private void awaitOutstanding(Collection<TopicPartition> tps) {
    long deadline = System.nanoTime() + settings.revokeGrace().toNanos();
    while (tps.stream().map(partitions::get).anyMatch(p -> p != null && p.outstanding.get() > 0)) {
      if (System.nanoTime() > deadline) {
        LOG.warn("downlink: publishes still without PUBACK when their partitions go; their new owner sends them again");
        return;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      if (!abrupt) {
        List<TopicPartition> owned = revoked.stream().filter(partitions::containsKey).toList();
        awaitOutstanding(owned);
        commit(owned);
      }
      forget(revoked);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lostPartitions) {
      forget(lostPartitions); // another member may own them already: commit nothing
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      assigned.forEach(tp -> partitions.put(tp, new Partition(tp)));
      Map<TopicPartition, Long> committed = new HashMap<>();
      consumer.committed(new java.util.HashSet<>(assigned), Duration.ofSeconds(30))
          .forEach((tp, o) -> committed.put(tp, o == null ? null : o.offset()));
      assigned.forEach(tp -> committed.putIfAbsent(tp, null));
      publishedCommands.load(committed);
    }

    private void forget(Collection<TopicPartition> tps) {
      backlog.removeIf(x -> tps.contains(x.partition.tp));
      tps.forEach(partitions::remove);
      tps.forEach(publishedCommands::forget);
    }
  }

  /** Records taken that were publishes already done (a replay's), skipped. */
  public long repeatsSkipped() {
    return repeatsSkipped.get();
  }

  /** Publishes waiting for their PUBACK. */
  public int inFlight() {
    return windowSize - window.availablePermits();
  }

  /** How many publishes may wait for their PUBACK at once: {@code maxInFlight} or the broker's receive maximum. */
  public int window() {
    return windowSize;
  }

  /** Ready: publishing, connected to the MQTT broker, and its consumer to Kafka. */
  public boolean ready() {
    return poller.isAlive() && fatal.get() == null && mqtt.connected()
        && org.aidcmp.schemas.metrics.KafkaReadiness.connected(consumerMetrics);
  }

  /** The error that stopped the publisher, if one did. */
  public Throwable failure() {
    return fatal.get();
  }

  /** Stops at once and commits nothing: what a crash looks like to Kafka (tests). */
  public void closeAbruptly() {
    abrupt = true;
    running = false;
    consumer.wakeup();
    shutdown();
  }

  /** Stops taking records, waits (bounded) for the PUBACKs under way and commits what they acknowledged. */
  @Override
  public void close() {
    running = false;
    shutdown();
  }

  private void shutdown() {
    try {
      poller.join(settings.revokeGrace().toMillis() + 15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(abrupt ? Duration.ZERO : Duration.ofSeconds(30)); // the revoke commits, unless abrupt
    mqtt.close();
    consumerBinder.close();
    deadLetters.close();
    envelopes.close();
  }
}
