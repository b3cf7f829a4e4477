package org.aidcmp.lifecycle;

import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.apache.avro.specific.SpecificRecord;

/**
 * What a decider is given: the aggregate's key, the topic the record came from (null for a message the
 * processor makes itself, e.g. a deadline that passed), the header the outputs derive from, the envelope and
 * the payload inside it. An internal message that carries a platform envelope onward (an MSP call routed to
 * its user) is unwrapped: its envelope and payload are the carried ones, its header stays the cause.
 *
 * @param envelope null for a tombstone or a message of the processor's own
 * @param payload null for a tombstone
 */
public record Message(String key, String topic, EnvelopeHeader cause, SpecificRecord envelope, Object payload) {

  /** A record as it arrives; {@code tombstoneCause} is used when there is no header to derive from. */
  public static Message of(String key, String topic, SpecificRecord value, EnvelopeHeader tombstoneCause) {
    if (value == null) {
      return new Message(key, topic, tombstoneCause, null, null);
    }
    EnvelopeHeader cause = (EnvelopeHeader) value.get(0);
    SpecificRecord envelope = value;
    Object payload = value.get(1);
    if (value instanceof InternalMessage && isEnvelope(payload)) {
      envelope = (SpecificRecord) payload;
      payload = envelope.get(1);
    }
    return new Message(key, topic, cause, envelope, payload);
  }

  /** A message the processor makes (wall-clock waits that are over). */
  public static Message own(String key, EnvelopeHeader cause, Object payload) {
    return new Message(key, null, cause, null, payload);
  }

  private static boolean isEnvelope(Object payload) {
    return payload instanceof Aid1Inbound || payload instanceof Aid1Result || payload instanceof Aid2Uplink
        || payload instanceof TouchpointCommand;
  }

  /** What kind of message this is, for dispatch and dead letters: the payload's type, or "a tombstone". */
  public String describe() {
    return payload == null ? "a tombstone" : payload.getClass().getSimpleName();
  }
}
