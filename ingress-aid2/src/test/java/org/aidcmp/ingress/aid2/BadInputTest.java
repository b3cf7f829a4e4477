package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.topics.AidTopic;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input (AID.02 §7.2.1 Response, INVALID_MESSAGE): the sender gets an {@code error} downlink naming what was
 * wrong, aid.dlq.v1 a dead letter with the MQTT origin, aid.aid2.uplink.v1 nothing; the bridge goes on. Topics
 * outside the scheme never get here from a vehicle (the broker's ACL allows it {@code up/+} and {@code presence}
 * only): {@link UplinkReaderTest} holds the bridge to refusing them all the same.
 */
@ExtendWith(BridgeStack.class)
class BadInputTest {
  private static final Aid2Json JSON = new Aid2Json();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A kind of bad input: the topic under the vehicle's root, the payload for a VIN, what the reason says. */
  record Case(String name, String topicUnderRoot, java.util.function.Function<String, byte[]> payload, String says) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case("not JSON", "up/request-activation-code", vin -> bytes("{\"RequestId\": {"), "not JSON"),
        new Case("not a JSON object", "up/csim-status", vin -> bytes("[1,2,3]"), "a JSON object is expected"),
        new Case("unknown message", "up/request-coffee", BadInputTest::valid, "unknown uplink message 'request-coffee'"),
        new Case("wrong field type", "up/csim-status", vin -> with(vin, UplinkMessage.CSIM_STATUS, "Profiles", "many"),
            "does not fit its schema"),
        new Case("missing field", "up/request-activation-code", vin -> without(vin, "eid"), "does not fit its schema"),
        new Case("field not in the schema", "up/request-activation-code",
            vin -> with(vin, UplinkMessage.REQUEST_ACTIVATION_CODE, "extra", "x"), "does not fit its schema"),
        new Case("oversize", "up/csim-status", vin -> with(vin, UplinkMessage.CSIM_STATUS, "csimNetwork",
            "x".repeat(Aid2Json.MAX_PAYLOAD_BYTES)), "at most " + Aid2Json.MAX_PAYLOAD_BYTES),
        new Case("VIN mismatch", "up/request-activation-code", vin -> valid("OTHER" + vin.substring(5)),
            "RequestId.VehicleID is not the VIN of the topic"),
        new Case("presence neither online nor offline", "presence", vin -> bytes("away"), "\"online\" or \"offline\""))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theSenderIsToldADeadLetterIsWrittenAndNothingReachesTheUplinkTopic(Case c, BridgeStack.Stack stack) {
    String vin = stack.vin("BAD");
    String topic = Aid2Topics.vehicleRoot(vin) + c.topicUnderRoot();
    byte[] payload = c.payload().apply(vin);
    long downlinkRecords = stack.records(AidTopic.AID2_DOWNLINK);
    try (Vehicle vehicle = stack.vehicle(vin)) {
      Vehicle.join(vehicle.publish(topic, payload));
      Await.until("an error downlink and a dead letter for " + c,
          () -> !vehicle.errors().isEmpty() && !stack.tap.deadLetters(vin).isEmpty());

      var error = vehicle.errors().get(0).json();
      assertThat(error.get("error").asText()).isEqualTo("INVALID_MESSAGE");
      assertThat(error.get("description").asText()).contains(c.says());
      assertThat(error.get("CommandId").asText()).isEqualTo(Envelopes.derivedId(topic, sha256(payload), "error"));
      assertThat(JSON.violations(org.aidcmp.schemas.aid2.wire.DownlinkMessage.ERROR, vehicle.errors().get(0).payload()))
          .as("the error downlink fits its own schema").isEmpty();

      var letterRecord = stack.tap.deadLetters(vin).get(0).value();
      DeadLetter letter = (DeadLetter) letterRecord.getPayload();
      assertThat(letter.getStage()).isEqualTo("ingress-aid2");
      assertThat(letter.getSourceTopic()).isEqualTo("mqtt:" + topic);
      assertThat(letter.getSourcePartition()).isEqualTo(-1);
      assertThat(letter.getSourceOffset()).isEqualTo(-1L);
      assertThat(letter.getReason()).isEqualTo(error.get("description").asText());
      assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(vin.getBytes(StandardCharsets.UTF_8)));
      if (payload.length > Aid2Json.MAX_PAYLOAD_BYTES) {
        assertThat(letter.getValue()).isNull();
      } else {
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(payload));
      }
      assertThat(letterRecord.getHeader().getSource()).isEqualTo("ingress-aid2");

      // The bridge goes on: the vehicle's next, valid message gets through, and it is the only record.
      vehicle.send(UplinkMessage.REQUEST_ACTIVATION_CODE, valid(vin));
      Await.until("the valid message of " + vin, () -> !stack.tap.uplinks(vin).isEmpty());
      Await.settle(java.time.Duration.ofMillis(300));
      assertThat(stack.tap.uplinks(vin)).hasSize(1);
      assertThat(stack.tap.deadLetters(vin)).hasSize(1);
      assertThat(stack.records(AidTopic.AID2_DOWNLINK)).as("the bridge writes no downlink record")
          .isEqualTo(downlinkRecords);
    }
  }

  static byte[] valid(String vin) {
    return JSON.writeUplink(Uplinks.of(vin, 1_700_000_000L).get(UplinkMessage.REQUEST_ACTIVATION_CODE));
  }

  private static byte[] with(String vin, UplinkMessage m, String field, String value) {
    try {
      ObjectNode json = (ObjectNode) MAPPER.readTree(JSON.writeUplink(Uplinks.of(vin, 1_700_000_000L).get(m)));
      json.put(field, value);
      return MAPPER.writeValueAsBytes(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] without(String vin, String field) {
    try {
      ObjectNode json = (ObjectNode) MAPPER.readTree(valid(vin));
      json.remove(field);
      return MAPPER.writeValueAsBytes(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String sha256(byte[] payload) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
