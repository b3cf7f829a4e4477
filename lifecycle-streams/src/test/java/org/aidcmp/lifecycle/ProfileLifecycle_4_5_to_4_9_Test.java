package org.aidcmp.lifecycle;

import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.IMEI;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.EID_1;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.EID_2;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.ICCID_1;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.ICCID_2;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.VIN_1;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.VIN_2;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspProfileState;
import org.aidcmp.schemas.aid1.MspProfileStatus;
import org.aidcmp.schemas.aid1.ProfileInformation;
import org.aidcmp.schemas.aid1.ProfileStatusReceived;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.aid1.SendCsimStatus;
import org.aidcmp.schemas.aid1.SendProfileInformation;
import org.aidcmp.schemas.aid1.UpdateSubscriptionInfo;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.common.ProfileInformationStatus;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.lifecycle.DeleteReason;
import org.aidcmp.schemas.lifecycle.ProfileDeleteRequested;
import org.aidcmp.schemas.lifecycle.ProfileDeleted;
import org.aidcmp.schemas.lifecycle.ProfileDisableFailed;
import org.aidcmp.schemas.lifecycle.ProfileDisabled;
import org.aidcmp.schemas.lifecycle.ProfileEnableFailed;
import org.aidcmp.schemas.lifecycle.ProfileEnabled;
import org.aidcmp.schemas.lifecycle.ProfileMspStatusChanged;
import org.aidcmp.schemas.lifecycle.ProfilesReconciled;
import org.aidcmp.schemas.lifecycle.SubscriptionUpdated;
import org.aidcmp.schemas.touchpoint.DeleteProfile;
import org.aidcmp.schemas.touchpoint.SyncProfileStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** §4.5 delete, §4.6 status sync, §4.7 profile information, §4.8 subscription info, §4.9 enable / disable. */
class ProfileLifecycle_4_5_to_4_9_Test {
  private Harness h = new Harness();
  private String token;

