package org.aidcmp.infra.launcher.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.ActivationCodeRequestAccepted;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.MspCallRejected;
import org.aidcmp.schemas.aid1.SendActivationCode;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.lifecycle.ProfileEnabled;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where car provisioning flows wait: reads the topics a flow crosses (the vehicle's Request activation code on
 * the uplink, the user stage's input, the MSP command, the MSP's answer, an async MSP's Send activation code,
 * the AC or refusal on the downlink, ProfileEnabled) and notes when this process saw each hop of each user on
 * each vehicle. A vehicle's login outcome then tells which hops its flow reached before it ended: a timed-out
 * flow waited in the hop after the last one it reached; a completed one spent its time between its hops.
 * Evidence for the bench's report, read as a consumer of those topics sees them (read_committed).
 */
public final class FlowHops implements AutoCloseable {

  /** A flow's hops, in the order a flow crosses them. */
  public enum Hop {
    /** The vehicle's Request activation code on aid.aid2.uplink.v1 (through MQTT and the AiD2 bridge). */
    REQUEST_ON_UPLINK("vehicle -> uplink topic (vehicle outbox, MQTT broker, AiD2 bridge)"),
    /** The vehicle stage passed it to the user (aid.internal.users.v1). */
    AT_USER_STAGE("vehicle stage (uplink -> user stage)"),
    /** The user stage's ActivationCodeRequest on aid.aid1.outbound.v1. */
    MSP_COMMAND("user stage (request -> MSP command)"),
    /** egress's result of the call (sync AC, async 201, rejected, gave up) on aid.aid1.results.v1. */
    MSP_ANSWER("egress (MSP command -> MSP answer)"),
    /** An asynchronous MSP's Send activation code on aid.aid1.inbound.v1. */
    ASYNC_CODE("async MSP (201 -> Send activation code)"),
    /** The AC to the vehicle on aid.aid2.downlink.v1. */
    AC_ON_DOWNLINK("user stage (MSP answer -> AC on the downlink)"),
    /** A refusal (§7.2.1 error) to the vehicle on aid.aid2.downlink.v1. */
    REFUSAL_ON_DOWNLINK("user stage (-> refusal on the downlink)"),
    /** The vehicle's outcome: AC received, installed, enabled, reported (or how it ended). */
    VEHICLE_DONE("downlink -> vehicle (downlink publisher, MQTT broker, vehicle, download, install)"),
    /** ProfileEnabled on aid.lifecycle.events.v1. */
    PROFILE_ENABLED("vehicle's reports -> ProfileEnabled");

    private final String waitingIn;

    Hop(String waitingIn) {
      this.waitingIn = waitingIn;
    }

    /** Where a flow waits that has reached the hop before this one and not this one. */
    public String waitingIn() {
      return waitingIn;
    }
  }

  /** One hop seen: when (nanoTime of this process), and a detail (answer kind, error code; never a secret). */
  public record Seen(Hop hop, long nanos, String detail) {}

  /** A login flow as the vehicle ended it, with the hops seen for its user and vehicle during it. */
  public record Traced(String vin, String cmpUserId, Outcome.Result result, String detail, long startNanos,
                       long endNanos, List<Seen> hops, boolean earlierInFlight) {
    /** The first time {@code hop} was seen during the flow, or -1. */
    public long first(Hop hop) {
      return hops.stream().filter(s -> s.hop() == hop).mapToLong(Seen::nanos).min().orElse(-1);
    }

    /**
     * Where a flow that did not complete waited: the hop after the last one it reached (a flow whose MSP
     * answered with a 201 waits for the async code; one refused on the downlink waits for the refusal to reach
     * the vehicle).
     */
    public String waitedIn() {
      if (first(Hop.AC_ON_DOWNLINK) >= 0 || first(Hop.REFUSAL_ON_DOWNLINK) >= 0) {
        return Hop.VEHICLE_DONE.waitingIn();
      }
      if (first(Hop.ASYNC_CODE) >= 0) {
        return Hop.AC_ON_DOWNLINK.waitingIn();
      }
      if (first(Hop.MSP_ANSWER) >= 0) {
        boolean accepted = hops.stream().anyMatch(s -> s.hop() == Hop.MSP_ANSWER && s.detail().equals("accepted"));
        return accepted ? Hop.ASYNC_CODE.waitingIn() : Hop.AC_ON_DOWNLINK.waitingIn();
      }
      if (first(Hop.AT_USER_STAGE) >= 0 && first(Hop.MSP_COMMAND) < 0 && earlierInFlight) {
        return EARLIER_IN_FLIGHT;
      }
      for (Hop h : List.of(Hop.MSP_COMMAND, Hop.AT_USER_STAGE, Hop.REQUEST_ON_UPLINK)) {
        if (first(h) >= 0) {
          return Hop.values()[h.ordinal() + 1].waitingIn();
        }
      }
      return Hop.REQUEST_ON_UPLINK.waitingIn();
    }
  }

  /** The user stage asks the MSP once per user and vehicle: a new request waits for the one in flight. */
  static final String EARLIER_IN_FLIGHT =
      "user stage (no new MSP command: an earlier request of this user on this vehicle still in flight)";

