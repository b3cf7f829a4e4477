package org.aidcmp.lifecycle;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** The lifecycle-streams service: wires configuration, registry and topology into a KafkaStreams, by hand. */
public final class LifecycleStreams implements AutoCloseable {
  private final KafkaStreams streams;
  /** Stores being restored now: the service is ready only when none is (and Streams is RUNNING). */
  private final java.util.concurrent.atomic.AtomicInteger restoring = new java.util.concurrent.atomic.AtomicInteger();

  private LifecycleStreams(KafkaStreams streams) {
    this.streams = streams;
  }

  /** From its settings record (what {@code aid up} and {@code aid run lifecycle-streams} both build). */
  public static LifecycleStreams start(LifecycleStreamsSettings s, SchemaRegistryClient registry) {
    return start(s.bootstrapServers(), registry, s.decisions(), s.applicationId(), s.stateDir(), s.instanceId(),
        s.streamsOverrides());
  }

  /** Ready for traffic: RUNNING, and no store still restoring from its changelog. */
  public boolean ready() {
    return streams.state() == KafkaStreams.State.RUNNING && restoring.get() == 0;
  }

  /**
   * Alive: not given up. Streams that ended in ERROR (a stream thread died, the client shut down) serve nothing
   * again in this process, so liveness fails and an orchestrator restarts it; restoring or rebalancing is only
   * not ready.
   */
  public boolean alive() {
    KafkaStreams.State state = streams.state();
    return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR;
  }

