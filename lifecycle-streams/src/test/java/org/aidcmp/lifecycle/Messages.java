package org.aidcmp.lifecycle;

import java.time.Instant;
import java.util.List;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.apache.avro.specific.SpecificRecord;

/** Messages as a processor hands them to a decider, for the deciders' plain unit tests (no Kafka). */
public final class Messages {
  public static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  private Messages() {}

  public static EnvelopeHeader header(String messageId, String requestId) {
    return Envelopes.header(messageId, "test", requestId, "c-" + messageId, NOW);
  }

  public static Message touchpoint(String key, String messageId, String requestId, Object command) {
    return Message.of(key, AidTopic.TOUCHPOINT_COMMANDS.topicName(),
        new TouchpointCommand(header(messageId, requestId), command), null);
  }

  public static Message uplink(String vin, String messageId, Object payload) {
    return Message.of(vin, AidTopic.AID2_UPLINK.topicName(), new Aid2Uplink(header(messageId, null), payload), null);
  }

  /**
   * A record on an internal topic carrying a platform envelope or an internal message onward; its header keeps
   * the request id of what it carries, as the stage that wrote it does.
   */
  public static Message internal(AidTopic topic, String key, String messageId, Object payload) {
    String requestId = null;
    if (payload instanceof SpecificRecord r && r.getSchema().getField("header") != null) {
      requestId = ((EnvelopeHeader) r.get(0)).getRequestId();
    } else if (payload instanceof org.aidcmp.schemas.internal.MspTokenClaimAnswer a) {
      requestId = a.getSendMspToken().getHeader().getRequestId();
    }
    return Message.of(key, topic.topicName(), new InternalMessage(header(messageId, requestId), payload), null);
  }

  public static Aid1Inbound mspCall(String messageId, String requestId, Object call) {
    return new Aid1Inbound(header(messageId, requestId), call);
  }

  public static Aid1Result result(String messageId, Object result) {
    return new Aid1Result(header(messageId, null), result);
  }

  public static Aid2Uplink uplinkEnvelope(String messageId, Object payload) {
    return new Aid2Uplink(header(messageId, null), payload);
  }

  /** The values of the emitted records of one type. */
  public static <T> List<T> emitted(Decision<?> decision, Class<T> type) {
    return decision.emits().stream().map(Emit::value).flatMap(v -> unwrap(v).stream())
        .filter(type::isInstance).map(type::cast).toList();
  }

  /** An emitted envelope's payload, and an internal message's payload and what that carries. */
  private static List<Object> unwrap(SpecificRecord value) {
    Object payload = value.get(1);
    if (payload instanceof SpecificRecord inner && inner.getSchema().getFields().size() > 1
        && inner.getSchema().getField("header") != null) {
      return List.of(value, payload, inner.get(1));
    }
    if (payload instanceof org.aidcmp.schemas.internal.VehicleCommand command) {
      return List.of(value, payload, command.getDownlink(), command.getDownlink().getPayload());
    }
    return List.of(value, payload);
  }

  public static List<Emit> emitsTo(Decision<?> decision, AidTopic topic) {
    return decision.emits().stream().filter(e -> e.topic() == topic).toList();
  }
}
