package org.aidcmp.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.lifecycle.replay.Replay;
import org.aidcmp.lifecycle.replay.StoreSnapshot;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * How long {@code aid replay} takes on this machine (a harness that prints figures, not a test): N users' inputs
 * (fleet registration, account id, terms, the MSP's token, the vehicle's AC request: 5 per user) decided once by the
 * topology, phase by phase; then {@link Replay#run} from the start of the inputs, timed, and the aggregates compared.
 * Beside it, in the same run on the same broker and the same input records: a plain KafkaConsumer reading them
 * (the raw consume rate) and a plain exactly-once Kafka Streams pass-through with the topology's settings.
 *
 * <p>Run: {@code mvn -q -pl lifecycle-streams -am test-compile -DskipTests && cd lifecycle-streams && mvn -q
 * exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.aidcmp.lifecycle.ReplayBenchmark
 * -Dexec.args="200000 6 0"} (users, partitions, replay window in ms, then optionally Streams settings for the replay
 * as {@code key=value}, a bare number being its commit interval in ms; 200,000 users are 1 million input records).
 */
public final class ReplayBenchmark {
  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    long windowMs = args.length > 2 ? Long.parseLong(args[2]) : 0;
    // Further arguments: Streams settings for the replay only, as key=value (a bare number is commit.interval.ms);
    // without them the replay's own (Replay.WINDOW_SETTINGS, where the measurements that chose them are).
    Map<String, Object> replayOverrides = new HashMap<>();
    for (int i = 3; i < args.length; i++) {
      String[] kv = args[i].contains("=") ? args[i].split("=", 2)
          : new String[] {StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, args[i]};
      replayOverrides.put(kv[0], kv[1]);
    }
    Path dir = Files.createTempDirectory(Path.of("target"), "aid-replay-benchmark-");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir.resolve("kafka")).port(0).build().start();
        SchemaRegistryServer registryServer = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build()
            .start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      String bootstrap = kafka.bootstrapServers();
      TopicSetup.ensureTopics(bootstrap, partitions, (short) 1);
      RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(registryServer.url());
      String app = "aid-lifecycle-replay-bench";
      String state = dir.resolve("state").toString();
      System.out.printf("replay harness: %d users (%d input records), %d partitions, exactly_once_v2, commit 20 ms%n",
          users, users * 5L, partitions);

      long first = System.nanoTime();
      try (LifecycleStreams service = LifecycleStreams.start(bootstrap, registry, LifecycleSettings.defaults(), app,
          state, "bench");
          Traffic traffic = new Traffic(bootstrap, registry, "r" + UUID.randomUUID().toString().substring(0, 6))) {
        phase(admin, app, users, traffic::onboardingStart, traffic);
        phase(admin, app, users, traffic::sendMspToken, traffic);
        phase(admin, app, users, traffic::requestActivationCode, traffic);
        Thread.sleep(3_000); // what the last inputs set off, through the internal topics
        if (service.streams().state() != KafkaStreams.State.RUNNING) {
          throw new IllegalStateException("topology state " + service.streams().state());
        }
      }
      System.out.printf("  first pass (inputs produced phase by phase while it ran): %.1f s%n", secs(first));

      List<TopicPartition> inputs = new ArrayList<>();
      for (AidTopic t : List.of(AidTopic.AID1_INBOUND, AidTopic.TOUCHPOINT_COMMANDS, AidTopic.AID1_RESULTS,
          AidTopic.AID2_UPLINK, AidTopic.REF_VEHICLES)) {
        for (int p = 0; p < partitions; p++) {
          inputs.add(new TopicPartition(t.topicName(), p));
        }
      }
      // Raw consume of the same records, twice (the first warms the JIT up), read_committed like Streams.
      for (int round = 1; round <= 2; round++) {
        long t0 = System.nanoTime();
        long n = consumeAll(bootstrap, inputs);
        double s = secs(t0);
        System.out.printf("  raw KafkaConsumer, round %d: %d records in %.2f s = %.0f records/s%n", round, n, s, n / s);
      }

      Replay.Options options = new Replay.Options(bootstrap, registry, LifecycleSettings.defaults(), app, state,
          "bench", replayOverrides, Duration.ofMillis(windowMs), Duration.ofHours(2), Duration.ofSeconds(3));
      long[] lastPrint = {0};
      Replay.Result result = Replay.run(options, p -> {
        if (System.nanoTime() - lastPrint[0] > 5e9) {
          lastPrint[0] = System.nanoTime();
          System.out.printf("    replay: %d of %d (%.0f s)%n", p.reprocessed(), p.total(), p.seconds());
        }
      });
      // The replay's seconds include the reset, the two store reads and the 3 s of quiet at the end.
      System.out.printf("  aid replay (window %d ms, settings %s): %d input records in %d windows, %.1f s"
          + " = %.0f records/s; state %s%n", windowMs, replayOverrides.isEmpty() ? "the replay's own" : replayOverrides,
          result.reprocessed(), result.windows(), result.seconds(),
          result.reprocessed() / result.seconds(), result.identical() ? "identical" : "DIFFERS");
      for (StoreSnapshot.Difference d : result.differences()) {
        System.out.printf("    %-10s before %d after %d %s%n", d.store(), d.before(), d.after(),
            d.identical() ? "identical" : d.onlyBefore().size() + " gone " + d.onlyAfter().size() + " new "
                + d.changed().size() + " changed " + d.sample() + " " + d.changedFields());
      }
      System.out.printf("    re-emitted: %s%n", result.reEmitted());

      double pass = passThrough(bootstrap, admin, registry, dir, inputs, partitions);
      long records = result.reprocessed();
      System.out.printf("  plain EOS Streams pass-through of the same inputs: %d records in %.1f s = %.0f records/s%n",
          records, pass, records / pass);
      System.out.printf("  1,000,000 input records: replay %.0f s%s, raw consume %.1f s, pass-through %.0f s%n",
          1e6 * result.seconds() / records, records >= 1_000_000 ? " (measured)" : " (extrapolated, linear)",
          1e6 / (records / lastRawSeconds), 1e6 * pass / records);
    }
  }

  private static double lastRawSeconds;

  private static long consumeAll(String bootstrap, List<TopicPartition> partitions) {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      long t0 = System.nanoTime();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      long n = 0;
      while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
        n += c.poll(Duration.ofMillis(100)).count();
      }
      lastRawSeconds = secs(t0);
      return n;
    }
  }

  /** The same inputs through a stateless EOS stage with the topology's Streams settings; seconds to the end. */
  private static double passThrough(String bootstrap, Admin admin, RestSchemaRegistryClient registry, Path dir,
      List<TopicPartition> inputs, int partitions) throws Exception {
    String out = "bench.replay.passthrough.out";
    TopicSetup.create(admin, List.of(new NewTopic(out, partitions, (short) 1)));
    Topology topology = new Topology();
    topology.addSource("in", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
        inputs.stream().map(TopicPartition::topic).distinct().toArray(String[]::new));
    topology.addSink("out", out, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), "in");
    String app = "bench-replay-passthrough";
    Properties props = LifecycleStreams.streamsConfig(bootstrap, app, dir.resolve("pass").toString(), registry);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    long t0 = System.nanoTime();
    try (KafkaStreams streams = new KafkaStreams(topology, props)) {
      streams.start();
      waitConsumed(admin, app, inputs);
      return secs(t0);
    }
  }

  private static void phase(Admin admin, String group, int users, IntConsumer input, Traffic traffic)
      throws Exception {
    for (int i = 0; i < users; i++) {
      input.accept(i);
    }
    traffic.flush();
    List<TopicPartition> all = new ArrayList<>();
    for (AidTopic t : List.of(AidTopic.AID1_INBOUND, AidTopic.TOUCHPOINT_COMMANDS, AidTopic.AID2_UPLINK,
        AidTopic.INTERNAL_USERS, AidTopic.INTERNAL_ROUTES, AidTopic.INTERNAL_VEHICLES)) {
      admin.describeTopics(List.of(t.topicName())).allTopicNames().get().get(t.topicName()).partitions()
          .forEach(p -> all.add(new TopicPartition(t.topicName(), p.partition())));
    }
    waitConsumed(admin, group, all);
  }

  /** Until the group's committed offsets reach the partitions' ends (a transaction marker short at most). */
  private static void waitConsumed(Admin admin, String group, List<TopicPartition> partitions) throws Exception {
    long deadline = System.nanoTime() + Duration.ofHours(2).toNanos();
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    partitions.forEach(tp -> ask.put(tp, OffsetSpec.latest()));
    while (System.nanoTime() < deadline) {
      Map<TopicPartition, Long> committed = new HashMap<>();
      admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
          .forEach((tp, o) -> committed.put(tp, o == null ? 0 : o.offset()));
      var ends = admin.listOffsets(ask).all().get();
      if (ends.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue().offset() - 1)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(group + " did not consume its inputs in time");
  }

  private static double secs(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
