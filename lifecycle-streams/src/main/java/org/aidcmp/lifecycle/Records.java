package org.aidcmp.lifecycle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.internal.VehicleCommand;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.apache.avro.specific.SpecificRecord;

/**
 * The records one decision emits, made inside the decider (never handed in by a processor). Every record
 * gets a header derived from the cause's: a messageId minted from the cause's messageId and the record's
 * place among the outputs (so deciding the same input again mints the same ids), the cause's requestId and
 * correlationId, and the decision's time.
 */
public final class Records {
  public static final String SOURCE = "lifecycle-streams";

  private final EnvelopeHeader cause;
  private final Instant at;
  /** The cause's messageId with the deciding entity's count of decisions, or the cause's alone. */
  private final String[] base;
  private final List<Emit> emits = new ArrayList<>();
  private int sequence;

  /** Records of a decision without an entity of its own (the ids come from the cause alone). */
  public Records(EnvelopeHeader cause, Instant at) {
    this.cause = cause;
    this.at = at;
    this.base = new String[] {cause.getMessageId()};
  }

  /** Records of an entity's decision, the entity's state having been changed by {@code decisionsBefore} before. */
  public Records(EnvelopeHeader cause, Instant at, long decisionsBefore) {
    this.cause = cause;
    this.at = at;
    this.base = new String[] {cause.getMessageId(), "decision-" + decisionsBefore};
  }

  public Instant at() {
    return at;
  }

  public EnvelopeHeader cause() {
    return cause;
  }

  /** An id derived from the cause, for something the topology mints (activationCodeRequestID, ...). */
  public String derivedId(String what) {
    return Envelopes.derivedId(with(what));
  }

  /** A header for a record the caller builds itself (a downlink command). */
  public EnvelopeHeader nextHeader(String purpose) {
    String messageId = Envelopes.derivedId(with(purpose, Integer.toString(sequence++)));
    return Envelopes.header(messageId, SOURCE, cause.getRequestId(), cause.getCorrelationId(), at);
  }

  private String[] with(String... parts) {
    String[] all = java.util.Arrays.copyOf(base, base.length + parts.length);
    System.arraycopy(parts, 0, all, base.length, parts.length);
    return all;
  }


  /** The outcome of the synchronous request that caused this, if it was one. */
  public void reply(int httpStatus, ErrorInfo error, String body) {
    if (cause.getRequestId() == null) {
      return;
    }
    emit(AidTopic.REPLIES, cause.getRequestId(),
        new Reply(nextHeader("reply"), new RequestOutcome(httpStatus, error, body)));
  }

  public void reply(RequestOutcome outcome) {
    reply(outcome.getHttpStatus(), outcome.getError(), outcome.getBody());
  }

  public void event(String cmpUserId, Object payload) {
    emit(AidTopic.LIFECYCLE_EVENTS, cmpUserId, new LifecycleEvent(nextHeader("event"), payload));
  }

  public void vehicleEvent(String vin, Object payload) {
    emit(AidTopic.VEHICLE_EVENTS, vin, new VehicleEvent(nextHeader("vehicle-event"), payload));
  }

  /**
   * A call to an MSP (§7.1.8 - §7.1.11) for the user; its messageId is the command id egress sends as
   * CMP-request-id. Keyed by the user: egress writes the result, keyed by the user too, to its command's
   * partition (where its executed log reads it), so the result comes straight back to this stage's partition.
   */
  public String toMsp(String cmpUserId, String mspToken, Object command) {
    EnvelopeHeader header = nextHeader("msp-command");
    emit(AidTopic.AID1_OUTBOUND, cmpUserId, new Aid1Outbound(header, command, cmpUserId));
    return header.getMessageId();
  }

  /** A message for a vehicle, handed to the vehicle stage, which sends it and keeps it until answered. */
  public void toVehicle(String vin, Object downlink) {
    Aid2Downlink command = new Aid2Downlink(nextHeader("downlink"), downlink);
    internal(AidTopic.INTERNAL_VEHICLES, vin, new VehicleCommand(command, false, null));
  }

  /**
   * A message for a vehicle sent now, from this stage, with the vehicle stage told to keep it until answered:
   * the AC, whose way to the vehicle is the critical path of car provisioning. {@code iccid} lets the vehicle
   * stage see that the vehicle answered already (its install report can overtake this).
   */
  public void toVehicleNow(String vin, Object downlink, String iccid) {
    Aid2Downlink command = new Aid2Downlink(nextHeader("downlink"), downlink);
    emit(AidTopic.AID2_DOWNLINK, vin, command);
    internal(AidTopic.INTERNAL_VEHICLES, vin, new VehicleCommand(command, true, iccid));
  }

  /** An answer to a vehicle's request (§7.2.1 errors): sent now, nothing comes back to wait for. */
  public void answerVehicle(String vin, Object answer) {
    emit(AidTopic.AID2_DOWNLINK, vin, new Aid2Downlink(nextHeader("downlink"), answer));
  }

  /** Straight onto the downlink topic. */
  public void downlink(String vin, Aid2Downlink command) {
    emit(AidTopic.AID2_DOWNLINK, vin, command);
  }

  public void internal(AidTopic topic, String key, Object payload) {
    emit(topic, key, new InternalMessage(nextHeader("internal"), payload));
  }

  public void emit(AidTopic topic, String key, SpecificRecord value) {
    emits.add(new Emit(topic, key, value));
  }

  public List<Emit> list() {
    return List.copyOf(emits);
  }
}