  private void twoProfiles() {
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
  void deleteProfile_4_5_oneProfileOnOneVehicle() {
    twoProfiles();
    String requestId = h.newRequestId();
    h.touchpoint("user-1", new DeleteProfile("user-1", VIN_1, ICCID_1), requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(202);
    assertThat(h.downlink(VIN_1, RequestDeleteProfile.class)).singleElement()
        .satisfies(d -> assertThat(d.getIccid()).isEqualTo(ICCID_1));
    assertThat(h.downlink(VIN_2, RequestDeleteProfile.class)).isEmpty();

    h.deleteProfileResult(VIN_1, "user-1", ICCID_1, RequestDeleteProfileResult.SUCCESS);
    assertThat(h.events(ProfileDeleted.class)).singleElement()
        .satisfies(d -> assertThat(d.getProfile().getIccid()).isEqualTo(ICCID_1));
    assertThat(h.outbound(SendCsimStatus.class)).as("deleted goes to the MSP by default (§4.5 [8])").hasSize(1);
  }

  @Test
  void deleteProfile_4_5_aProfileNotOnThatVehicle_is404() {
    twoProfiles();
    String requestId = h.newRequestId();
    h.touchpoint("user-1", new DeleteProfile("user-1", VIN_2, ICCID_1), requestId);
    Onboarding_4_1_Test.assertOutcome(h.replyTo(requestId), 404, "61");
  }

  @Test
  void profileStatusSync_4_6_aProfileTheMspNoLongerListsIsDeletedTheRestReported() {
    twoProfiles();
    String requestId = h.newRequestId();
    h.touchpoint("user-1", new SyncProfileStatus("user-1", token, null), requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(202);
    var command = h.lastOutbound(RequestProfileStatus.class);

    h.result(token, new ProfileStatusReceived(Harness.ref(command, MspCall.REQUEST_PROFILE_STATUS), null,
        List.of(new MspProfileStatus(ICCID_2, MspProfileState.ENABLED),
            new MspProfileStatus("8988239000000000099", MspProfileState.PREPARED))));

    assertThat(h.downlink(VIN_1, RequestDeleteProfile.class)).singleElement()
        .satisfies(d -> assertThat(d.getIccid()).isEqualTo(ICCID_1));
    assertThat(h.events(ProfileDeleteRequested.class)).singleElement()
        .satisfies(d -> assertThat(d.getReason()).isEqualTo(DeleteReason.RECONCILIATION));
    assertThat(h.events(ProfilesReconciled.class)).singleElement().satisfies(r ->
        assertThat(r.getChanges()).extracting(c -> c.getIccid())
            .containsExactlyInAnyOrder(ICCID_1, ICCID_2, "8988239000000000099"));
  }

  @Test
  void sendProfileInformation_4_7_invalidDeletesSuspendedAndValidAreRecorded() {
    twoProfiles();
    String requestId = h.newRequestId();
    h.mspCall(token, new SendProfileInformation(Harness.MSP_A, token, List.of(
        new ProfileInformation(ICCID_1, ProfileInformationStatus.INVALID, "profile defect"),
        new ProfileInformation(ICCID_2, ProfileInformationStatus.SUSPENDED, "contract was suspended"))), requestId);

    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(200);
    assertThat(h.downlink(VIN_1, RequestDeleteProfile.class)).hasSize(1);
    assertThat(h.downlink(VIN_2, RequestDeleteProfile.class)).as("suspended: no action").isEmpty();
    assertThat(h.events(ProfileMspStatusChanged.class)).extracting(ProfileMspStatusChanged::getStatus)
        .containsExactly(ProfileInformationStatus.INVALID, ProfileInformationStatus.SUSPENDED);
  }

  @Test
  void sendProfileInformation_7_1_6_anUnknownIccidRefusesTheWholeCall() {
    twoProfiles();
    String requestId = h.newRequestId();
    h.mspCall(token, new SendProfileInformation(Harness.MSP_A, token, List.of(
        new ProfileInformation(ICCID_1, ProfileInformationStatus.INVALID, null),
        new ProfileInformation("8988239000000000077", ProfileInformationStatus.INVALID, null))), requestId);
    Onboarding_4_1_Test.assertOutcome(h.replyTo(requestId), 404, "61");
    assertThat(h.downlink(VIN_1, RequestDeleteProfile.class)).as("nothing half-done").isEmpty();
  }

  @Test
  void updateSubscriptionInfo_4_8() {
    twoProfiles();
    String requestId = h.newRequestId();
    h.mspCall(token, new UpdateSubscriptionInfo(Harness.MSP_A, token, null, SubscriptionType.BUSINESS, "Fleet"),
        requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(201);
    assertThat(h.events(SubscriptionUpdated.class)).singleElement().satisfies(u -> {
      assertThat(u.getSubscriptionType()).isEqualTo(SubscriptionType.BUSINESS);
      assertThat(u.getCustomerGroup()).isEqualTo("Fleet");
    });
  }

  @Test
  void enableDisable_4_9_statusesAndErrorsAreRecordedAndForwardedAsConfigured_7_1_9() {
    h.close();
    h = new Harness(LifecycleSettings.defaults().withCsimStatuses(
        Map.of(Harness.MSP_A, Set.of(CsimStatusValue.ENABLED, CsimStatusValue.DELETED))));
    twoProfiles();

    h.csimStatus(VIN_1, EID_1, Harness.profile(ICCID_1, "user-1", VehicleProfileStatus.ENABLED));
    h.csimStatus(VIN_1, EID_1, Harness.profile(ICCID_1, "user-1", VehicleProfileStatus.DISABLED));
    h.vehicle(VIN_2, new EnableProfileError(h.vehicleRequestId(VIN_2),
        Harness.profile(ICCID_2, "user-1", VehicleProfileStatus.DISABLED), 0x6A84));
    h.vehicle(VIN_2, new DisableProfileError(h.vehicleRequestId(VIN_2),
        Harness.profile(ICCID_2, "user-1", VehicleProfileStatus.ENABLED), 0x6A84));

    assertThat(h.events(ProfileEnabled.class)).hasSize(1);
    assertThat(h.events(ProfileDisabled.class)).hasSize(1);
    assertThat(h.events(ProfileEnableFailed.class)).singleElement()
        .satisfies(e -> assertThat(e.getCsimErrorCode()).isEqualTo(0x6A84));
    assertThat(h.events(ProfileDisableFailed.class)).hasSize(1);
    assertThat(h.outbound(SendCsimStatus.class)).as("MSP A gets enabled, not disabled nor installed")
        .extracting(SendCsimStatus::getStatus).containsExactly(CsimStatusValue.ENABLED);
  }
}
