package org.aidcmp.infra.launcher.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.lifecycle.ProfileEnabled;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Times complete car provisioning flows: from a vehicle's login (its Request activation code published at once)
 * through the activation code, the download and install, Send profile download install info and the CSIM status
 * reporting the profile enabled (the vehicle's {@link Outcome}), to the profile ENABLED in the User aggregate
 * (its {@code ProfileEnabled} on the lifecycle events, as a consumer of that topic sees it). The SM-DP+
 * simulator's own time for the flow's download is subtracted.
 */
public final class FlowTracker implements AutoCloseable {

  /** One completed flow: when it ended (nanoTime), how long it took with the simulator's time taken out. */
  public record Flow(long endedNanos, long latencyNanos) {}

  private record Pending(long startNanos, long vehicleDoneNanos, long simulatorNanos) {}

  private final Map<String, Long> enabledAt = new ConcurrentHashMap<>();
  private final Map<String, Integer> enabledTimes = new ConcurrentHashMap<>();
  private final Map<String, List<String>> history = new ConcurrentHashMap<>();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final List<Flow> flows = java.util.Collections.synchronizedList(new ArrayList<>());
  /** When (nanoTime) each lifecycle event was read: a drill's "first decision after a restart". */
  private final java.util.concurrent.ConcurrentSkipListSet<Long> readNanos = new java.util.concurrent.ConcurrentSkipListSet<>();
  private final TopicFollower<LifecycleEvent> follower;
  private final ToLongFunction<String> simulatorNanosOfVin;

  /** {@code simulatorNanosOfVin}: the SM-DP+ time of the vehicle's latest download (read when its flow ends). */
  public FlowTracker(String bootstrap, SchemaRegistryClient registry, ToLongFunction<String> simulatorNanosOfVin) {
    this.simulatorNanosOfVin = simulatorNanosOfVin;
    // Joined before any flow starts, so no ProfileEnabled is missed.
    follower = new TopicFollower<>(bootstrap, "aid-bench-flows", List.of(AidTopic.LIFECYCLE_EVENTS.topicName()),
        new AvroDeserializer<>(registry, LifecycleEvent.class), new Properties(), this::read);
  }

  /** Called with every vehicle outcome as it is recorded; provisioning flows wait for their ProfileEnabled. */
  public void onOutcome(Outcome outcome) {
    if (outcome.flow() != Outcome.Flow.LOGIN || outcome.result() != Outcome.Result.PROVISIONED) {
      return;
    }
    long now = System.nanoTime();
    String key = key(outcome.cmpUserId(), outcome.detail());
    pending.put(key, new Pending(now - outcome.latency().toNanos(), now,
        simulatorNanosOfVin.applyAsLong(outcome.vin())));
    complete(key);
  }

  private void read(ConsumerRecord<String, LifecycleEvent> r) {
    readNanos.add(System.nanoTime());
    if (r.value() != null) {
      historyOf(r);
    }
    if (r.value() != null && r.value().getPayload() instanceof ProfileEnabled enabled) {
      String key = key(enabled.getProfile().getCmpUserId(), enabled.getProfile().getIccid());
      enabledAt.put(key, System.nanoTime());
      enabledTimes.merge(key, 1, Integer::sum);
      complete(key);
    }
  }

  private void complete(String key) {
    Pending p = pending.get(key);
    Long enabled = enabledAt.get(key);
    if (p == null || enabled == null || enabled < p.startNanos() || !pending.remove(key, p)) {
      return;
    }
    long end = Math.max(enabled, p.vehicleDoneNanos());
    flows.add(new Flow(end, Math.max(0, end - p.startNanos() - p.simulatorNanos())));
  }

  /** The flows completed so far, in the order they completed. */
  public List<Flow> flows() {
    synchronized (flows) {
      return new ArrayList<>(flows);
    }
  }

  /** How many ProfileEnabled of the user's profile this tracker read (the drills count doubles by it). */
  public int enabledCount(String cmpUserId, String iccid) {
    return enabledTimes.getOrDefault(key(cmpUserId, iccid), 0);
  }

  /**
   * The profile's installed / enabled / disabled / delete requested / deleted events read, with where
   * (partition@offset): evidence.
   */
  public List<String> history(String cmpUserId, String iccid) {
    return List.copyOf(history.getOrDefault(key(cmpUserId, iccid), List.of()));
  }

  private void historyOf(ConsumerRecord<String, LifecycleEvent> r) {
    Object p = r.value().getPayload();
    org.aidcmp.schemas.lifecycle.ProfileRef profile = p instanceof ProfileEnabled e ? e.getProfile()
        : p instanceof org.aidcmp.schemas.lifecycle.ProfileDisabled e ? e.getProfile()
        : p instanceof org.aidcmp.schemas.lifecycle.ProfileInstalled e ? e.getProfile()
        : p instanceof org.aidcmp.schemas.lifecycle.ProfileDeleted e ? e.getProfile()
        : p instanceof org.aidcmp.schemas.lifecycle.ProfileDeleteRequested e ? e.getProfile() : null;
    if (profile != null) {
      String what = p instanceof org.aidcmp.schemas.lifecycle.ProfileDeleteRequested e
          ? "ProfileDeleteRequested (" + e.getReason() + ")" : p.getClass().getSimpleName();
      history.computeIfAbsent(key(profile.getCmpUserId(), profile.getIccid()),
          unused -> java.util.Collections.synchronizedList(new ArrayList<>()))
          .add(what + " vin " + profile.getVin() + " at "
              + r.partition() + "@" + r.offset() + " " + java.time.Instant.ofEpochMilli(r.timestamp()));
    }
  }

  /**
   * When (nanoTime) the first lifecycle event was read at or after {@code nanos}, if one was: read_committed, so
   * after a kill it is the first decision a restarted lifecycle-streams committed.
   */
  public java.util.OptionalLong firstReadFrom(long nanos) {
    Long first = readNanos.ceiling(nanos);
    return first == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(first);
  }

  /** Provisioning flows the vehicle finished whose ProfileEnabled has not been seen (yet). */
  public int waiting() {
    return pending.size();
  }

  private static String key(String cmpUserId, String iccid) {
    return cmpUserId + '\u0000' + iccid;
  }

  @Override
  public void close() {
    follower.close();
  }
}
