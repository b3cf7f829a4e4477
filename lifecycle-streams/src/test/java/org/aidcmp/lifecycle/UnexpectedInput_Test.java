package org.aidcmp.lifecycle;

import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.EID;
import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.IMEI;
import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.VIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aidcmp.lifecycle.route.RoutesProcessor;
import org.aidcmp.lifecycle.user.UserProcessor;
import org.aidcmp.lifecycle.vehicle.VehicleProcessor;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.internal.MspTokenClaim;
import org.aidcmp.schemas.internal.VehicleCommand;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.kafka.common.errors.SerializationException;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.AcceptAidTerms;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A processor dispatches by source topic and payload type: a tombstone, or a record of another topic's payload
 * type, on any input topic is one dead letter naming that topic and changes no aggregate. Only the fleet
 * registry gives a tombstone a meaning (it retires the vehicle).
 */
class UnexpectedInput_Test {
  private final Harness h = new Harness();
  private String token;

  @BeforeEach
  void aRegisteredVehicleAndAnOnboardedUser() {
    h.registerVehicle(VIN, EID, IMEI);
    token = h.onboardedUser("user-1", Harness.MSP_A);
    h.deadLetters();
  }

  @AfterEach
  void close() {
    h.close();
  }

  /** Every aggregate's state, by store and key. */
  private Map<String, Object> aggregates() {
    Map<String, Object> all = new HashMap<>();
    for (String store : List.of(UserProcessor.STORE, VehicleProcessor.STORE, RoutesProcessor.STORE)) {
      KeyValueStore<String, Object> kv = h.driver().getKeyValueStore(store);
      try (KeyValueIterator<String, Object> it = kv.all()) {
        it.forEachRemaining(entry -> all.put(store + "/" + entry.key, entry.value));
      }
    }
    return all;
  }

  /** The key a record on that topic would have for the vehicle, the user or the token above. */
  private String keyFor(AidTopic topic) {
    return switch (topic) {
      case AID2_UPLINK, INTERNAL_VEHICLES, REF_VEHICLES -> VIN;
      case AID1_INBOUND, AID1_RESULTS, INTERNAL_ROUTES -> token;
      default -> "user-1";
    };
  }

  private void assertOneDeadLetterFrom(AidTopic topic, Map<String, Object> before) {
    assertThat(h.deadLetters()).singleElement().satisfies(d ->
        assertThat(((DeadLetter) d.getPayload()).getSourceTopic()).isEqualTo(topic.topicName()));
    assertThat(aggregates()).as("no aggregate changed").isEqualTo(before);
    assertThat(h.events()).as("no lifecycle event").hasSize(eventsBefore);
    assertThat(h.downlink()).as("nothing to a vehicle").isEmpty();
  }

  private int eventsBefore;

  @ParameterizedTest
  @EnumSource(value = AidTopic.class, names = {"TOUCHPOINT_COMMANDS", "AID1_INBOUND", "AID1_RESULTS", "AID2_UPLINK",
      "INTERNAL_USERS", "INTERNAL_VEHICLES", "INTERNAL_ROUTES"})
  void aTombstoneIsADeadLetterAndChangesNoAggregate(AidTopic topic) {
    Map<String, Object> before = aggregates();
    eventsBefore = h.events().size();
    h.rawInput(topic, keyFor(topic), null);
    assertOneDeadLetterFrom(topic, before);
  }

  @Test
  void aTombstoneOnTheUplinkDoesNotRetireTheVehicle() {
    h.rawInput(AidTopic.AID2_UPLINK, VIN, null);
    h.requestActivationCode(VIN, "user-1", EID);
    assertThat(h.downlink(VIN, VehicleRequestError.class)).as("not UNKNOWN_VIN: the vehicle is registered").isEmpty();
    assertThat(h.outbound(ActivationCodeRequest.class)).hasSize(1);
  }

