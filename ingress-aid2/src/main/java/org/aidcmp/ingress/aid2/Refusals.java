package org.aidcmp.ingress.aid2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;

/**
 * What the bridge writes for a message it refused: the {@code error} downlink that tells the vehicle (§7.2.1
 * Response, INVALID_MESSAGE with the reason as description) and the dead letter for aid.dlq.v1.
 *
 * <p>The dead letter's origin is MQTT, not Kafka: {@code sourceTopic} is {@code mqtt:} followed by the
 * MQTT topic it arrived on, {@code sourcePartition} and {@code sourceOffset} are -1 (there is no Kafka position),
 * the key is the VIN (none when the topic names no vehicle) and the value the payload as received, unless it was
 * over {@link Aid2Json#MAX_PAYLOAD_BYTES} (then none: the reason says so). {@code aid dlq} lists such a letter
 * with its MQTT topic and does not redrive it: the vehicle was told and sends again.
 */
final class Refusals {
  static final String MQTT_ORIGIN = Aid2Bridge.MQTT_ORIGIN;
  static final String STAGE = Aid2Bridge.DEAD_LETTER_STAGE;

  private final Aid2Json json;

  Refusals(Aid2Json json) {
    this.json = json;
  }

  /** The error payload for the vehicle; its CommandId is derived from the refused message. */
  byte[] errorDownlink(UplinkReader.Refused refused) {
    return json.writeDownlink(refused.commandId(), VehicleRequestError.newBuilder()
        .setError(Aid2Error.INVALID_MESSAGE)
        .setDescription(refused.reason())
        .build());
  }

  DeadLetterRecord deadLetter(String mqttTopic, byte[] payload, UplinkReader.Refused refused, Instant at) {
    io.micrometer.core.instrument.Metrics.counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS, "stage", STAGE)
        .increment();
    DeadLetter letter = DeadLetter.newBuilder()
        .setSourceTopic(MQTT_ORIGIN + mqttTopic)
        .setSourcePartition(-1)
        .setSourceOffset(-1)
        .setKey(refused.vin().map(v -> ByteBuffer.wrap(v.getBytes(StandardCharsets.UTF_8))).orElse(null))
        .setValue(payload == null || payload.length > Aid2Json.MAX_PAYLOAD_BYTES ? null : ByteBuffer.wrap(payload))
        .setStage(STAGE)
        .setReason(refused.reason())
        .setErrorClass("InvalidAid2Message")
        .setAttempts(1)
        .build();
    return new DeadLetterRecord(Envelopes.header(refused.deadLetterId(), UplinkReader.SOURCE, null, null, at), letter);
  }
}
