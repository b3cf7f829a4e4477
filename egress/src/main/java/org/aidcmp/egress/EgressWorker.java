package org.aidcmp.egress;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.aidcmp.infra.config.MspRegistry.Msp;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.aidcmp.schemas.metrics.KafkaReadiness;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MSP client worker: takes commands from aid.aid1.outbound.v1, calls the MSP through its {@link MspLane},
 * writes exactly one result per command to aid.aid1.results.v1 (and a dead letter when it gave up), and commits
 * an offset only when every command before it in its partition has its result written.
 *
 * <p>This class wires the parts and runs the poll loop; a command's flow is {@link CommandIntake}: intake →
 * lane ({@link MspLane}, or {@link DeferredCommands} while its MSP has no room) → call → result
 * ({@link ResultWriter}) → commit ({@link OffsetCommits}). Duplicates: {@link ExecutedCommands} (ran before, also
 * after a crash or a full replay) and {@link CommandsInFlight} (being called now). Rebalances:
 * {@link PartitionRebalance}.
 */
public final class EgressWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EgressWorker.class);
  static final String STAGE = CommandDeadLetters.STAGE;

  private final EgressSettings settings;
  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroDeserializer<Aid1Outbound> commands;
  private final ExecutedCommands executed;
  private final ScheduledExecutorService retryScheduler =
      Executors.newScheduledThreadPool(1, MspLane.daemon("egress-retry"));
  private final Map<String, MspLane> lanes = new HashMap<>();
  private final DeferredCommands deferred;
  private final ResultWriter writer;
  private final OffsetCommits commits;
  private final CommandIntake intake;
  private final DeferredReadBack readBack;
  private final PartitionRebalance rebalance;
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final KafkaClientMetrics consumerBinder;
  /** The consumer's metrics, a live view taken once: the consumer itself is for the poller thread only. */
  private final Map<MetricName, ? extends Metric> consumerMetrics;
  private final Thread poller;
  private volatile boolean running = true;
  private volatile boolean abrupt;

  private EgressWorker(EgressSettings settings, SchemaRegistryClient registry) {
    this.settings = settings;
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
    this.consumerMetrics = consumer.metrics();
    this.consumerBinder = new KafkaClientMetrics(consumer);
    consumerBinder.bindTo(settings.meterRegistry);
    this.writer = new ResultWriter(settings, registry);
    this.commits = new OffsetCommits(offsets -> consumer.commitSync(offsets, Duration.ofSeconds(10)));
    CommandsInFlight inFlight = new CommandsInFlight();
    EgressMetrics metrics = new EgressMetrics(settings.meterRegistry, settings.groupId, this::inFlight, deferred::size);
    this.intake = new CommandIntake(commands, executed, inFlight, lanes, deferred,
        new MspRequests(settings.msps.cmpId(), settings.attemptTimeout()), metrics, writer, commits, this::stop,
        () -> abrupt);
    this.readBack = new DeferredReadBack(deferred, lanes.values(), intake, commits, settings.maxDeferredCommands);
    this.rebalance = new PartitionRebalance(inFlight, commits, deferred, executed, settings.attemptTimeout(), () -> abrupt);
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
      writer.checkTopics();
      executed.catchUp();
      consumer.subscribe(List.of(settings.outboundTopic), rebalance);
      DeferredReadBack.Intake partitions = new DeferredReadBack.Intake() {
        @Override
        public void pauseAll() {
          consumer.pause(consumer.assignment());
        }

        @Override
        public void resumeAll() {
          consumer.resume(consumer.paused());
        }
      };
      long nextCommit = System.nanoTime();
      while (running && fatal.get() == null) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          commits.taken(tp, record.offset());
          intake.take(tp, record, false);
        }
        readBack.takeDeferred();
        readBack.bound(partitions);
        if (System.nanoTime() >= nextCommit) {
          commits.commit(commits.partitions());
          nextCommit = System.nanoTime() + settings.commitInterval.toNanos();
        }
      }
      if (!abrupt) {
        commits.commit(commits.partitions());
        // Read our own latest results into the store now, so the next start on this state directory has none
        // of them left to read.
        executed.catchUp();
      }
    } catch (WakeupException | InterruptException e) {
      // closing
    } catch (RuntimeException e) {
      fatal.compareAndSet(null, e);
      LOG.error("egress worker stopped", e);
    }
  }

  /** A result could not be written: the command must not count as done, so the worker stops; a restart re-runs it. */
  private void stop(Throwable error) {
    fatal.compareAndSet(null, error);
    LOG.error("could not write the result of a command; the worker stops", error);
  }

  /** Commands taken and not yet finished, over all partitions. */
  public int inFlight() {
    return commits.inFlight();
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
    return poller.isAlive() && fatal.get() == null && KafkaReadiness.connected(consumerMetrics) && writer.connected();
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
    writer.close(producerGrace);
    consumerBinder.close();
    executed.close();
    deferred.close();
    commands.close();
  }
}
