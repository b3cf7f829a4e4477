package org.aidcmp.egress.downlink;

import java.util.List;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfiles;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.DownlinkMessage;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One record of {@code aid.aid2.downlink.v1} made ready for its vehicle: the VIN (the record's key), the message
 * (§7.2.1, §7.2.2, §7.2.4, §7.2.7, §7.2.8), its topic {@code aid2/v1/vehicles/{vin}/down/{message}} and the JSON,
 * carrying the command id (the envelope's messageId) so a vehicle can drop a repeat. The JSON is held to its
 * schema before it goes: a vehicle gets only what the AsyncAPI document describes.
 */
record DownlinkCommand(String vin, DownlinkMessage message, String commandId, String topic, byte[] json) {

  /** Why a record cannot go to a vehicle; the text never quotes the payload (it may hold an activation code). */
  static final class Undeliverable extends Exception {
    /** The command id when the envelope could be read, else null. */
    final String commandId;

    Undeliverable(String reason) {
      this(reason, null, null);
    }

    Undeliverable(String reason, Throwable cause) {
      this(reason, cause, null);
    }

    Undeliverable(String reason, Throwable cause, String commandId) {
      super(reason, cause);
      this.commandId = commandId;
    }
  }

  private static final int MAX_VIN = 64;

  static DownlinkCommand of(ConsumerRecord<String, byte[]> record, AvroDeserializer<Aid2Downlink> envelopes,
                            Aid2Json json) throws Undeliverable {
    String vin = record.key();
    if (vin == null || vin.isEmpty()) {
      throw new Undeliverable("no key: the key of a downlink record is the VIN of its vehicle");
    }
    if (!usableTopicLevel(vin)) {
      throw new Undeliverable("the key is not a VIN that can name an MQTT topic level");
    }
    if (record.value() == null) {
      throw new Undeliverable("tombstone: a downlink record without a value");
    }
    Aid2Downlink envelope;
    try {
      envelope = envelopes.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      throw new Undeliverable("undecodable Aid2Downlink: " + e.getMessage(), e);
    }
    String commandId = envelope.getHeader().getMessageId();
    SpecificRecord payload = (SpecificRecord) envelope.getPayload();
    DownlinkMessage message;
    try {
      message = DownlinkMessage.of(payload);
    } catch (IllegalArgumentException e) {
      throw new Undeliverable(e.getMessage(), e, commandId);
    }
    VehicleRequestId requestId = requestId(payload);
    if (requestId != null && !vin.equals(requestId.getVehicleId())) {
      throw new Undeliverable(message.topicName() + ": RequestId.VehicleID is not the record's key (the VIN)",
          null, commandId);
    }
    byte[] bytes;
    try {
      bytes = json.writeDownlink(commandId, payload);
    } catch (RuntimeException e) {
      throw new Undeliverable(message.topicName() + ": cannot be written as JSON (" + e.getClass().getSimpleName()
          + ")", e, commandId);
    }
    List<String> violations = json.violations(message, bytes);
    if (!violations.isEmpty()) {
      throw new Undeliverable(violations.get(0), null, commandId);
    }
    return new DownlinkCommand(vin, message, commandId, Aid2Topics.downlink(vin, message), bytes);
  }

  /** The RequestId of the payload; null for an error that answers no request. */
  private static VehicleRequestId requestId(SpecificRecord payload) {
    if (payload instanceof SendActivationCodeToVehicle a) {
      return a.getRequestId();
    } else if (payload instanceof RequestDeleteProfile d) {
      return d.getRequestId();
    } else if (payload instanceof RequestCsimInfo c) {
      return c.getRequestId();
    } else if (payload instanceof RequestDeleteAllProfiles d) {
      return d.getRequestId();
    } else if (payload instanceof VehicleRequestError e) {
      return e.getRequestId();
    }
    return null;
  }

  /** MQTT 5 §4.7: no wildcard, no level separator, no NUL in a topic name; bounded so a key cannot bloat topics. */
  private static boolean usableTopicLevel(String vin) {
    if (vin.length() > MAX_VIN) {
      return false;
    }
    for (int i = 0; i < vin.length(); i++) {
      char c = vin.charAt(i);
      if (c == '/' || c == '+' || c == '#' || c == '\u0000' || Character.isISOControl(c) || Character.isWhitespace(c)) {
        return false;
      }
    }
    return true;
  }
}
