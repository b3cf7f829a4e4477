package org.aidcmp.schemas.aid2.wire;

import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/** An AiD2 message as it travels over MQTT: its name in the topic scheme, its section, its Avro payload type. */
public sealed interface Aid2Message permits UplinkMessage, DownlinkMessage {

  /** What each message is: the same three facts for either direction. */
  record Kind(String topicName, String section, Class<? extends SpecificRecord> payloadType) {}

  Kind kind();

  /** The last level of its MQTT topic, e.g. {@code request-activation-code}. */
  default String topicName() {
    return kind().topicName();
  }

  /** The AID.02 section that defines it. */
  default String section() {
    return kind().section();
  }

  default Class<? extends SpecificRecord> payloadType() {
    return kind().payloadType();
  }

  /** Its JSON Schema on the class path, the one the bridge validates with and the AsyncAPI document names. */
  default String schemaResource() {
    return Aid2Json.SCHEMA_FOLDER + topicName() + ".schema.json";
  }

  /** The message of {@code messages} with this topic name. */
  static <M extends Aid2Message> Optional<M> byTopicName(M[] messages, String name) {
    for (M m : messages) {
      if (m.topicName().equals(name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The message of {@code messages} a payload record travels as. */
  static <M extends Aid2Message> M of(M[] messages, SpecificRecord payload, String direction) {
    for (M m : messages) {
      if (m.payloadType().isInstance(payload)) {
        return m;
      }
    }
    throw new IllegalArgumentException("Not an AiD2 " + direction + " message: " + payload.getClass().getSimpleName());
  }
}
