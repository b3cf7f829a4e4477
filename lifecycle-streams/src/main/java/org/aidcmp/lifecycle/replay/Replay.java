package org.aidcmp.lifecycle.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.LifecycleStreams;
import org.aidcmp.lifecycle.LifecycleTopology;
import org.aidcmp.lifecycle.route.RoutesProcessor;
import org.aidcmp.lifecycle.user.UserProcessor;
import org.aidcmp.lifecycle.vehicle.VehicleProcessor;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.state.Route;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.state.VehicleState;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;

/**
 * {@code aid replay}: lifecycle-streams again from the start of its inputs, into fresh state, under the same
 * application id (so the platform simply goes on from the rebuilt state when it starts next). The reset is what
 * Kafka's StreamsResetter does, through Admin: refused while the application's group has a member; the changelog
 * and repartition topics deleted; the group's offsets set to the earliest offset of every input and to the end of
 * the topology's own catalogued topics (aid.internal.*: derived, the replay writes them again, and what they hold
 * was already decided); the local state directory wiped. Then the topology runs here until every input is
 * reprocessed and nothing moves any more, and the aggregate stores are compared, by content, with what they held
 * before (read from their changelogs before the reset).
 *
 * <p>What the replay writes again to the output topics carries the same ids as the first time (ids are derived
 * from the input), so its consumers recognise it as done: egress by its executed log, the downlink by its own, the
 * projections by the facts already applied (docs/architecture.md, Replay).
 */
public final class Replay {
  /** The stores compared before and after: the aggregates and the routing index. */
  static final Map<String, Class<? extends org.apache.avro.specific.SpecificRecord>> COMPARED = new LinkedHashMap<>();

  static {
    COMPARED.put(UserProcessor.STORE, UserState.class);
    COMPARED.put(VehicleProcessor.STORE, VehicleState.class);
    COMPARED.put(RoutesProcessor.STORE, Route.class);
  }

  /**
   * @param taskIdle Kafka Streams' max.task.idle.ms for the replay run: the platform runs without idling (its
   *     inputs arrive in the order people and machines cause them); a replay reads everything at once, so each
   *     task waits this long for an empty input (an internal topic another stage is still writing) before it
   *     goes on, which keeps each task's records in timestamp order across its inputs
   */
  public record Options(String bootstrapServers, SchemaRegistryClient registry, LifecycleSettings settings,
      String applicationId, String stateDir, String instanceId, Map<String, ?> streamsOverrides, Duration taskIdle,
      Duration limit, Duration quiet) {}

  /** Where a replay stands: input records reprocessed of the total, and the input lag left. */
  public record Progress(long reprocessed, long total, double seconds) {
    public long lag() {
      return Math.max(0, total - reprocessed);
    }
  }

  /** What a replay did. */
  public record Result(ReplayPlan plan, long reprocessed, double seconds, Map<String, Long> reEmitted,
      List<StoreSnapshot.Difference> differences) {
    public boolean identical() {
      return differences.stream().allMatch(StoreSnapshot.Difference::identical);
    }
  }

  /** Refused: the application runs. */
  public static final class ApplicationRunning extends IllegalStateException {
    ApplicationRunning(String message) {
      super(message);
    }
  }

  private Replay() {}

  public static TopologyDescription topology(Options o) {
    return LifecycleTopology.build(o.registry(), o.settings(), Duration.ofSeconds(1)).describe();
  }

  /** What would be reset (the dry run); changes nothing. */
  public static ReplayPlan plan(Options o) {
    try (Admin admin = admin(o)) {
      return ReplayPlan.of(admin, topology(o), o.applicationId(), o.stateDir());
    }
  }

  public static Result run(Options o, Consumer<Progress> progress) {
    long begin = System.nanoTime();
    TopologyDescription topology = topology(o);
    try (Admin admin = admin(o)) {
      ReplayPlan plan = ReplayPlan.of(admin, topology, o.applicationId(), o.stateDir());
      refuseIfRunning(plan);
      Map<String, StoreSnapshot> before = snapshots(o);
      List<TopicPartition> outputs = outputPartitions(admin, topology, plan);
      Map<TopicPartition, Long> outputsBefore = ReplayPlan.offsets(admin, outputs, OffsetSpec.latest());

      reset(admin, plan);
      refuseIfRunning(ReplayPlan.of(admin, topology, o.applicationId(), o.stateDir())); // started meanwhile?
      long reprocessed = process(o, admin, plan, outputs, begin, progress);

      Map<TopicPartition, Long> outputsAfter = ReplayPlan.offsets(admin, outputs, OffsetSpec.latest());
      Map<String, Long> reEmitted = new LinkedHashMap<>();
      outputsAfter.forEach((tp, end) -> reEmitted.merge(tp.topic(), end - outputsBefore.getOrDefault(tp, 0L), Long::sum));
      List<StoreSnapshot.Difference> differences = new ArrayList<>();
      Map<String, StoreSnapshot> after = snapshots(o);
      before.forEach((store, snapshot) -> differences.add(snapshot.compareTo(after.get(store))));
      return new Result(plan, reprocessed, seconds(begin), reEmitted, differences);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("replay interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("replay: the broker did not answer: " + e.getMessage(), e);
    }
  }

  private static void refuseIfRunning(ReplayPlan plan) {
    if (plan.groupMembers() > 0) {
      throw new ApplicationRunning("lifecycle-streams (application " + plan.applicationId() + ") is running with "
          + plan.groupMembers() + " member(s): stop it first (aid up, or every LifecycleStreams instance)");
    }
  }

  public static Map<String, StoreSnapshot> snapshots(Options o) {
    Map<String, StoreSnapshot> out = new LinkedHashMap<>();
    COMPARED.forEach((store, type) -> out.put(store,
        StoreSnapshot.read(o.bootstrapServers(), o.registry(), o.applicationId(), store, type, o.limit())));
    return out;
  }

  /** StreamsResetter's steps, through Admin. */
  private static void reset(Admin admin, ReplayPlan plan)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (!plan.streamsTopics().isEmpty()) {
      admin.deleteTopics(plan.streamsTopics()).all().get(60, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().anyMatch(plan.streamsTopics()::contains)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the broker did not delete " + plan.streamsTopics() + " within 60 s");
        }
        Thread.sleep(200);
      }
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    plan.inputStart().forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
    plan.ownTopicsEnd().forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
    admin.alterConsumerGroupOffsets(plan.applicationId(), offsets).all().get(60, TimeUnit.SECONDS);
    deleteRecursively(Path.of(plan.stateDirectory()));
  }

