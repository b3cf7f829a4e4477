package org.aidcmp.lifecycle;

import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.EID;
import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.IMEI;
import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.VIN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.MspCallRejected;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailure;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** §7.1.8 both answer modes: 201 then Send activation code (§7.1.8.2.1), and what happens when no AC comes. */
class AsyncActivationCode_7_1_8_Test {
  private final Harness h = new Harness(LifecycleSettings.defaults().withActivationCodeDeadline(Duration.ofMinutes(5)));
  private String token;
  private Aid1Outbound command;
  private String activationCodeRequestId;

  @BeforeEach
  void requested() {
    h.registerVehicle(VIN, EID, IMEI);
    token = h.onboardedUser("user-1", Harness.MSP_A);
    h.requestActivationCode(VIN, "user-1", EID);
    command = h.lastOutbound(ActivationCodeRequest.class);
    activationCodeRequestId = ((ActivationCodeRequest) command.getPayload()).getActivationCodeRequestId();
  }

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void requestActivationCode_7_1_8_2_201ThenSendActivationCodeMatchedByRequestIdReachesTheVehicle() {
    h.activationCodeRequestAccepted(command);
    assertThat(h.downlink(VIN, SendActivationCodeToVehicle.class)).isEmpty();

    String requestId = h.newRequestId();
    h.sendActivationCode(Harness.MSP_A, token, activationCodeRequestId, "89882390000123456789", null, null, requestId);

    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(200);
    assertThat(h.downlink(VIN, SendActivationCodeToVehicle.class)).hasSize(1);
  }

  @Test
  void sendActivationCode_7_1_8_2_1_unmatchedRequestId_is422() {
    h.activationCodeRequestAccepted(command);
    String requestId = h.newRequestId();
    h.sendActivationCode(Harness.MSP_A, token, UUID.randomUUID().toString(), "89882390000123456789", null, null,
        requestId);
    Onboarding_4_1_Test.assertOutcome(h.replyTo(requestId), 422, "30");
    assertThat(h.downlink(VIN, SendActivationCodeToVehicle.class)).isEmpty();
  }

