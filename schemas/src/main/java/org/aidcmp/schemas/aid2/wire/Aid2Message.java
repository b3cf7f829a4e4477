package org.aidcmp.schemas.aid2.wire;

import org.apache.avro.specific.SpecificRecord;

/** An AiD2 message as it travels over MQTT: its name in the topic scheme, its section, its Avro payload type. */
public sealed interface Aid2Message permits UplinkMessage, DownlinkMessage {

  /** The last level of its MQTT topic, e.g. {@code request-activation-code}. */
  String topicName();

  /** The AID.02 section that defines it. */
  String section();

  Class<? extends SpecificRecord> payloadType();

  /** Its JSON Schema on the class path, the one the bridge validates with and the AsyncAPI document names. */
  default String schemaResource() {
    return Aid2Json.SCHEMA_FOLDER + topicName() + ".schema.json";
  }
}