  /** The streams configuration of the service: exactly_once_v2, small commit interval (each hop costs one). */
  public static Properties streamsConfig(String bootstrapServers, String applicationId, String stateDir,
      SchemaRegistryClient registry) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 20);
    // The thread commits between polls: a poll that blocks 100 ms (the default) on an idle partition holds back
    // the commit, and with it every downstream hop, by up to that much.
    props.put(StreamsConfig.POLL_MS_CONFIG, 5);
    // No waiting for time order across a task's inputs (KIP-695): every order that matters is kept by design, not
    // by a timing guard (a Send MSP token that overtakes its sid's route waits for it in the routes stage; an AC
    // the user stage sent is not kept once the vehicle reported its ICCID; tests show both). Idling up to 50 ms
    // cost a stage that much whenever an input partition lagged, and its readiness checks were a quarter of the
    // stream thread's samples in a profile (docs/architecture.md, Latency).
    props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    // A transaction's first write to a partition can meet the previous commit still completing
    // (CONCURRENT_TRANSACTIONS); the producer retries after this back-off, 100 ms by default, which a stage then
    // waits. Later batches in flight to that partition are refused meanwhile ("Invalid sequence number ...
    // transactions v2", retriable, nothing lost).
    props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 10);
    props.put("processing.exception.handler.global.enabled", "true");
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // A read_committed fetch can wait its whole fetch.max.wait.ms (500 ms by default) for data a commit has
    // just made visible; a request crosses several hops, so each would add up to that much.
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
    deadLettersFor(props, registry);
    return props;
  }

  /** Undecodable input goes to the dead letters rather than stopping the application. */
  public static void deadLettersFor(Properties props, SchemaRegistryClient registry) {
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
    props.put(DeadLetterDeserializationHandler.REGISTRY_CLIENT, registry);
  }

  /** Per-MSP Send CSIM status configuration (§7.1.9) from the MSP registry. */
  public static LifecycleSettings settings(AidConfig config, MspRegistry msps) {
    Map<String, Set<CsimStatusValue>> byMsp = new HashMap<>();
    for (MspRegistry.Msp msp : msps.all()) {
      byMsp.put(msp.id(), msp.csimStatusesToForward().stream().map(CsimStatusValue::valueOf)
          .collect(java.util.stream.Collectors.toSet()));
    }
    Duration deadline = Duration.ofSeconds(config.getInt("lifecycle.activation-code-deadline-seconds", 900));
    return LifecycleSettings.defaults().withCsimStatuses(byMsp).withActivationCodeDeadline(deadline);
  }

  /**
   * @param instanceId a stable name for this instance (static group membership), or null: with it, an
   *     instance that restarts after a crash takes its partitions back at once instead of waiting for the
   *     group to time the dead member out
   */
  /** Configuration keys under this prefix are Kafka Streams settings, passed through as they are. */
  public static final String STREAMS_PREFIX = "lifecycle.streams.";

  public static LifecycleStreams start(String bootstrapServers, SchemaRegistryClient registry,
      LifecycleSettings settings, String applicationId, String stateDir, String instanceId) {
    return start(bootstrapServers, registry, settings, applicationId, stateDir, instanceId, Map.of());
  }

  /**
   * @param streamsOverrides Kafka Streams settings that replace ours (configuration keys
   *     {@code lifecycle.streams.<setting>}, e.g. {@code lifecycle.streams.num.stream.threads}): how a deployment
   *     sizes threads, and the throughput harness tries settings
   */
  public static LifecycleStreams start(String bootstrapServers, SchemaRegistryClient registry,
      LifecycleSettings settings, String applicationId, String stateDir, String instanceId,
      Map<String, ?> streamsOverrides) {
    return start(bootstrapServers, registry, settings, applicationId, stateDir, instanceId, streamsOverrides, null,
        java.util.function.LongUnaryOperator.identity());
  }

  /**
   * As a replay runs it ({@code replay/Replay}): Kafka Streams' clients from {@code clients} (null: its own), and
   * the AC deadlines' wall-clock scan through {@code deadlineClock}.
   */
  public static LifecycleStreams start(String bootstrapServers, SchemaRegistryClient registry,
      LifecycleSettings settings, String applicationId, String stateDir, String instanceId,
      Map<String, ?> streamsOverrides, org.apache.kafka.streams.KafkaClientSupplier clients,
      java.util.function.LongUnaryOperator deadlineClock) {
    Properties props = streamsConfig(bootstrapServers, applicationId, stateDir, registry);
    props.putAll(streamsOverrides);
    if (instanceId != null) {
      props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
    }
    org.apache.kafka.streams.Topology topology =
        LifecycleTopology.build(registry, settings, Duration.ofSeconds(1), deadlineClock);
    KafkaStreams streams = clients == null ? new KafkaStreams(topology, props)
        : new KafkaStreams(topology, props, clients);
    LifecycleStreams service = new LifecycleStreams(streams);
    streams.setGlobalStateRestoreListener(new org.apache.kafka.streams.processor.StateRestoreListener() {
      @Override
      public void onRestoreStart(org.apache.kafka.common.TopicPartition partition, String store, long from, long to) {
        service.restoring.incrementAndGet();
      }

      @Override
      public void onBatchRestored(org.apache.kafka.common.TopicPartition partition, String store, long end, long n) {}

      @Override
      public void onRestoreEnd(org.apache.kafka.common.TopicPartition partition, String store, long total) {
        service.restoring.decrementAndGet();
      }

      @Override
      public void onRestoreSuspended(org.apache.kafka.common.TopicPartition partition, String store, long total) {
        service.restoring.decrementAndGet();
      }
    });
    streams.start();
    return service;
  }

  public KafkaStreams streams() {
    return streams;
  }

  /**
   * A clean stop leaves the group, static membership or not: a stopped instance must not stay a member until its
   * session times out (aid replay refuses while the application has members). A crash still leaves the static
   * member in place, so the restarted instance takes its partitions back at once.
   */
  @Override
  public void close() {
    streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
        org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30)));
  }

  public static void main(String[] args) throws InterruptedException {
    AidConfig config = AidConfig.load(args.length > 0 ? java.nio.file.Path.of(args[0]) : AidConfig.DEFAULT_FILE,
        System.getenv());
    LifecycleStreamsSettings settings = LifecycleStreamsSettings.from(config);
    SchemaRegistryClient registry = RestSchemaRegistryClient.of(settings.registryUrl());
    LifecycleStreams service = start(settings, registry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      stopped.countDown();
    }));
    stopped.await();
  }
}
