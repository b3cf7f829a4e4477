package org.aidcmp.egress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.aidcmp.infra.config.MspRegistry.Msp;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MSP client worker: takes commands from aid.aid1.outbound.v1, calls the MSP through its {@link MspLane},
 * writes exactly one result per command to aid.aid1.results.v1 (and a dead letter when it gave up), and commits
 * an offset only when every command before it in its partition has its result written.
 *
 * <p>Order of effects per command: result acknowledged by Kafka, then the command counts as executed, then its
 * offset may commit. A crash anywhere re-runs only commands without a result; a command with one is skipped
 * ({@link ExecutedCommands}), also after a full replay.
 */
public final class EgressWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EgressWorker.class);
  static final String STAGE = "egress.msp-call";
  private static final Duration DEFERRED_READ_LIMIT = Duration.ofMillis(200);

  private final EgressSettings settings;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final AvroDeserializer<Aid1Outbound> commands;
  private final ExecutedCommands executed;
  private final ResultMapper mapper = new ResultMapper();
  private final MspRequests requests;
  private final ScheduledExecutorService retryScheduler =
      Executors.newScheduledThreadPool(1, MspLane.daemon("egress-retry"));
  private final java.util.concurrent.ExecutorService completions =
      Executors.newSingleThreadExecutor(MspLane.daemon("egress-completions"));
  private final Map<String, MspLane> lanes = new HashMap<>();
  private final Map<TopicPartition, PartitionProgress> progress = new ConcurrentHashMap<>();
  /** Commands being called, so a duplicate in the log waits for the first instead of calling again. */
  private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
  private final DeferredCommands deferred;
  /** Set when the deferred backlog reached its bound: every partition waits until it shrinks. */
  private boolean pausedForBacklog;
  /** Commands called per partition, each with the future that completes when its result is written (or it is abandoned). */
  private final Map<TopicPartition, Map<MspLane.Job, CompletableFuture<Void>>> jobsByPartition = new ConcurrentHashMap<>();
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final EgressMetrics metrics;
  private final java.util.List<io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics> clientMetrics;
  /** The consumer's metrics, a live view taken once: the consumer itself is for the poller thread only. */
  private final Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> consumerMetrics;
  private final Thread poller;
  private volatile boolean running = true;
  private volatile boolean abrupt;

  private EgressWorker(EgressSettings settings, SchemaRegistryClient registry) {
    this.settings = settings;
    this.requests = new MspRequests(settings.msps.cmpId(), settings.callTimeout);
    this.commands = new AvroDeserializer<>(registry, Aid1Outbound.class);
    this.executed = new ExecutedCommands(settings, registry);
    this.deferred = new DeferredCommands(settings);
    for (Msp msp : settings.msps.all()) {
      lanes.put(msp.id(), new MspLane(msp, settings, retryScheduler));
    }
    Map<String, Object> consumerConfig = new HashMap<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, settings.groupId,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500));
    if (settings.groupInstanceId != null) {
      // Static membership: a restarted instance takes its partitions back without a rebalance of the group.
      consumerConfig.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.groupInstanceId);
    }
    this.consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 2,
        ProducerConfig.CLIENT_ID_CONFIG, settings.groupId + "-results"),
        new StringSerializer(), new AvroSerializer<>(registry, true));
    this.metrics = new EgressMetrics(settings.meterRegistry, settings.groupId, this::inFlight, deferred::size);
    this.consumerMetrics = consumer.metrics();
    this.clientMetrics = java.util.List.of(new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer),
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer));
    clientMetrics.forEach(m -> m.bindTo(settings.meterRegistry));
    settings.meterRegistry.counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS, "stage", STAGE); // at 0 from the start
    this.poller = new Thread(this::run, "egress-poller");
  }

  /** Creates and starts a worker; it reads the log of executed commands before it takes the first command. */
  public static EgressWorker start(EgressSettings settings, SchemaRegistryClient registry) {
    EgressWorker worker = new EgressWorker(settings, registry);
    worker.poller.start();
    return worker;
  }

  private void run() {
    try {
      // Fetch the metadata of the topics we write before the first result: a missing topic stops the worker
      // here, not a command halfway, and no result waits for a metadata round trip.
      producer.partitionsFor(settings.resultsTopic);
      producer.partitionsFor(settings.dlqTopic);
      executed.catchUp();
      consumer.subscribe(List.of(settings.outboundTopic), new Rebalance());
      long nextCommit = System.nanoTime();
      while (running && fatal.get() == null) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          progress.computeIfAbsent(tp, unused -> new PartitionProgress()).taken(record.offset());
          take(tp, record, false);
        }
        takeDeferred();
        boundBacklog();
        if (System.nanoTime() >= nextCommit) {
          commit(progress.keySet());
          nextCommit = System.nanoTime() + settings.commitInterval.toNanos();
        }
      }
      if (!abrupt) {
        commit(progress.keySet());
        // Read our own latest results into the store now, so the next start on this state directory has none
        // of them left to read.
        executed.catchUp();
      }
    } catch (org.apache.kafka.common.errors.WakeupException | org.apache.kafka.common.errors.InterruptException e) {
      // closing
    } catch (RuntimeException e) {
      fatal.compareAndSet(null, e);
      LOG.error("egress worker stopped", e);
    }
  }

  /**
   * Takes one command, read now or read back from the deferred backlog. When its MSP's queue is full, or that
   * MSP already has deferred commands (which go first, to keep each user's order), it is deferred; the
   * partition goes on. False only for a read-back command that could not be queued after all.
   */
  private boolean take(TopicPartition tp, ConsumerRecord<String, byte[]> record, boolean readBack) {
    PartitionProgress p = progress.get(tp);
    MspCommand command;
    try {
      command = MspCommand.of(commands.deserialize(record.topic(), record.value()));
    } catch (RuntimeException unreadable) {
      deadLetter(record, null, "unreadable command: " + unreadable.getMessage(), unreadable.getClass().getName(), 0)
          .whenComplete((ok, error) -> finish(tp, record.offset(), null, error));
      return true;
    }
    if (executed.contains(command.commandId())) {
      p.finished(record.offset());
      return true;
    }
    CompletableFuture<Void> running = inFlight.get(command.commandId());
    if (running != null) {
      // Done when the first is done; if the first is abandoned this offset stays unfinished and re-runs later.
      running.thenRun(() -> p.finished(record.offset()));
      return true;
    }
    MspLane lane = lanes.get(command.mspId());
    if (lane == null) {
      complete(tp, record, command, mapper.cannotCall(command, "unknown MSP " + command.mspId()));
      return true;
    }
    if (!readBack && deferred.has(lane.msp().id())) {
      deferred.defer(lane.msp().id(), new DeferredCommands.Position(tp, record.offset()));
      return true;
    }
    MspLane.Job job = new MspLane.Job(requests.build(lane.msp(), command), command.mspToken());
    CompletableFuture<Void> settled = new CompletableFuture<>();
    Map<MspLane.Job, CompletableFuture<Void>> jobs =
        jobsByPartition.computeIfAbsent(tp, unused -> new ConcurrentHashMap<>());
    inFlight.put(command.commandId(), settled);
    jobs.put(job, settled);
    if (!lane.offer(job)) {
      inFlight.remove(command.commandId());
      jobs.remove(job);
      if (readBack) {
        return false;
      }
      deferred.defer(lane.msp().id(), new DeferredCommands.Position(tp, record.offset()));
      return true;
    }
    settled.whenComplete((ok, error) -> jobs.remove(job));
    long takenAt = System.nanoTime();
    job.outcome().thenAccept(outcome -> {
      if (outcome.failure() instanceof java.util.concurrent.CancellationException) {
        abandon(command.commandId());
        return;
      }
      try {
        ResultMapper.Mapped mapped = mapper.map(command, outcome);
        metrics.outcome(command, outcome, mapped.result().getPayload(), Duration.ofNanos(System.nanoTime() - takenAt));
        complete(tp, record, command, mapped);
      } catch (RuntimeException e) {
        finish(tp, record.offset(), command.commandId(), e); // stops the worker: a restart re-runs the command
      }
    });
    return true;
  }

  /** Moves deferred commands into their MSPs' queues as room frees, oldest first. */
  private void takeDeferred() {
    for (MspLane lane : lanes.values()) {
      String mspId = lane.msp().id();
      int room = lane.room();
      if (room <= 0 || !deferred.has(mspId)) {
        continue;
      }
      List<DeferredCommands.ReadBack> readBack =
          deferred.takeOldest(mspId, Math.min(room, 500), DEFERRED_READ_LIMIT);
      for (int i = 0; i < readBack.size(); i++) {
        DeferredCommands.ReadBack r = readBack.get(i);
        TopicPartition tp = r.position().partition();
        if (!progress.containsKey(tp)) {
          continue; // revoked meanwhile: its new owner reads it from the committed offset
        }
        if (r.record() == null) {
          ConsumerRecord<String, byte[]> gone = new ConsumerRecord<>(tp.topic(), tp.partition(), r.position().offset(), null, null);
          deadLetter(gone, null, "deferred command no longer in the log (retention) while its MSP " + mspId
              + " had no room", null, 0).whenComplete((ok, error) -> finish(tp, gone.offset(), null, error));
        } else if (!take(tp, r.record(), true)) {
          deferred.putBack(mspId, readBack.subList(i, readBack.size()).stream().map(DeferredCommands.ReadBack::position).toList());
          break;
        }
      }
    }
  }

  /**
   * The backlog holds a position per command (tens of bytes); past {@code maxDeferredCommands} every partition
   * waits, which bounds memory when an MSP stays dead for very long.
   */
  private void boundBacklog() {
    if (!pausedForBacklog && deferred.size() >= settings.maxDeferredCommands) {
      consumer.pause(consumer.assignment());
      pausedForBacklog = true;
      LOG.warn("{} commands deferred for MSPs without room {}: taking no more until it shrinks",
          deferred.size(), deferred.sizeByMsp());
    } else if (pausedForBacklog && deferred.size() < settings.maxDeferredCommands) {
      consumer.resume(consumer.paused());
      pausedForBacklog = false;
    }
  }

  /** Writes the result (after the dead letter, if any); the command is done when Kafka has the result. */
  private void complete(TopicPartition tp, ConsumerRecord<String, byte[]> record, MspCommand command,
                        ResultMapper.Mapped mapped) {
    if (abrupt) {
      return;
    }
    CompletableFuture<RecordMetadata> before = mapped.gaveUpReason() == null
        ? CompletableFuture.completedFuture(null)
        : deadLetter(record, command, mapped.gaveUpReason(), null, mapped.result().getPayload() instanceof
            org.aidcmp.schemas.aid1.MspCallGaveUp g ? g.getCommand().getAttempts() : 0);
    // The result goes to its command's partition number whatever its key: the executed log reads a command
    // partition's results there (ExecutedCommands). lifecycle-streams keys commands by the user, so that is also
    // the partition of the result's key, the user's.
    // Async: a producer callback must never send (it runs on the producer's own I/O thread).
    before.thenComposeAsync(unused -> send(new ProducerRecord<>(settings.resultsTopic, record.partition(),
            command.resultKey(), mapped.result())), completions)
        .whenComplete((ok, error) -> {
          if (error == null) {
            executed.add(command.commandId());
          }
          finish(tp, record.offset(), command.commandId(), error);
        });
  }

  /** No result: the command's partition went elsewhere before it was done; its new owner runs it. */
  private void abandon(String commandId) {
    CompletableFuture<Void> waiting = inFlight.remove(commandId);
    if (waiting != null) {
      waiting.completeExceptionally(new java.util.concurrent.CancellationException("abandoned"));
    }
  }

  private void finish(TopicPartition tp, long offset, String commandId, Throwable error) {
    if (error != null) {
      // Without the result written the command must not count as done: stop, a restart re-runs it.
      if (!abrupt) {
        fatal.compareAndSet(null, error);
        LOG.error("could not write the result of a command; the worker stops", error);
      }
      return;
    }
    PartitionProgress p = progress.get(tp);
    if (p != null) {
      p.finished(offset);
    }
    if (commandId != null) {
      CompletableFuture<Void> waiting = inFlight.remove(commandId);
      if (waiting != null) {
        waiting.complete(null);
      }
    }
  }

  private CompletableFuture<RecordMetadata> deadLetter(ConsumerRecord<String, byte[]> record, MspCommand command,
                                                       String reason, String errorClass, int attempts) {
    String id = command == null
        ? Envelopes.derivedId(record.topic(), Integer.toString(record.partition()), Long.toString(record.offset()), "dead-letter")
        : Envelopes.derivedId(command.commandId(), "dead-letter");
    settings.meterRegistry.counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS, "stage", STAGE).increment();
    DeadLetter letter = DeadLetter.newBuilder()
        .setSourceTopic(record.topic()).setSourcePartition(record.partition()).setSourceOffset(record.offset())
        .setKey(record.key() == null ? null : java.nio.ByteBuffer.wrap(record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .setValue(record.value() == null ? null : java.nio.ByteBuffer.wrap(record.value()))
        .setStage(STAGE).setReason(reason).setErrorClass(errorClass).setAttempts(attempts)
        .build();
    DeadLetterRecord value = DeadLetterRecord.newBuilder()
        .setHeader(Envelopes.header(id, ResultMapper.SOURCE, command == null ? null : command.commandId(),
            command == null ? null : command.correlationId(), Instant.now()))
        .setPayload(letter).build();
    return send(new ProducerRecord<>(settings.dlqTopic, record.key(), value));
  }

  private CompletableFuture<RecordMetadata> send(ProducerRecord<String, SpecificRecord> record) {
    CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
    try {
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          done.completeExceptionally(error);
        } else {
          done.complete(metadata);
        }
      });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private void commit(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      PartitionProgress p = progress.get(tp);
      long offset = p == null ? -1 : p.toCommit();
      if (offset >= 0) {
        offsets.put(tp, new OffsetAndMetadata(offset));
      }
    }
    if (!offsets.isEmpty()) {
      consumer.commitSync(offsets, Duration.ofSeconds(10));
      offsets.forEach((tp, o) -> progress.get(tp).committed(o.offset()));
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!abrupt) {
        settle(partitions);
        commit(partitions);
      }
      partitions.forEach(progress::remove);
      deferred.forget(partitions);
    }

    /**
     * Before a partition goes to another worker: no new attempt starts for its commands, and attempts on the
     * wire get a bounded time to end and have their results written, so the new owner finds them executed.
     */
    private void settle(Collection<TopicPartition> partitions) {
      List<CompletableFuture<?>> pending = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        jobsByPartition.getOrDefault(tp, Map.of()).forEach((job, settled) -> {
          job.cancel();
          pending.add(settled);
        });
      }
      try {
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).handle((ok, error) -> null)
            .get(settings.callTimeout.toMillis() + 2_000, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.warn("{} calls still on the wire while their partitions are revoked", pending.size());
      }
      partitions.forEach(jobsByPartition::remove);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Another worker may have written results for these partitions since we last read the log.
      executed.catchUp();
    }
  }

  /** Commands taken and not yet finished, over all partitions. */
  public int inFlight() {
    return progress.values().stream().mapToInt(PartitionProgress::inFlight).sum();
  }

  /** How many results the last read of the executed-commands log took in (a restart reads only the tail). */
  long executedLogRecordsRead() {
    return executed.lastCatchUpRecords();
  }

  /** Commands waiting as positions for MSPs whose queue is full. */
  public int deferred() {
    return deferred.size();
  }

  /** Ready: taking commands, and both Kafka clients have connected. */
  public boolean ready() {
    return poller.isAlive() && fatal.get() == null && org.aidcmp.schemas.metrics.KafkaReadiness.connected(consumerMetrics)
        && org.aidcmp.schemas.metrics.KafkaReadiness.connected(producer.metrics());
  }

  /** The error that stopped the worker, if one did. */
  public Throwable failure() {
    return fatal.get();
  }

  /** Stops taking commands, lets nothing more be written, commits nothing: what a crash looks like to Kafka. */
  public void closeAbruptly() {
    abrupt = true;
    shutdown(Duration.ZERO);
  }

  /** Stops taking commands and commits what is finished; calls in flight are abandoned (a restart re-runs them). */
  @Override
  public void close() {
    shutdown(Duration.ofSeconds(5));
  }

  private void shutdown(Duration producerGrace) {
    running = false;
    if (abrupt) {
      consumer.wakeup(); // a graceful stop lets the loop end its poll (50 ms) and commit
    }
    try {
      poller.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // First the consumer: leaving the group revokes the partitions, which settles and commits what is in flight
    // (skipped when abrupt) while lanes and producer still work.
    consumer.close(abrupt ? Duration.ZERO : Duration.ofSeconds(30));
    lanes.values().forEach(MspLane::close);
    retryScheduler.shutdownNow();
    completions.shutdown();
    producer.close(producerGrace);
    clientMetrics.forEach(io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics::close);
    executed.close();
    deferred.close();
    commands.close();
  }
}