  @Test
  void sendActivationCode_7_1_8_2_1_anErrorTellsTheVehicleNoActivationCodeAvailale() {
    h.activationCodeRequestAccepted(command);
    String requestId = h.newRequestId();
    h.sendActivationCode(Harness.MSP_A, token, activationCodeRequestId, null, null, "1000:Customer not eligible",
        requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(200);
    assertThat(h.downlink(VIN, VehicleRequestError.class)).singleElement()
        .satisfies(e -> assertThat(e.getError()).isEqualTo(Aid2Error.NO_ACTIVATION_CODE_AVAILALE));
  }

  @Test
  void requestActivationCode_7_1_8_2_anAnswerThatNeverComesFailsAtTheDeadline() {
    h.activationCodeRequestAccepted(command);
    h.advance(Duration.ofMinutes(4));
    assertThat(h.downlink(VIN, VehicleRequestError.class)).isEmpty();
    h.advance(Duration.ofMinutes(2));
    assertThat(h.downlink(VIN, VehicleRequestError.class)).singleElement()
        .satisfies(e -> assertThat(e.getError()).isEqualTo(Aid2Error.NO_ACTIVATION_CODE_AVAILALE));
    assertThat(h.events(ActivationCodeFailed.class)).singleElement()
        .satisfies(f -> assertThat(f.getFailure()).isEqualTo(ActivationCodeFailure.DEADLINE_PASSED));

    // A late AC no longer matches anything.
    String requestId = h.newRequestId();
    h.sendActivationCode(Harness.MSP_A, token, activationCodeRequestId, "89882390000123456789", null, null, requestId);
    Onboarding_4_1_Test.assertOutcome(h.replyTo(requestId), 422, "30");
  }

  /**
   * The wall-clock scan runs past the deadline: the failure is decided at the deadline's own time, not the scan's,
   * so the same inputs decide the same fact however late they are processed (a replay).
   */
  @Test
  void requestActivationCode_7_1_8_2_theDeadlineIsDecidedAtItsOwnTimeNotTheScans() {
    h.activationCodeRequestAccepted(command);
    java.time.Instant deadline = h.events(ActivationCodeRequested.class).get(0).getDeadline();
    h.advance(Duration.ofMinutes(7));
    assertThat(h.lifecycleEvents()).filteredOn(e -> e.getPayload() instanceof ActivationCodeFailed).singleElement()
        .satisfies(e -> assertThat(e.getHeader().getOccurredAt()).isEqualTo(deadline));
  }

  /**
   * A record stamped after the deadline comes before the wall clock got there (a replay reads the inputs long
   * after): the deadline passes first, so the late AC no longer matches, as when the platform met it in time.
   */
  @Test
  void requestActivationCode_7_1_8_2_aRecordStampedAfterTheDeadlineFindsItPassed() {
    h.activationCodeRequestAccepted(command);
    h.recordsLater(Duration.ofMinutes(6));
    String requestId = h.newRequestId();
    h.sendActivationCode(Harness.MSP_A, token, activationCodeRequestId, "89882390000123456789", null, null, requestId);
    Onboarding_4_1_Test.assertOutcome(h.replyTo(requestId), 422, "30");
    assertThat(h.events(ActivationCodeFailed.class)).singleElement()
        .satisfies(f -> assertThat(f.getFailure()).isEqualTo(ActivationCodeFailure.DEADLINE_PASSED));
    assertThat(h.downlink(VIN, SendActivationCodeToVehicle.class)).isEmpty();
  }

  @Test
  void requestActivationCode_7_1_8_a4xxFromTheMspTellsTheVehicle() {
    h.result(token, new MspCallRejected(Harness.ref(command, MspCall.REQUEST_ACTIVATION_CODE), 422,
        new ErrorInfo("49", "Other activation code error")));
    assertThat(h.downlink(VIN, VehicleRequestError.class)).singleElement()
        .satisfies(e -> assertThat(e.getError()).isEqualTo(Aid2Error.NO_ACTIVATION_CODE_AVAILALE));
  }

  @Test
  void requestActivationCode_7_1_8_anMspThatCannotBeReachedTellsTheVehicle() {
    h.result(token, new MspCallGaveUp(Harness.ref(command, MspCall.REQUEST_ACTIVATION_CODE), "timeouts", 503));
    assertThat(h.events(ActivationCodeFailed.class)).singleElement()
        .satisfies(f -> assertThat(f.getFailure()).isEqualTo(ActivationCodeFailure.MSP_UNREACHABLE));
    // The vehicle may ask again: a new request goes out.
    h.requestActivationCode(VIN, "user-1", EID);
    assertThat(h.outbound(ActivationCodeRequest.class)).hasSize(2);
  }

  @Test
  void requestActivationCode_4_3_1_aLateAcThatSwappedAProfileStillInvalidatesIt() {
    // user-1 has a profile on another vehicle; the AC for this vehicle comes after its deadline, with a swap.
    String otherVin = "WBAUX11030A000009";
    String otherEid = "89049032000000000000000000000009";
    h.registerVehicle(otherVin, otherEid, IMEI);
    h.provisioned(otherVin, otherEid, "user-1", "8988239000000000111");
    h.advance(Duration.ofMinutes(16)); // the first request, made before, is past its deadline now
    String requestId = h.newRequestId();
    h.sendActivationCode(Harness.MSP_A, token, activationCodeRequestId, "89882390000123456789",
        "8988239000000000111", null, requestId);

    Onboarding_4_1_Test.assertOutcome(h.replyTo(requestId), 422, "30");
    assertThat(h.downlink(otherVin, org.aidcmp.schemas.aid2.RequestDeleteProfile.class)).singleElement()
        .satisfies(d -> assertThat(d.getIccid()).isEqualTo("8988239000000000111"));
    assertThat(h.downlink(VIN, SendActivationCodeToVehicle.class)).as("the late AC is not sent").isEmpty();
  }
}