  @Test
  void aTombstoneKeyedByAUserOnTheTouchpointTopicCreatesNoVehicle() {
    h.rawInput(AidTopic.TOUCHPOINT_COMMANDS, "user-1", null);
    KeyValueStore<String, Object> vehicles = h.driver().getKeyValueStore(VehicleProcessor.STORE);
    assertThat(vehicles.get("user-1")).isNull();
    assertThat(h.deadLetters()).hasSize(1);
  }

  /**
   * A record written with another topic's schema does not decode as this topic's envelope: the deserializer
   * refuses it (Avro alone would "resolve" one envelope into another by shape), so the KIP-1034 handler makes it
   * a dead letter ({@code DeadLetters_Test}; the TopologyTestDriver does not surface the handler's records), and
   * no aggregate changes.
   */
  @ParameterizedTest
  @EnumSource(value = AidTopic.class, names = {"TOUCHPOINT_COMMANDS", "AID1_INBOUND", "AID1_RESULTS", "AID2_UPLINK",
      "REF_VEHICLES"})
  @SuppressWarnings("unchecked")
  void aRecordOfAnotherTopicsPayloadTypeDoesNotDecodeAndChangesNoAggregate(AidTopic topic) {
    Map<String, Object> before = aggregates();
    eventsBefore = h.events().size();
    SpecificRecord foreign = topic == AidTopic.TOUCHPOINT_COMMANDS
        ? new InternalMessage(header(), new VehicleCommand(deleteCommand(), false, null))
        : new TouchpointCommand(header(), new AcceptAidTerms("user-1", "v2"));
    AidTopic itsOwn = foreign instanceof TouchpointCommand ? AidTopic.TOUCHPOINT_COMMANDS : AidTopic.INTERNAL_VEHICLES;
    byte[] bytes = new AvroSerializer<SpecificRecord>(h.registry(), true).serialize(itsOwn.topicName(), foreign);

    assertThatThrownBy(() -> new AvroDeserializer<>(h.registry(), (Class<SpecificRecord>) topic.valueType())
        .deserialize(topic.topicName(), bytes))
        .isInstanceOf(SerializationException.class).hasMessageContaining("not a " + topic.valueType().getName());
    h.rawInput(topic, keyFor(topic), bytes);

    assertThat(aggregates()).as("no aggregate changed").isEqualTo(before);
    assertThat(h.events()).as("no lifecycle event").hasSize(eventsBefore);
    assertThat(h.downlink()).as("nothing to a vehicle").isEmpty();
    h.acceptTerms("user-1");
    assertThat(h.events()).as("processing goes on").hasSize(eventsBefore + 1);
  }

  /** Internal topics share one envelope: a message meant for another stage decodes, and is refused by type. */
  @ParameterizedTest
  @EnumSource(value = AidTopic.class, names = {"INTERNAL_USERS", "INTERNAL_VEHICLES", "INTERNAL_ROUTES"})
  void anInternalMessageMeantForAnotherStageIsADeadLetterAndChangesNoAggregate(AidTopic topic) {
    Map<String, Object> before = aggregates();
    eventsBefore = h.events().size();
    Object payload = topic == AidTopic.INTERNAL_VEHICLES
        ? new MspTokenClaim(token, Harness.MSP_A, "user-1",
            new org.aidcmp.schemas.aid1.Aid1Inbound(header(), h.sendMspTokenBody(Harness.MSP_A, "sid", token)))
        : new VehicleCommand(deleteCommand(), false, null);
    h.driver().createInputTopic(topic.topicName(), new StringSerializer(), new AvroSerializer<SpecificRecord>(h.registry(), true))
        .pipeInput(keyFor(topic), new InternalMessage(header(), payload), h.now());
    assertOneDeadLetterFrom(topic, before);
  }

  private Aid2Downlink deleteCommand() {
    return new Aid2Downlink(header(), new RequestDeleteProfile(new VehicleRequestId(VIN, 1L), "user-1",
        "8988239000000000001", EID));
  }

  private org.aidcmp.schemas.common.EnvelopeHeader header() {
    return Envelopes.header(java.util.UUID.randomUUID().toString(), "test", null, null, Instant.now());
  }
}
