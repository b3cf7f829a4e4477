package org.aidcmp.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How many records per second the topology decides on this machine, measured on the embedded broker with
 * exactly_once_v2 (not a test: a harness that prints figures). Three phases over N users with one vehicle
 * each: onboarding start (vehicle registration, account id, terms: 3 inputs per user, one stage each), Send
 * MSP token (1 input, 3 stages: user, token claim, user) and the vehicles' AC requests (1 input, 2 stages:
 * vehicle, user). A phase ends when a read_committed consumer has seen its last event. Last, the raw figure:
 * a plain exactly-once pass-through with one RocksDB get+put per record, same JVM, broker and settings; the
 * summary gives each phase's stream-thread CPU and time per input as a ratio to it (the aim: within 1.5x).
 *
 * <p>Run (from the repository root, as {@link ProvisioningPathBenchmark} says): {@code java -cp ...
 * org.aidcmp.lifecycle.LifecycleThroughputBenchmark 20000 6} (users, partitions). Kafka Streams settings can
 * be tried with {@code -Dstreams.<setting>=...} (e.g. {@code -Dstreams.producer.compression.type=none}). After each phase it prints Kafka Streams' own thread
 * metrics: the shares of time spent processing, polling, committing and punctuating.
 */
public final class LifecycleThroughputBenchmark {
  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    Path dir = Files.createTempDirectory("aid-benchmark-");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir.resolve("kafka")).port(0).build().start();
        SchemaRegistryServer registryServer = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start()) {
      TopicSetup.ensureTopics(kafka.bootstrapServers(), partitions, (short) 1);
      RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(registryServer.url());
      String prefix = "b" + UUID.randomUUID().toString().substring(0, 6);
      try (LifecycleStreams service = LifecycleStreams.start(kafka.bootstrapServers(), registry,
              LifecycleSettings.defaults(), "aid-lifecycle-benchmark", dir.resolve("state").toString(), "bench",
              streamsOverrides());
          Traffic traffic = new Traffic(kafka.bootstrapServers(), registry, prefix);
          EventCounter events = new EventCounter(kafka.bootstrapServers(), registry)) {
        System.out.printf("lifecycle-streams throughput: %d users, %d partitions, exactly_once_v2, commit 20 ms%n",
            users, partitions);
        threadMetrics = service.streams()::metrics;
        figures.add(phase("onboarding start (3 inputs/user)", users, 3, 1, traffic::onboardingStart, traffic::flush,
            () -> events.count("AccountIdIssued") >= users && events.count("AidTermsAccepted") >= users));
        figures.add(phase("Send MSP token (1 input/user)", users, 1, 3, traffic::sendMspToken, traffic::flush,
            () -> events.count("FederationEstablished") >= users));
        figures.add(phase("vehicle requests an AC (1 input/user)", users, 1, 2, traffic::requestActivationCode,
            traffic::flush, () -> events.count("ActivationCodeRequested") >= users));
      }
      Figures raw = passThrough(kafka.bootstrapServers(), registry, dir, users, partitions);
      System.out.println("ratio to the raw pass-through (stream-thread CPU per input; wall time per input):");
      for (Figures f : figures) {
        System.out.printf(java.util.Locale.ROOT,
            "  %-40s CPU %.2fx (per stage %.2fx), time %.2fx%n", f.name(), f.cpuMicrosPerInput() / raw.cpuMicrosPerInput(),
            f.cpuMicrosPerInput() / f.stages() / raw.cpuMicrosPerInput(), raw.inputsPerSecond() / f.inputsPerSecond());
      }
    }
  }

  private static final List<Figures> figures = new java.util.ArrayList<>();

  /** One phase's figures: inputs per second, stream-thread CPU per input, stages each input crosses. */
  record Figures(String name, double inputsPerSecond, double cpuMicrosPerInput, int stages) {}

  /**
   * The raw figure in the same run: a plain exactly-once Streams stage, one RocksDB get and put per record, same
   * JVM, same broker, same Streams settings (commit interval included), the same number of inputs.
   */
  private static Figures passThrough(String bootstrap, RestSchemaRegistryClient registry, Path dir, int inputs,
      int partitions) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", bootstrap))) {
      TopicSetup.create(admin, List.of(new org.apache.kafka.clients.admin.NewTopic(PassThroughStage.IN, partitions, (short) 1),
          new org.apache.kafka.clients.admin.NewTopic(PassThroughStage.OUT, partitions, (short) 1)));
    }
    String value = "x".repeat(300); // about the size of an uplink envelope
    try (PassThroughStage stage = new PassThroughStage(bootstrap, registry, dir.resolve("passthrough"),
            streamsOverrides());
        org.apache.kafka.clients.producer.KafkaProducer<String, String> producer =
            new org.apache.kafka.clients.producer.KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "linger.ms", 5, "compression.type", "lz4"), new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer());
        KafkaConsumer<String, String> out = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG, "benchmark-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new StringDeserializer(), new StringDeserializer())) {
      out.subscribe(List.of(PassThroughStage.OUT));
      threadMetrics = stage.streams()::metrics;
      long[] seen = {0};
      return phase("raw: plain EOS pass-through, 1 get+put", inputs, 1, 1,
          i -> producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(PassThroughStage.IN, "k" + i, value)),
          producer::flush, () -> (seen[0] += out.poll(Duration.ofMillis(100)).count()) >= inputs);
    }
  }

  /** Kafka Streams settings to try, as system properties {@code -Dstreams.<setting>=<value>}. */
  static Map<String, String> streamsOverrides() {
    Map<String, String> overrides = new java.util.TreeMap<>();
    System.getProperties().forEach((key, value) -> {
      if (key.toString().startsWith("streams.")) {
        overrides.put(key.toString().substring("streams.".length()), value.toString());
      }
    });
    if (!overrides.isEmpty()) {
      System.out.println("Kafka Streams settings replaced: " + overrides);
    }
    return overrides;
  }

  private static Figures phase(String name, int users, int inputsPerUser, int stages, IntConsumer send, Runnable flush,
      java.util.function.BooleanSupplier done) throws InterruptedException {
    long begin = System.nanoTime();
    long[] cpuBefore = cpuNanos();
    for (int i = 0; i < users; i++) {
      send.accept(i);
    }
    flush.run();
    long produced = System.nanoTime();
    long deadline = begin + Duration.ofMinutes(3).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + ": not done within 3 minutes; events so far: " + counted.get());
      }
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    System.out.printf("  %-40s %8d inputs in %6.2f s (produced in %5.2f s): %8.0f inputs/s%n", name,
        users * inputsPerUser, seconds, (produced - begin) / 1e9, users * inputsPerUser / seconds);
    long[] cpuAfter = cpuNanos();
    int inputs = users * inputsPerUser;
    System.out.printf("    CPU per input: stream threads %.0f us, whole process (broker, registry, load) %.0f us%n",
        (cpuAfter[0] - cpuBefore[0]) / 1e3 / inputs, (cpuAfter[1] - cpuBefore[1]) / 1e3 / inputs);
    System.out.println("    stream thread: " + whereTheThreadSpendsItsTime());
    return new Figures(name, inputs / seconds, (cpuAfter[0] - cpuBefore[0]) / 1e3 / inputs, stages);
  }

  /**
   * CPU time so far of the Kafka Streams threads, and of the whole process: on 2 cores the broker shares the
   * machine, so inputs per second say little about the topology alone; its CPU per input does.
   */
  static long streamThreadCpuNanos() {
    return cpuNanos()[0];
  }

  private static long[] cpuNanos() {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long streams = 0;
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().contains("StreamThread") && !info.getThreadName().contains("producer")) {
        streams += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    long process = ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    return new long[] {streams, process};
  }

  private static java.util.function.Supplier<Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>>
      threadMetrics = Map::of;

  /**
   * Kafka Streams' own thread metrics: the share of the last window spent processing, polling, committing and
   * punctuating (the rest is waiting), and what a commit and a poll take on average.
   */
  private static String whereTheThreadSpendsItsTime() {
    Map<String, Double> values = new java.util.TreeMap<>();
    threadMetrics.get().forEach((name, metric) -> {
      if (name.group().equals("stream-thread-metrics") && List.of("process-ratio", "poll-ratio", "commit-ratio",
          "punctuate-ratio", "commit-latency-avg", "poll-latency-avg", "process-records-avg", "commit-rate")
          .contains(name.name()) && metric.metricValue() instanceof Double d) {
        values.merge(name.name(), d, Double::sum);
      }
    });
    StringBuilder out = new StringBuilder();
    values.forEach((name, value) -> out.append(name).append(' ').append(String.format("%.3f", value)).append("  "));
    return out.toString();
  }

  private static java.util.function.Supplier<Map<String, Long>> counted = Map::of;

  /** Counts lifecycle events by type, as a read_committed consumer sees them. */
  private static final class EventCounter implements AutoCloseable {
    private final KafkaConsumer<String, LifecycleEvent> consumer;
    private final Map<String, Long> counts = new HashMap<>();

    EventCounter(String bootstrap, RestSchemaRegistryClient registry) {
      consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          ConsumerConfig.GROUP_ID_CONFIG, "benchmark-" + UUID.randomUUID(),
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
          ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
          new StringDeserializer(), new AvroDeserializer<>(registry, LifecycleEvent.class));
      consumer.subscribe(List.of(AidTopic.LIFECYCLE_EVENTS.topicName()));
      counted = () -> Map.copyOf(counts);
    }

    long count(String type) {
      consumer.poll(Duration.ofMillis(100))
          .forEach(r -> counts.merge(r.value().getPayload().getClass().getSimpleName(), 1L, Long::sum));
      return counts.getOrDefault(type, 0L);
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
