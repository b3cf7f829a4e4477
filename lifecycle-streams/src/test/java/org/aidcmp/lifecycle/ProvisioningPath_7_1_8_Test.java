package org.aidcmp.lifecycle;

import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.EID;
import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.IMEI;
import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.VIN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.internal.VehicleCommand;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * §4.3 / §7.1.8 on its short path: the command names its user, egress keys the result by it, the user stage
 * takes it straight from aid.aid1.results.v1 and writes the AC to the downlink itself; the vehicle stage learns
 * of it after, off the critical path, and keeps it until the vehicle answers.
 */
class ProvisioningPath_7_1_8_Test {
  private final Harness h = new Harness();
  private TestOutputTopic<String, SpecificRecord> internalRoutes;
  private TestOutputTopic<String, SpecificRecord> internalVehicles;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void onboarded() {
    h.registerVehicle(VIN, EID, IMEI);
    h.onboardedUser("user-1", Harness.MSP_A);
    internalRoutes = h.driver().createOutputTopic(AidTopic.INTERNAL_ROUTES.topicName(), new StringDeserializer(),
        new AvroDeserializer<>(h.registry(), (Class<SpecificRecord>) AidTopic.INTERNAL_ROUTES.valueType()));
    internalVehicles = h.driver().createOutputTopic(AidTopic.INTERNAL_VEHICLES.topicName(), new StringDeserializer(),
        new AvroDeserializer<>(h.registry(), (Class<SpecificRecord>) AidTopic.INTERNAL_VEHICLES.valueType()));
    internalRoutes.readValuesToList();
    internalVehicles.readValuesToList();
  }

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void requestActivationCode_7_1_8_theCommandNamesItsUserAndTheResultNeedsNoRoute() {
    h.requestActivationCode(VIN, "user-1", EID);
    Aid1Outbound command = h.lastOutbound(ActivationCodeRequest.class);
    assertThat(command.getCmpUserId()).isEqualTo("user-1");

    h.activationCodeIssued(command, "89882390000123456789", null);

    assertThat(h.downlink(VIN, SendActivationCodeToVehicle.class)).hasSize(1);
    assertThat(internalRoutes.readValuesToList()).as("the result took no routing hop").isEmpty();
    assertThat(internalVehicles.readValuesToList()).singleElement().satisfies(v -> {
      VehicleCommand sent = (VehicleCommand) ((InternalMessage) v).getPayload();
      assertThat(sent.getSent()).as("the vehicle stage keeps it, does not send it again").isTrue();
      assertThat(sent.getIccid()).isEqualTo("89882390000123456789");
    });
  }

  @Test
  void requestActivationCode_7_1_8_aResultKeyedByMspTokenAsBeforeStillFindsItsUser() {
    h.requestActivationCode(VIN, "user-1", EID);
    Aid1Outbound command = h.lastOutbound(ActivationCodeRequest.class);
    ActivationCodeRequest request = (ActivationCodeRequest) command.getPayload();
    MspCallRef legacy = new MspCallRef(command.getHeader().getMessageId(), Harness.MSP_A, request.getMspToken(),
        MspCall.REQUEST_ACTIVATION_CODE, 1, null);

    h.result(request.getMspToken(), new ActivationCodeIssued(legacy, request.getActivationCodeRequestId(),
        "89882390000123456789", "1$SMDP.EXAMPLE$89882390000123456789", "personal", null));

    assertThat(internalRoutes.readValuesToList()).as("routed by its token").hasSize(1);
    assertThat(h.events(ActivationCodeReceived.class)).hasSize(1);
    assertThat(h.downlink(VIN, SendActivationCodeToVehicle.class)).hasSize(1);
  }

  /**
   * Two stages write to the vehicle now: the vehicle's install report can reach the vehicle stage before the
   * user stage's note that it sent the AC. Decided by what the vehicle reported, not by timing: the AC is not
   * kept, so coming online does not send it again.
   */
  @Test
  void theVehiclesInstallReportOvertakingTheNoteOfTheAcSentDoesNotLeaveTheAcPending() {
    h.installed(VIN, "user-1", EID, "89882390000123456789", DownloadInstallResult.SUCCESS);
    Aid2Downlink ac = new Aid2Downlink(Envelopes.header(UUID.randomUUID().toString(), "lifecycle-streams", null,
        null, h.now()), new SendActivationCodeToVehicle(h.vehicleRequestId(VIN), "user-1", "personal", "1$X$Y"));
    h.driver().createInputTopic(AidTopic.INTERNAL_VEHICLES.topicName(), new StringSerializer(),
        new AvroSerializer<SpecificRecord>(h.registry(), true)).pipeInput(VIN, new InternalMessage(
            Envelopes.header(UUID.randomUUID().toString(), "lifecycle-streams", null, null, h.now()),
            new VehicleCommand(ac, true, "89882390000123456789")), h.now());

    h.presence(VIN, true);

    assertThat(h.downlink(VIN, SendActivationCodeToVehicle.class)).as("not sent again").isEmpty();
  }

  @Test
  void anAcSentByTheUserStageIsSentAgainWhenTheVehicleComesBackOnlineBeforeAnswering() {
    h.requestActivationCode(VIN, "user-1", EID);
    h.activationCodeIssued(h.lastOutbound(ActivationCodeRequest.class), "89882390000123456789", null);
    Aid2Downlink first = h.downlink().get(0).downlink();

    h.presence(VIN, true);

    assertThat(h.downlink()).filteredOn(d -> d.payload() instanceof SendActivationCodeToVehicle)
        .extracting(d -> d.downlink().getHeader().getMessageId())
        .containsExactly(first.getHeader().getMessageId(), first.getHeader().getMessageId());
  }
}
