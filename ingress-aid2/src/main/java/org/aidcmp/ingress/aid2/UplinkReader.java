package org.aidcmp.ingress.aid2;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.InvalidAid2Message;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.apache.avro.specific.SpecificRecord;

/**
 * What one MQTT message from a vehicle becomes: an {@link Aid2Uplink} record for aid.aid2.uplink.v1, or a
 * refusal naming what is wrong (AID.02 §7.2: the contract of Aid2Json). No I/O: {@link Aid2Bridge} does that.
 *
 * <p>A record's messageId is the message's identity: derived from the VIN and the broker's stamp of the message
 * ({@link #stampedMessageId}; the embedded broker stamps every uplink, and a redelivery of a stored message keeps
 * its stamp), so a message the broker delivers again is recognisably the same one while a vehicle sending the same
 * bytes twice (AID.02 §5.2.1: a related message keeps the old Timestamp) sends two messages. Without a stamp (a
 * broker without the plug-in) it falls back to the VIN, the message name and a hash of the payload
 * ({@link #messageId}), which cannot tell a repeat from a second report: {@link Accepted#stamped} says which.
 * A refusal's error CommandId and dead-letter id are always content-derived.
 */
final class UplinkReader {
  static final String SOURCE = Aid2Bridge.DEAD_LETTER_STAGE;

  sealed interface Reading permits Accepted, Refused {}

  /**
   * A message that fits the contract: its record, keyed by the VIN, and the broker's stamp its messageId comes from
   * (null: none, the id is content-derived).
   */
  record Accepted(String vin, Aid2Uplink record, String stamp) implements Reading {
    /** Whether a repeat of its messageId is a redelivery, never a second report. */
    boolean stamped() {
      return stamp != null;
    }

    /** Presence: its messageIds repeat by design (every online of a vehicle is the same bytes). */
    boolean presence() {
      return record.getPayload() instanceof org.aidcmp.schemas.aid2.VehiclePresence;
    }
  }

  /**
   * A message that does not: the vehicle to tell (empty when the topic names none), why (never the payload), and
   * the ids derived from the message.
   */
  record Refused(Optional<String> vin, String reason, String commandId, String deadLetterId) implements Reading {}

  private final Aid2Json json;

  UplinkReader(Aid2Json json) {
    this.json = json;
  }

  Reading read(String topic, byte[] payload, Instant receivedAt) {
    return read(topic, payload, null, receivedAt);
  }

  /** {@code stamp}: the broker's stamp of the message, null when it has none. */
  Reading read(String topic, byte[] payload, String stamp, Instant receivedAt) {
    Optional<Aid2Topics.Address> address = Aid2Topics.parse(topic);
    if (address.isEmpty() || address.get().direction() == Aid2Topics.Direction.DOWN) {
      return refused(topic, payload, "topic " + shortTopic(topic) + " is outside the AiD2 scheme: a vehicle publishes to "
          + Aid2Topics.VEHICLES + "{vin}/up/{message} or " + Aid2Topics.VEHICLES + "{vin}/" + Aid2Topics.PRESENCE);
    }
    String vin = address.get().vin();
    try {
      if (address.get().direction() == Aid2Topics.Direction.PRESENCE) {
        SpecificRecord presence = Aid2Json.readPresence(vin, payload);
        return accepted(vin, Aid2Topics.PRESENCE, payload, null, null, presence, receivedAt);
      }
      String name = address.get().message();
      UplinkMessage message = UplinkMessage.byTopicName(name).orElseThrow(() -> new InvalidAid2Message(
          "unknown uplink message '" + shortTopic(name) + "' (AID.02 §7.2 has: " + names() + ")"));
      SpecificRecord record = json.readUplink(vin, message, payload);
      VehicleRequestId requestId = (VehicleRequestId) record.get(record.getSchema().getField("requestId").pos());
      return accepted(vin, name, payload, stamp, requestId.getVehicleId() + ":" + requestId.getTimestamp(), record,
          receivedAt);
    } catch (InvalidAid2Message e) {
      return refused(topic, payload, e.getMessage());
    }
  }

  /** The record messageId of a message: the VIN, the message name and a hash of the payload. */
  static String messageId(String vin, String name, byte[] payload) {
    return Envelopes.derivedId(vin, name, sha256(payload));
  }

  /** The record messageId of a message the broker stamped: the VIN, the message name and the stamp. */
  static String stampedMessageId(String vin, String name, String stamp) {
    return Envelopes.derivedId(vin, name, "broker-stamp", stamp);
  }

  private static Accepted accepted(String vin, String name, byte[] payload, String stamp, String requestId,
      SpecificRecord record, Instant receivedAt) {
    String id = stamp != null ? stampedMessageId(vin, name, stamp) : messageId(vin, name, payload);
    return new Accepted(vin, new Aid2Uplink(Envelopes.header(id, SOURCE, requestId, null, receivedAt), record),
        stamp);
  }

  private static Refused refused(String topic, byte[] payload, String reason) {
    String hash = sha256(payload);
    return new Refused(Aid2Topics.vehicleOf(topic), reason, Envelopes.derivedId(topic, hash, "error"),
        Envelopes.derivedId(topic, hash, "dead-letter"));
  }

  /** A topic can be 64 KB: a reason names at most its start. */
  static String shortTopic(String topic) {
    String flat = topic.replaceAll("\\p{Cntrl}", "?");
    return flat.length() <= 120 ? flat : flat.substring(0, 120) + "...";
  }

  private static String names() {
    StringBuilder b = new StringBuilder();
    for (UplinkMessage m : UplinkMessage.values()) {
      b.append(b.length() == 0 ? "" : ", ").append(m.topicName());
    }
    return b.toString();
  }

  private static String sha256(byte[] payload) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload == null ? new byte[0] : payload));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
