package org.aidcmp.lifecycle;

import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.IMEI;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.EID_1;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.EID_2;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.ICCID_1;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.ICCID_2;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.VIN_1;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.VIN_2;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.RequestInvalidateMspToken;
import org.aidcmp.schemas.aid1.SendCsimStatus;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.FederationInvalidated;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
import org.aidcmp.schemas.lifecycle.WithdrawInitiator;
import org.aidcmp.schemas.touchpoint.WithdrawOnboarding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** §4.4.1 / §4.4.2 withdraw onboarding, §7.1.5 Notify MSP token invalid, §7.1.10 Request invalidate MSP token. */
class WithdrawOnboarding_4_4_Test {
  private final Harness h = new Harness();
  private String token;

  @BeforeEach
  void twoVehiclesWithProfiles() {
    h.registerVehicle(VIN_1, EID_1, IMEI);
    h.registerVehicle(VIN_2, EID_2, IMEI);
    token = h.onboardedUser("user-1", Harness.MSP_A);
    h.provisioned(VIN_1, EID_1, "user-1", ICCID_1);
    h.provisioned(VIN_2, EID_2, "user-1", ICCID_2);
  }

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void withdraw_4_4_2_viaMsp_everyVehicleGetsItsDeleteAndTheTokenStaysUntilTheLastIsGone() {
    String requestId = h.newRequestId();
    h.notifyMspTokenInvalid(Harness.MSP_A, token, requestId);

    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(204);
    assertThat(h.events(FederationInvalidated.class)).singleElement()
        .satisfies(f -> assertThat(f.getInitiatedBy()).isEqualTo(WithdrawInitiator.MSP));
    assertThat(h.downlink(VIN_1, RequestDeleteProfile.class)).singleElement()
        .satisfies(d -> assertThat(d.getIccid()).isEqualTo(ICCID_1));
    assertThat(h.downlink(VIN_2, RequestDeleteProfile.class)).singleElement()
        .satisfies(d -> assertThat(d.getIccid()).isEqualTo(ICCID_2));
    assertThat(h.outbound(RequestInvalidateMspToken.class)).as("the MSP asked for it").isEmpty();

    h.csimStatus(VIN_1, EID_1, Harness.profile(ICCID_1, "user-1", VehicleProfileStatus.DELETED));
    assertThat(h.outbound(SendCsimStatus.class)).singleElement().satisfies(s -> {
      assertThat(s.getIccid()).isEqualTo(ICCID_1);
      assertThat(s.getStatus()).isEqualTo(CsimStatusValue.DELETED);
    });
    assertThat(h.events(FederationRemoved.class)).as("one profile is left").isEmpty();

    h.deleteProfileResult(VIN_2, "user-1", ICCID_2, RequestDeleteProfileResult.SUCCESS);
    assertThat(h.outbound(SendCsimStatus.class)).hasSize(2);
    assertThat(h.events(FederationRemoved.class)).singleElement()
        .satisfies(r -> assertThat(r.getMspToken()).isEqualTo(token));
  }