  private record Decoded(AidTopic topic, Function<byte[], SpecificRecord> decode) {}

  /** Hops kept per user and vehicle: enough for a run's flows of one user on one car. */
  private static final int KEPT = 256;

  private final Map<String, List<Seen>> seen = new ConcurrentHashMap<>();
  /** activationCodeRequestId and command id -> (user, vehicle) key, from the MSP command and its event. */
  private final Map<String, String> keyOfRequest = new ConcurrentHashMap<>();
  private final List<Traced> traced = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Function<String, String> vinOfEid;
  private final Map<String, Decoded> byTopic = new java.util.HashMap<>();
  private final TopicFollower<byte[]> follower;

  /** {@code vinOfEid}: the fleet's VIN of an EID (the MSP command names the EID, not the VIN); null if none. */
  public FlowHops(String bootstrap, SchemaRegistryClient registry, Function<String, String> vinOfEid) {
    this.vinOfEid = vinOfEid;
    for (AidTopic t : List.of(AidTopic.AID2_UPLINK, AidTopic.INTERNAL_USERS, AidTopic.AID1_OUTBOUND,
        AidTopic.AID1_RESULTS, AidTopic.AID1_INBOUND, AidTopic.AID2_DOWNLINK, AidTopic.LIFECYCLE_EVENTS)) {
      @SuppressWarnings({"unchecked", "rawtypes"})
      AvroDeserializer<SpecificRecord> d = new AvroDeserializer(registry, t.valueType());
      byTopic.put(t.topicName(), new Decoded(t, bytes -> d.deserialize(t.topicName(), bytes)));
    }
    Properties fast = new Properties();
    fast.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
    follower = new TopicFollower<>(bootstrap, "aid-bench-hops", byTopic.keySet(), new ByteArrayDeserializer(), fast,
        this::read);
  }

  /** Every login outcome: the flow is traced with the hops seen for its user and vehicle while it ran. */
  public void onOutcome(Outcome outcome) {
    if (outcome.flow() != Outcome.Flow.LOGIN || outcome.result() == Outcome.Result.ENABLED
        || outcome.cmpUserId() == null) {
      return;
    }
    long end = System.nanoTime();
    long start = end - outcome.latency().toNanos();
    note(key(outcome.vin(), outcome.cmpUserId()), Hop.VEHICLE_DONE, end, outcome.result().name());
    traced.add(new Traced(outcome.vin(), outcome.cmpUserId(), outcome.result(), outcome.detail(), start, end,
        List.of(), false));
  }

  /**
   * The login flows ended so far, each with the hops of its user and vehicle seen from its start until
   * {@code grace} after its end (later hops are not its own), a ProfileEnabled included for a provisioned one.
   */
  public List<Traced> flows(Duration grace) {
    List<Traced> out = new ArrayList<>();
    List<Traced> copy;
    synchronized (traced) {
      copy = new ArrayList<>(traced);
    }
    for (Traced t : copy) {
      List<Seen> hops = new ArrayList<>();
      List<Seen> all = seen.getOrDefault(key(t.vin(), t.cmpUserId()), List.of());
      boolean earlierInFlight = false;
      synchronized (all) {
        for (Seen s : all) {
          if (s.nanos() < t.startNanos()) {
            // an MSP command before the flow, not answered to the vehicle before it began: still in flight
            if (s.hop() == Hop.MSP_COMMAND) {
              earlierInFlight = true;
            } else if (s.hop() == Hop.AC_ON_DOWNLINK || s.hop() == Hop.REFUSAL_ON_DOWNLINK) {
              earlierInFlight = false;
            }
          }
          boolean during = s.nanos() >= t.startNanos() && s.nanos() <= t.endNanos();
          boolean enabledAfter = s.hop() == Hop.PROFILE_ENABLED && s.nanos() > t.endNanos()
              && s.nanos() <= t.endNanos() + grace.toNanos();
          if (during || enabledAfter) {
            hops.add(s);
          }
        }
      }
      out.add(new Traced(t.vin(), t.cmpUserId(), t.result(), t.detail(), t.startNanos(), t.endNanos(), hops,
          earlierInFlight));
    }
    return out;
  }

  /** Where the flows that ended with {@code result} waited, counted (most first). */
  public static Map<String, Integer> waitedIn(List<Traced> flows, Outcome.Result result) {
    Map<String, Integer> counts = new TreeMap<>();
    flows.stream().filter(t -> t.result() == result).forEach(t -> counts.merge(t.waitedIn(), 1, Integer::sum));
    return counts;
  }

  /**
   * The time provisioned flows spent in each hop (from the hop before to this one), summed over the flows
   * given, in milliseconds: where the slow ones' time went.
   */
  public static Map<Hop, Double> timeInHops(List<Traced> flows) {
    Map<Hop, Double> ms = new EnumMap<>(Hop.class);
    for (Traced t : flows) {
      long previous = t.startNanos();
      for (Hop h : Hop.values()) {
        long at = h == Hop.VEHICLE_DONE ? t.endNanos() : t.first(h);
        if (at < 0) {
          continue;
        }
        ms.merge(h, Math.max(0, at - previous) / 1e6, Double::sum);
        previous = Math.max(previous, at);
      }
    }
    return ms;
  }