  /** Runs the topology until the inputs are reprocessed and nothing moves for {@code quiet}; returns the count. */
  private static long process(Options o, Admin admin, ReplayPlan plan, List<TopicPartition> outputs, long begin,
      Consumer<Progress> progress) throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, Object> overrides = new HashMap<>(o.streamsOverrides());
    overrides.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, o.taskIdle().toMillis());
    // No wall-clock waits in the topology that a replay's reading everything at once could outrun: Send MSP token
    // is keyed by the user its account id names (no route to wait for), so the settings stay as they are.
    LifecycleSettings settings = o.settings();
    List<TopicPartition> watched = new ArrayList<>(plan.inputEnd().keySet());
    watched.addAll(plan.ownTopicsEnd().keySet());
    watched.addAll(outputs);
    long deadline = System.nanoTime() + o.limit().toNanos();
    try (LifecycleStreams streams = LifecycleStreams.start(o.bootstrapServers(), o.registry(), settings,
        o.applicationId(), o.stateDir(), o.instanceId(), overrides)) {
      Map<TopicPartition, Long> lastSeen = null;
      long stillSince = System.nanoTime();
      while (true) {
        KafkaStreams.State state = streams.streams().state();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
          throw new IllegalStateException("lifecycle-streams failed during the replay (state " + state + ")");
        }
        Map<TopicPartition, Long> committed = committed(admin, plan.applicationId());
        long done = 0;
        boolean inputsDone = true;
        for (var e : plan.inputEnd().entrySet()) {
          long start = plan.inputStart().getOrDefault(e.getKey(), 0L);
          long at = Math.min(committed.getOrDefault(e.getKey(), start), e.getValue());
          done += at - start;
          // A transactional producer's last commit marker is never consumed as a record: one short is done.
          inputsDone &= at >= e.getValue() - 1;
        }
        progress.accept(new Progress(done, plan.inputRecords(), seconds(begin)));
        Map<TopicPartition, Long> now = new HashMap<>(ReplayPlan.offsets(admin, watched, OffsetSpec.latest()));
        committed.forEach((tp, off) -> now.put(new TopicPartition("committed:" + tp.topic(), tp.partition()), off));
        if (!now.equals(lastSeen)) {
          lastSeen = now;
          stillSince = System.nanoTime();
        } else if (inputsDone && state == KafkaStreams.State.RUNNING
            && System.nanoTime() - stillSince >= o.quiet().toNanos()) {
          return done;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("replay not finished within " + o.limit() + ": " + done + " of "
              + plan.inputRecords() + " input records reprocessed");
        }
        Thread.sleep(250);
      }
    }
  }

  private static Map<TopicPartition, Long> committed(Admin admin, String group)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
        .forEach((tp, o) -> {
          if (o != null) {
            out.put(tp, o.offset());
          }
        });
    return out;
  }

  /** Every partition of the topics the topology writes that it does not also read: what a replay re-emits to. */
  private static List<TopicPartition> outputPartitions(Admin admin, TopologyDescription topology, ReplayPlan plan)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> sinks = new TreeSet<>();
    for (TopologyDescription.Subtopology s : topology.subtopologies()) {
      for (TopologyDescription.Node node : s.nodes()) {
        if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
          sinks.add(sink.topic());
        }
      }
    }
    sinks.removeAll(plan.ownTopics());
    List<TopicPartition> out = new ArrayList<>();
    admin.describeTopics(sinks).allTopicNames().get(30, TimeUnit.SECONDS).forEach((t, d) ->
        d.partitions().forEach(p -> out.add(new TopicPartition(t, p.partition()))));
    return out;
  }

  private static Admin admin(Options o) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers()));
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("could not wipe the state directory " + dir, e);
    }
  }
}
