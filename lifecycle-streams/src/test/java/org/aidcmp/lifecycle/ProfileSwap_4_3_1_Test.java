package org.aidcmp.lifecycle;

import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.IMEI;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.lifecycle.DeleteReason;
import org.aidcmp.schemas.lifecycle.ProfileDeleteRequested;
import org.aidcmp.schemas.lifecycle.ProfileSwapped;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** §4.3.1 profile swap: the replaceIccid candidate table, and what a swappedIccid makes the CMP do. */
class ProfileSwap_4_3_1_Test {
  static final String VIN_1 = "WBAUX11030A000001";
  static final String VIN_2 = "WBAUX11030A000002";
  static final String VIN_3 = "WBAUX11030A000003";
  static final String EID_1 = "89049032000000000000000000000001";
  static final String EID_2 = "89049032000000000000000000000002";
  static final String EID_3 = "89049032000000000000000000000003";
  static final String ICCID_1 = "8988239000000000001";
  static final String ICCID_2 = "8988239000000000002";
  static final String ICCID_3 = "8988239000000000003";

  private final Harness h = new Harness();

  @BeforeEach
  void fleet() {
    h.registerVehicle(VIN_1, EID_1, IMEI);
    h.registerVehicle(VIN_2, EID_2, IMEI);
    h.registerVehicle(VIN_3, EID_3, IMEI);
    h.onboardedUser("user-1", Harness.MSP_A);
  }

  @AfterEach
  void close() {
    h.close();
  }

  private String lastReplaceIccid() {
    return ((ActivationCodeRequest) h.lastOutbound(ActivationCodeRequest.class).getPayload()).getReplaceIccid();
  }

  @Test
  void profileSwap_4_3_1_secondVehicleOffersTheFirstVehiclesProfile() {
    h.provisioned(VIN_1, EID_1, "user-1", ICCID_1);
    h.requestActivationCode(VIN_2, "user-1", EID_2);
    assertThat(lastReplaceIccid()).isEqualTo(ICCID_1);
  }

  @Test
  void profileSwap_4_3_1_manyVehiclesOfferTheLeastRecentlyUsedProfile() {
    h.provisioned(VIN_1, EID_1, "user-1", ICCID_1);
    h.provisioned(VIN_2, EID_2, "user-1", ICCID_2);
    h.advance(Duration.ofHours(1));
    h.csimStatus(VIN_1, EID_1, Harness.profile(ICCID_1, "user-1", VehicleProfileStatus.ENABLED));
    h.requestActivationCode(VIN_3, "user-1", EID_3);
    assertThat(lastReplaceIccid()).as("vehicle 1 was used an hour after vehicle 2 got its profile").isEqualTo(ICCID_2);
  }

  @Test
  void profileSwap_4_3_1_aProfileWhoseDownloadFailedIsStillACandidate() {
    h.requestActivationCode(VIN_1, "user-1", EID_1);
    h.activationCodeIssued(h.lastOutbound(ActivationCodeRequest.class), ICCID_1, null);
    h.installed(VIN_1, "user-1", EID_1, ICCID_1, DownloadInstallResult.PROFILE_DOWNLOAD_FAILED_SMDP_DOWNLOAD_ERROR);
    h.requestActivationCode(VIN_2, "user-1", EID_2);
    assertThat(lastReplaceIccid()).isEqualTo(ICCID_1);
  }

  @Test
  void profileSwap_4_3_1_allProfilesDeletedMeansNoCandidateAgain() {
    h.provisioned(VIN_1, EID_1, "user-1", ICCID_1);
    h.csimStatus(VIN_1, EID_1, Harness.profile(ICCID_1, "user-1", VehicleProfileStatus.DELETED));
    h.requestActivationCode(VIN_2, "user-1", EID_2);
    assertThat(lastReplaceIccid()).isNull();
  }

  @Test
  void profileSwap_4_3_1_swappedIccidNullMeansNothingIsDeleted() {
    h.provisioned(VIN_1, EID_1, "user-1", ICCID_1);
    h.provisioned(VIN_2, EID_2, "user-1", ICCID_2);
    assertThat(h.downlink(VIN_1, RequestDeleteProfile.class)).isEmpty();
    assertThat(h.events(ProfileSwapped.class)).isEmpty();
  }

  @Test
  void profileSwap_4_3_1_swappedIccidEqualToOursDeletesItFromItsVehicle() {
    h.provisioned(VIN_1, EID_1, "user-1", ICCID_1);
    h.requestActivationCode(VIN_2, "user-1", EID_2);
    h.activationCodeIssued(h.lastOutbound(ActivationCodeRequest.class), ICCID_2, ICCID_1);

    assertThat(h.downlink(VIN_1, RequestDeleteProfile.class)).singleElement()
        .satisfies(d -> assertThat(d.getIccid()).isEqualTo(ICCID_1));
    assertThat(h.events(ProfileSwapped.class)).singleElement().satisfies(s -> {
      assertThat(s.getSwapped().getIccid()).isEqualTo(ICCID_1);
      assertThat(s.getSuggestedIccid()).isEqualTo(ICCID_1);
      assertThat(s.getNewIccid()).isEqualTo(ICCID_2);
    });
    assertThat(h.events(ProfileDeleteRequested.class)).singleElement()
        .satisfies(d -> assertThat(d.getReason()).isEqualTo(DeleteReason.SWAPPED));
  }

  @Test
  void profileSwap_4_3_1_theMspsFallbackChoiceIsDeletedFromTheVehicleHoldingIt() {
    h.provisioned(VIN_1, EID_1, "user-1", ICCID_1);
    h.provisioned(VIN_2, EID_2, "user-1", ICCID_2);
    h.requestActivationCode(VIN_3, "user-1", EID_3);
    assertThat(lastReplaceIccid()).isEqualTo(ICCID_1);
    h.activationCodeIssued(h.lastOutbound(ActivationCodeRequest.class), ICCID_3, ICCID_2);

    assertThat(h.downlink(VIN_2, RequestDeleteProfile.class)).singleElement()
        .satisfies(d -> assertThat(d.getIccid()).isEqualTo(ICCID_2));
    assertThat(h.downlink(VIN_1, RequestDeleteProfile.class)).isEmpty();
  }

  @Test
  void profileSwap_4_3_1_aSwappedProfileIsNeverOfferedAgain() {
    h.provisioned(VIN_1, EID_1, "user-1", ICCID_1);
    h.requestActivationCode(VIN_2, "user-1", EID_2);
    h.activationCodeIssued(h.lastOutbound(ActivationCodeRequest.class), ICCID_2, ICCID_1);
    h.requestActivationCode(VIN_3, "user-1", EID_3);
    assertThat(lastReplaceIccid()).isEqualTo(ICCID_2);
  }
}
