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
   * The replay's own Streams settings, unless the options give others. A window lasts as long as its longest chain
   * through the internal topics, one commit and one fetch per hop, then two idle polls: shorter waits than the
   * service's (commit 20 ms, poll 5 ms, fetch wait 10 ms) shorten every window. Measured with {@code
   * ReplayBenchmark} at 4,000 users on a quiet machine, ms per window: the service's 69; commit 2 / 5 / 10 ms with
   * poll 1 ms and fetch wait 2 ms 51 / 44 / 51; a commit after every poll 107.
   */
  static final Map<String, Object> WINDOW_SETTINGS = Map.of(
      StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 5,
      StreamsConfig.POLL_MS_CONFIG, 1,
      StreamsConfig.consumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 2);

  /**
   * @param window how much input time one window holds beyond its earliest record: 0 (the default) takes one
   *     millisecond of input time at a time, which gives every input's chain through the internal topics the time
   *     it had when the platform met it, as long as two inputs one caused by the other (an MSP's result and its
   *     command's cause) are at least a millisecond apart; a wider window is faster, and may reorder inputs of
   *     one user or vehicle that are closer than it
   */
  public record Options(String bootstrapServers, SchemaRegistryClient registry, LifecycleSettings settings,
      String applicationId, String stateDir, String instanceId, Map<String, ?> streamsOverrides, Duration window,
      Duration limit, Duration quiet) {}

  /** Where a replay stands: input records reprocessed of the total, and the input lag left. */
  public record Progress(long reprocessed, long total, double seconds) {
    public long lag() {
      return Math.max(0, total - reprocessed);
    }
  }

  /** What a replay did. */
  public record Result(ReplayPlan plan, long reprocessed, long windows, double seconds, Map<String, Long> reEmitted,
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
      long[] windows = {0};
      long lastDecided = before.values().stream().mapToLong(StoreSnapshot::latestWrite).max().orElse(Long.MIN_VALUE);
      long reprocessed = process(o, admin, plan, outputs, begin, lastDecided, progress, windows);

      Map<TopicPartition, Long> outputsAfter = ReplayPlan.offsets(admin, outputs, OffsetSpec.latest());
      Map<String, Long> reEmitted = recordsBetween(o, outputsBefore, outputsAfter);
      List<StoreSnapshot.Difference> differences = new ArrayList<>();
      Map<String, StoreSnapshot> after = snapshots(o);
      before.forEach((store, snapshot) -> differences.add(snapshot.compareTo(after.get(store))));
      return new Result(plan, reprocessed, windows[0], seconds(begin), reEmitted, differences);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("replay interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("replay: the broker did not answer: " + e.getMessage(), e);
    }
  }

  /**
   * Records written per topic between two sets of offsets, read read_committed: offsets alone would count each
   * transaction's commit marker too (a replay commits a transaction per window).
   */
  private static Map<String, Long> recordsBetween(Options o, Map<TopicPartition, Long> from,
      Map<TopicPartition, Long> to) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    List<TopicPartition> partitions = new ArrayList<>();
    to.forEach((tp, end) -> {
      counts.putIfAbsent(tp.topic(), 0L);
      if (end > from.getOrDefault(tp, 0L)) {
        partitions.add(tp);
      }
    });
    if (partitions.isEmpty()) {
      return counts;
    }
    try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of(
            org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers(),
            org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.assign(partitions);
      partitions.forEach(tp -> consumer.seek(tp, from.getOrDefault(tp, 0L)));
      long deadline = System.nanoTime() + o.limit().toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < to.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not count what the replay wrote within " + o.limit());
        }
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < to.get(new TopicPartition(r.topic(), r.partition()))) {
            counts.merge(r.topic(), 1L, Long::sum);
          }
        }
      }
    }
    return counts;
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

  /**
   * Runs the topology window by window of input time until every input is reprocessed, then until nothing moves
   * for {@code quiet}; returns the count. A window: the input records stamped up to the horizon (the earliest
   * record held back, plus {@code window}), then whatever they set off through the internal topics, until nothing
   * moves; then the next. The AC deadlines pass by the records' times meanwhile, by the wall clock only at the end,
   * and there only up to {@code lastDecided} ({@link #deadlineClock}).
   */
  private static long process(Options o, Admin admin, ReplayPlan plan, List<TopicPartition> outputs, long begin,
      long lastDecided, Consumer<Progress> progress, long[] windowsRun)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, Object> overrides = new HashMap<>(WINDOW_SETTINGS);
    overrides.putAll(o.streamsOverrides());
    // A held partition has a lag the consumer knows of: with idling on, its task would wait for it for ever.
    overrides.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    InputWindows windows = new InputWindows(plan.inputTopics());
    java.util.concurrent.atomic.AtomicBoolean wallClock = new java.util.concurrent.atomic.AtomicBoolean();
    List<TopicPartition> own = new ArrayList<>(plan.ownTopicsEnd().keySet());
    List<TopicPartition> watched = new ArrayList<>(plan.inputEnd().keySet());
    watched.addAll(own);
    watched.addAll(outputs);
    long deadline = System.nanoTime() + o.limit().toNanos();
    try (LifecycleStreams streams = LifecycleStreams.start(o.bootstrapServers(), o.registry(), o.settings(),
        o.applicationId(), o.stateDir(), o.instanceId(), overrides, new ReplayClients(windows),
        now -> deadlineClock(wallClock.get(), now, lastDecided))) {
      while (!wallClock.get()) {
        checkRunning(streams, deadline, o, windowsRun[0]);
        progress.accept(new Progress(reprocessed(plan, windows), plan.inputRecords(), seconds(begin)));
        if (!settled(streams, admin, plan, own, windows, deadline)) {
          continue;
        }
        java.util.OptionalLong next = windows.nextHeld();
        if (next.isPresent()) {
          windows.advanceTo(Math.max(windows.horizon(), next.getAsLong() + o.window().toMillis()));
          windowsRun[0]++;
        } else if (inputsDone(plan, windows)) {
          windows.advanceTo(Long.MAX_VALUE); // anything written to the inputs meanwhile, and the wall clock
          wallClock.set(true);
        }
      }
      Map<TopicPartition, Long> lastSeen = null;
      long stillSince = System.nanoTime();
      while (true) {
        checkRunning(streams, deadline, o, windowsRun[0]);
        long done = reprocessed(plan, windows);
        progress.accept(new Progress(done, plan.inputRecords(), seconds(begin)));
        Map<TopicPartition, Long> now = new HashMap<>(ReplayPlan.offsets(admin, watched, OffsetSpec.latest()));
        committed(admin, plan.applicationId()).forEach((tp, off) ->
            now.put(new TopicPartition("committed:" + tp.topic(), tp.partition()), off));
        if (!now.equals(lastSeen)) {
          lastSeen = now;
          stillSince = System.nanoTime();
        } else if (System.nanoTime() - stillSince >= o.quiet().toNanos()) {
          return done;
        }
        Thread.sleep(250);
      }
    }
  }

  /**
   * The time up to which the user stage's wall-clock scan passes AC deadlines during a replay: none while the
   * windows run (the records' times pass them there); after the last window the wall clock, but no later than the
   * last write of the state before the reset. A deadline the platform passed wrote the user's state at or after
   * it, so every one it passed is at or before that write; one due later had not passed when the platform stopped
   * and passes when it starts again, as without a replay. With the plain wall clock, a replay run after the
   * deadlines of the ACs still in flight came out different in every such user (1 million input records: all
   * 200,000 users, one AC failed and one downlink more each).
   */
  static long deadlineClock(boolean windowsDone, long wallClock, long lastDecided) {
    return windowsDone ? Math.min(wallClock, lastDecided) : Long.MIN_VALUE;
  }

  private static void checkRunning(LifecycleStreams streams, long deadline, Options o, long windowsRun) {
    KafkaStreams.State state = streams.streams().state();
    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
      throw new IllegalStateException("lifecycle-streams failed during the replay (state " + state + ")");
    }
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("replay not finished within " + o.limit() + " (" + windowsRun + " windows)");
    }
  }

  /** Input records handed to the topology: each input partition's position (or where it is held) from its start. */
  private static long reprocessed(ReplayPlan plan, InputWindows windows) {
    Map<TopicPartition, Long> at = windows.positions();
    long done = 0;
    for (var e : plan.inputEnd().entrySet()) {
      long start = plan.inputStart().getOrDefault(e.getKey(), 0L);
      done += Math.max(0, Math.min(at.getOrDefault(e.getKey(), start), e.getValue()) - start);
    }
    return done;
  }

  /** Every input partition read to the end it had when the replay began (none held back). */
  private static boolean inputsDone(ReplayPlan plan, InputWindows windows) {
    Map<TopicPartition, Long> at = windows.positions();
    return plan.inputEnd().entrySet().stream().allMatch(e -> e.getValue() <= plan.inputStart().getOrDefault(
        e.getKey(), 0L) || at.getOrDefault(e.getKey(), -1L) >= e.getValue());
  }

  /**
   * Whether the window's inputs and everything they set off are decided and committed: every input partition held
   * back or read to its end; every record the topology wrote to its own topics visible to read_committed readers
   * (its transaction's markers written) and the consumer past them; and, across
   * two polls of the stream thread after that was looked at, no record handed to the topology, nothing sent and
   * not committed, no commit. (The thread decides what a poll hands it before it polls again.)
   */
  private static boolean settled(LifecycleStreams streams, Admin admin, ReplayPlan plan, List<TopicPartition> own,
      InputWindows windows, long deadline) throws InterruptedException, ExecutionException, TimeoutException {
    if (streams.streams().state() != KafkaStreams.State.RUNNING || windows.uncommittedSends() > 0) {
      Thread.sleep(5);
      return false;
    }
    long handed = windows.handed();
    long commits = windows.commits();
    long polls = windows.polls();
    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ask = new HashMap<>();
    own.forEach(tp -> ask.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> visible = new HashMap<>();
    admin.listOffsets(ask, new org.apache.kafka.clients.admin.ListOffsetsOptions(
        org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS)
        .forEach((tp, info) -> visible.put(tp, info.offset()));
    while (windows.polls() < polls + 2) {
      if (System.nanoTime() > deadline || streams.streams().state() != KafkaStreams.State.RUNNING) {
        return false;
      }
      Thread.sleep(1);
    }
    Map<TopicPartition, Long> at = windows.positions();
    Map<TopicPartition, InputWindows.Held> held = windows.held();
    boolean inputs = plan.inputEnd().entrySet().stream().allMatch(e -> held.containsKey(e.getKey())
        || e.getValue() <= plan.inputStart().getOrDefault(e.getKey(), 0L)
        || at.getOrDefault(e.getKey(), -1L) >= e.getValue());
    // A commit returns before the coordinator has written its markers, and until then read_committed readers
    // (and the end asked for above) stop short of what it committed: a window that looked settled then would let
    // the next window's inputs overtake the chain (seen once in a loaded CI run, with 1 ms polls). So every record
    // the producer wrote to the topology's own topics must be below the visible end.
    boolean visibleAll = visible.entrySet().stream()
        .allMatch(e -> e.getValue() > windows.written.getOrDefault(e.getKey(), -1L));
    boolean ownRead = visibleAll
        && visible.entrySet().stream().allMatch(e -> at.getOrDefault(e.getKey(), -1L) >= e.getValue());
    return inputs && ownRead && windows.handed() == handed && windows.commits() == commits
        && windows.uncommittedSends() == 0;
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
