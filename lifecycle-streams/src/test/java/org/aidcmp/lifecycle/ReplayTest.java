package org.aidcmp.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.aidcmp.lifecycle.replay.Replay;
import org.aidcmp.lifecycle.replay.StoreSnapshot;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.aidcmp.infra.testing.TestBackbone;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code aid replay} from the start of the inputs ({@link Replay#run}) on the real broker: users onboarded, federated
 * and provisioned phase by phase while the topology runs (an MSP answering every Request activation code on the
 * results topic, as egress writes it), the topology stopped, then replayed. Every User and Vehicle aggregate and
 * every route comes out equal to what it was, field by field (the decisions counter included: the ids the replay
 * mints are those of the first time), and the commands written again carry the ids they had.
 */
class ReplayTest {
  private static final int USERS = 12;
  static final int PARTITIONS = 3;
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static TestBackbone backbone;

  /**
   * A broker of its own: a replay reprocesses every input on the broker, and the module's shared broker holds the
   * other test classes' inputs (and their topologies' records on the shared internal topics).
   */
  @BeforeAll
  static void broker() throws Exception {
    backbone = TestBackbone.start("aid-lifecycle-replay");
    TopicSetup.ensureTopics(backbone.kafka().bootstrapServers(), PARTITIONS, (short) 1);
  }

  @AfterAll
  static void stop() {
    if (backbone != null) {
      backbone.close();
    }
  }

  @Test
  void replayFromTheStartRebuildsEqualAggregatesAndTheSameCommandIds() throws Exception {
    String bootstrap = backbone.kafka().bootstrapServers();
    RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(backbone.registry().url());
    Path work = Files.createTempDirectory(backbone.dir(), "replay-");
    String app = "aid-lifecycle-replay-" + UUID.randomUUID().toString().substring(0, 8);
    String state = work.resolve("state").toString();
    String runId = "rp" + UUID.randomUUID().toString().substring(0, 6);

    Map<TopicPartition, Long> outboundBefore;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      outboundBefore = ends(admin, AidTopic.AID1_OUTBOUND, AidTopic.AID2_DOWNLINK);
      // Each phase decided before the next is written: inputs as people and machines send them, seconds apart.
      try (LifecycleStreams service = LifecycleStreams.start(bootstrap, registry, LifecycleSettings.defaults(), app,
          state, null);
          Traffic traffic = new Traffic(bootstrap, registry, runId);
          ProvisioningPathBenchmark.MspStub msp = new ProvisioningPathBenchmark.MspStub(bootstrap, registry)) {
        phase(admin, app, traffic, traffic::onboardingStart);
        phase(admin, app, traffic, traffic::sendMspToken);
        phase(admin, app, traffic, traffic::requestActivationCode);
        until("the MSP answered every AC request", () -> msp.answered() >= USERS);
        // The results, and the ACs the user stage writes to the downlink for them.
        until("the results decided", () -> consumed(admin, app, all(admin, AidTopic.AID1_RESULTS,
            AidTopic.INTERNAL_USERS, AidTopic.INTERNAL_VEHICLES, AidTopic.INTERNAL_ROUTES)));
        assertThat(service.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
      }
    }
    List<Written> firstTime = written(bootstrap, registry, outboundBefore);
    assertThat(firstTime).as("commands and downlink messages of the first time").hasSizeGreaterThanOrEqualTo(2 * USERS);

    Replay.Options options = new Replay.Options(bootstrap, registry, LifecycleSettings.defaults(), app, state,
        null, Map.of(), Duration.ZERO, Duration.ofMinutes(5), Duration.ofSeconds(3));
    Map<TopicPartition, Long> replayFrom;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      replayFrom = ends(admin, AidTopic.AID1_OUTBOUND, AidTopic.AID2_DOWNLINK);
    }
    Map<String, StoreSnapshot> before = Replay.snapshots(options);
    Replay.Result result = Replay.run(options, p -> {});
    Map<String, StoreSnapshot> after = Replay.snapshots(options);

    for (StoreSnapshot.Difference d : result.differences()) {
      assertThat(d.identical()).as("%s: %s", d.store(), describe(before.get(d.store()), after.get(d.store()), d))
          .isTrue();
      assertThat(d.before()).as(d.store()).isPositive();
    }
    assertThat(result.identical()).isTrue();

    // What the replay wrote again: the same commands with the same ids, nothing new.
    List<Written> again = written(bootstrap, registry, replayFrom);
    assertThat(again).as("the replay wrote the commands and downlink messages again").isNotEmpty();
    // The downlink skips a command whose CommandId and record timestamp it published; egress one whose id it ran.
    assertThat(again).as("ids and timestamps of the first time").containsExactlyInAnyOrderElementsOf(firstTime);
    for (AidTopic t : List.of(AidTopic.AID1_OUTBOUND, AidTopic.AID2_DOWNLINK)) {
      assertThat(result.reEmitted().get(t.topicName())).as("records the replay says it wrote to " + t.topicName())
          .isEqualTo(again.stream().filter(w -> w.topic().equals(t.topicName())).count());
    }
  }

  /** A command or downlink message as written: its topic, its id, its record timestamp. */
  record Written(String topic, String id, long timestamp) {}

  private static List<Written> written(String bootstrap, RestSchemaRegistryClient registry,
      Map<TopicPartition, Long> from) {
    List<Written> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        AvroDeserializer<SpecificRecord> outbound = new AvroDeserializer<>(registry,
            (Class<SpecificRecord>) (Class<?>) AidTopic.AID1_OUTBOUND.valueType());
        AvroDeserializer<SpecificRecord> downlink = new AvroDeserializer<>(registry,
            (Class<SpecificRecord>) (Class<?>) AidTopic.AID2_DOWNLINK.valueType())) {
      List<TopicPartition> partitions = new ArrayList<>(from.keySet());
      partitions.sort(java.util.Comparator.comparing(TopicPartition::toString));
      consumer.assign(partitions);
      from.forEach(consumer::seek);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read the outputs to their end");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          AvroDeserializer<SpecificRecord> d =
              r.topic().equals(AidTopic.AID1_OUTBOUND.topicName()) ? outbound : downlink;
          EnvelopeHeader header = (EnvelopeHeader) d.deserialize(r.topic(), r.value()).get(0);
          out.add(new Written(r.topic(), header.getMessageId(), r.timestamp()));
        }
      }
    }
    return out;
  }

  static void until(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  /** Each differing key with the fields that differ and their two values (test data: no real secrets). */
  private static String describe(StoreSnapshot before, StoreSnapshot after, StoreSnapshot.Difference d) {
    StringBuilder s = new StringBuilder(d.sample());
    for (String key : d.changed()) {
      SpecificRecord a = before.entries().get(key);
      SpecificRecord b = after.entries().get(key);
      for (org.apache.avro.Schema.Field f : a.getSchema().getFields()) {
        if (!Objects.equals(a.get(f.pos()), b.get(f.pos()))) {
          s.append("\n  ").append(key).append(' ').append(f.name()).append(":\n    before ").append(a.get(f.pos()))
              .append("\n    after  ").append(b.get(f.pos()));
        }
      }
    }
    return s.toString();
  }

  private static void phase(Admin admin, String app, Traffic traffic, java.util.function.IntConsumer input)
      throws Exception {
    phase(admin, app, traffic, input, USERS);
  }

  /** Each user's input of one kind, then until the topology has decided them and what they set off. */
  static void phase(Admin admin, String app, Traffic traffic, java.util.function.IntConsumer input, int users)
      throws Exception {
    for (int i = 0; i < users; i++) {
      input.accept(i);
    }
    traffic.flush();
    List<TopicPartition> partitions = all(admin, AidTopic.AID1_INBOUND, AidTopic.TOUCHPOINT_COMMANDS,
        AidTopic.AID2_UPLINK, AidTopic.INTERNAL_USERS, AidTopic.INTERNAL_ROUTES, AidTopic.INTERNAL_VEHICLES);
    until("the phase decided", () -> consumed(admin, app, partitions));
  }

  private static List<TopicPartition> all(Admin admin, AidTopic... topics) {
    List<TopicPartition> out = new ArrayList<>();
    for (AidTopic t : topics) {
      for (int p = 0; p < PARTITIONS; p++) {
        out.add(new TopicPartition(t.topicName(), p));
      }
    }
    return out;
  }

  private static Map<TopicPartition, Long> ends(Admin admin, AidTopic... topics) throws Exception {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    all(admin, topics).forEach(tp -> ask.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(ask).all().get().forEach((tp, i) -> out.put(tp, i.offset()));
    return out;
  }

  /** The group's committed offsets at the partitions' ends. */
  private static boolean consumed(Admin admin, String group, List<TopicPartition> partitions) {
    try {
      Map<TopicPartition, Long> committed = new HashMap<>();
      admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
          .forEach((tp, o) -> committed.put(tp, o == null ? 0 : o.offset()));
      Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
      partitions.forEach(tp -> ask.put(tp, OffsetSpec.latest()));
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(ask).all().get().forEach((tp, i) -> end.put(tp, i.offset()));
      // The topology writes its internal topics in transactions, whose last marker no consumer commits past; the
      // test's inputs are written without.
      return end.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L)
          >= e.getValue() - (e.getKey().topic().startsWith("aid.internal.") ? 1 : 0));
    } catch (Exception e) {
      return false;
    }
  }
}