  @Test
  void withdraw_4_4_1_viaCmpTouchpoint_requestsInvalidationFromTheMsp() {
    String requestId = h.newRequestId();
    h.touchpoint("user-1", new WithdrawOnboarding("user-1", token), requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(202);
    assertThat(h.replyTo(requestId).getBody()).as("the touchpoint redirects to this MSP's withdraw page")
        .isEqualTo("{\"mspId\":\"msp-a\"}");
    assertThat(h.outbound(RequestInvalidateMspToken.class)).singleElement()
        .satisfies(r -> assertThat(r.getMspToken()).isEqualTo(token));
    assertThat(h.downlink(VIN_1, RequestDeleteProfile.class)).hasSize(1);
    assertThat(h.downlink(VIN_2, RequestDeleteProfile.class)).hasSize(1);
  }

  @Test
  void withdraw_4_4_aWithdrawnTokenRequestsNothingNew() {
    h.notifyMspTokenInvalid(Harness.MSP_A, token, h.newRequestId());
    int before = h.outbound(ActivationCodeRequest.class).size();
    h.requestActivationCode(VIN_1, "user-1", EID_1);
    assertThat(h.outbound(ActivationCodeRequest.class)).hasSize(before);
    assertThat(h.downlink(VIN_1, VehicleRequestError.class)).singleElement()
        .satisfies(e -> assertThat(e.getError()).isEqualTo(Aid2Error.NO_SUBSCRIPTION_FOUND));
  }

  @Test
  void withdraw_4_4_aVehicleOfflineForWeeksGetsItsDeleteWhenItComesBack() {
    h.presence(VIN_2, false);
    h.notifyMspTokenInvalid(Harness.MSP_A, token, h.newRequestId());
    String commandId = h.downlink().stream().filter(d -> d.vin().equals(VIN_2))
        .filter(d -> d.payload() instanceof RequestDeleteProfile).findFirst().orElseThrow()
        .downlink().getHeader().getMessageId();

    h.advance(Duration.ofDays(21));
    h.presence(VIN_2, true);

    assertThat(h.downlink().stream().filter(d -> d.vin().equals(VIN_2))
        .filter(d -> d.payload() instanceof RequestDeleteProfile)
        .map(d -> d.downlink().getHeader().getMessageId()))
        .as("sent again with the same command id").containsExactly(commandId, commandId);

    h.deleteProfileResult(VIN_2, "user-1", ICCID_2, RequestDeleteProfileResult.SUCCESS);
    h.presence(VIN_2, false);
    h.presence(VIN_2, true);
    assertThat(h.downlink(VIN_2, RequestDeleteProfile.class)).as("answered: not sent again").hasSize(2);
  }

  @Test
  void withdraw_annexA3_onboardingAgainStartsFromNothing() {
    h.notifyMspTokenInvalid(Harness.MSP_A, token, h.newRequestId());
    h.deleteProfileResult(VIN_1, "user-1", ICCID_1, RequestDeleteProfileResult.SUCCESS);
    h.deleteProfileResult(VIN_2, "user-1", ICCID_2, RequestDeleteProfileResult.PROFILE_NOT_FOUND);
    assertThat(h.events(FederationRemoved.class)).hasSize(1);

    String newToken = java.util.UUID.randomUUID().toString();
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, h.requestAccountId("user-1", Harness.MSP_A), newToken, requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(201);
    assertThat(h.events(FederationEstablished.class)).hasSize(2);

    h.requestActivationCode(VIN_1, "user-1", EID_1);
    ActivationCodeRequest request = (ActivationCodeRequest) h.lastOutbound(ActivationCodeRequest.class).getPayload();
    assertThat(request.getMspToken()).isEqualTo(newToken);
    assertThat(request.getReplaceIccid()).as("nothing of the first onboarding is taken over").isNull();

    // The old token is unknown now: the MSP's calls with it are 404.
    String late = h.newRequestId();
    h.notifyMspTokenInvalid(Harness.MSP_A, token, late);
    Onboarding_4_1_Test.assertOutcome(h.replyTo(late), 404, "20");
  }

  @Test
  void notifyMspTokenInvalid_7_1_5_unknownTokenOrAnotherMspsToken_is404Code20() {
    String unknown = h.newRequestId();
    h.notifyMspTokenInvalid(Harness.MSP_A, java.util.UUID.randomUUID().toString(), unknown);
    Onboarding_4_1_Test.assertOutcome(h.replyTo(unknown), 404, "20");

    String other = h.newRequestId();
    h.notifyMspTokenInvalid(Harness.MSP_B, token, other);
    Onboarding_4_1_Test.assertOutcome(h.replyTo(other), 404, "20");
    assertThat(h.events(FederationInvalidated.class)).isEmpty();
  }
}