  private void read(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    try {
      Decoded d = byTopic.get(r.topic());
      onRecord(d.topic(), r.key(), d.decode().apply(r.value()), System.nanoTime());
    } catch (RuntimeException e) {
      // not a record this tracer can read (another schema, a poison record): not a hop of a flow
    }
  }

  private void onRecord(AidTopic topic, String key, SpecificRecord value, long now) {
    switch (topic) {
      case AID2_UPLINK -> {
        if (((Aid2Uplink) value).getPayload() instanceof RequestActivationCode r) {
          note(key(key, r.getCmpUserId()), Hop.REQUEST_ON_UPLINK, now, "");
        }
      }
      case INTERNAL_USERS -> {
        if (((InternalMessage) value).getPayload() instanceof Aid2Uplink u
            && u.getPayload() instanceof RequestActivationCode r) {
          note(key(r.getRequestId().getVehicleId(), r.getCmpUserId()), Hop.AT_USER_STAGE, now, "");
        }
      }
      case AID1_OUTBOUND -> {
        Aid1Outbound o = (Aid1Outbound) value;
        if (o.getPayload() instanceof ActivationCodeRequest a && o.getCmpUserId() != null) {
          String vin = vinOfEid.apply(a.getEid());
          if (vin != null) {
            String k = key(vin, o.getCmpUserId());
            keyOfRequest.put(a.getActivationCodeRequestId(), k);
            keyOfRequest.put(o.getHeader().getMessageId(), k);
            note(k, Hop.MSP_COMMAND, now, a.getMspId());
          }
        }
      }
      case AID1_RESULTS -> {
        Object p = ((Aid1Result) value).getPayload();
        if (p instanceof ActivationCodeIssued i) {
          noteRequest(i.getActivationCodeRequestId(), Hop.MSP_ANSWER, now, "issued");
        } else if (p instanceof ActivationCodeRequestAccepted a) {
          noteRequest(a.getActivationCodeRequestId(), Hop.MSP_ANSWER, now, "accepted");
        } else if (p instanceof MspCallRejected r) {
          noteRequest(r.getCommand().getCommandId(), Hop.MSP_ANSWER, now, "rejected " + r.getHttpStatus());
        } else if (p instanceof MspCallGaveUp g) {
          noteRequest(g.getCommand().getCommandId(), Hop.MSP_ANSWER, now, "gave up");
        }
      }
      case AID1_INBOUND -> {
        if (((Aid1Inbound) value).getPayload() instanceof SendActivationCode s) {
          noteRequest(s.getActivationCodeRequestId(), Hop.ASYNC_CODE, now, s.getError() == null ? "code" : "error");
        }
      }
      case AID2_DOWNLINK -> {
        Object p = ((Aid2Downlink) value).getPayload();
        if (p instanceof SendActivationCodeToVehicle ac) {
          note(key(key, ac.getCmpUserId()), Hop.AC_ON_DOWNLINK, now, "");
        } else if (p instanceof VehicleRequestError e && e.getCmpUserId() != null) {
          note(key(key, e.getCmpUserId()), Hop.REFUSAL_ON_DOWNLINK, now, e.getError().name());
        }
      }
      case LIFECYCLE_EVENTS -> {
        Object p = ((LifecycleEvent) value).getPayload();
        if (p instanceof ActivationCodeRequested r) {
          keyOfRequest.putIfAbsent(r.getActivationCodeRequestId(), key(r.getVin(), r.getCmpUserId()));
        } else if (p instanceof ProfileEnabled e && e.getProfile().getVin() != null) {
          note(key(e.getProfile().getVin(), e.getProfile().getCmpUserId()), Hop.PROFILE_ENABLED, now, "");
        } else if (p instanceof ActivationCodeFailed f) {
          note(key(f.getVin(), f.getCmpUserId()), Hop.MSP_ANSWER, now, "failed " + f.getFailure());
        } else if (p instanceof ActivationCodeReceived) {
          // the AC's own hop is its downlink record
        }
      }
      default -> { }
    }
  }

  private void noteRequest(String requestOrCommandId, Hop hop, long now, String detail) {
    String k = requestOrCommandId == null ? null : keyOfRequest.get(requestOrCommandId);
    if (k != null) {
      note(k, hop, now, detail);
    }
  }

  private void note(String key, Hop hop, long nanos, String detail) {
    List<Seen> list = seen.computeIfAbsent(key, unused -> java.util.Collections.synchronizedList(new ArrayList<>()));
    synchronized (list) {
      list.add(new Seen(hop, nanos, detail));
      if (list.size() > KEPT) {
        list.remove(0);
      }
    }
  }

  private static String key(String vin, String cmpUserId) {
    return vin + '\u0000' + cmpUserId;
  }

  @Override
  public void close() {
    follower.close();
  }
}
