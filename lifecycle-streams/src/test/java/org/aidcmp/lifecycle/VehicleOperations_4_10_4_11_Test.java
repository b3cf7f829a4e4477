package org.aidcmp.lifecycle;

import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.IMEI;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.EID_1;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.ICCID_1;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.ICCID_2;
import static org.aidcmp.lifecycle.ProfileSwap_4_3_1_Test.VIN_1;
import static org.assertj.core.api.Assertions.assertThat;

import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.SendCsimStatus;
import org.aidcmp.schemas.aid2.CsimInfoResult;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestCsimInfoResult;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfiles;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfilesResult;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.lifecycle.ProfileDeleted;
import org.aidcmp.schemas.touchpoint.DeleteAllVehicleProfiles;
import org.aidcmp.schemas.touchpoint.RequestVehicleCsimInfo;
import org.aidcmp.schemas.touchpoint.RetireVehicle;
import org.aidcmp.schemas.vehicle.VehicleInventoryChanged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** §4.10 request CSIM info, §4.11 delete all profiles: two users' profiles on one vehicle. */
class VehicleOperations_4_10_4_11_Test {
  private final Harness h = new Harness();
  private String tokenA;
  private String tokenB;

  @BeforeEach
  void twoUsersOnOneVehicle() {
    h.registerVehicle(VIN_1, EID_1, IMEI);
    tokenA = h.onboardedUser("user-1", Harness.MSP_A);
    tokenB = h.onboardedUser("user-2", Harness.MSP_B);
    h.provisioned(VIN_1, EID_1, "user-1", ICCID_1);
    h.provisioned(VIN_1, EID_1, "user-2", ICCID_2);
  }

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void requestCsimInfo_4_10_theVehiclesAnswerReconcilesItsInventory() {
    String requestId = h.newRequestId();
    h.touchpoint(VIN_1, new RequestVehicleCsimInfo(VIN_1), requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(202);
    assertThat(h.downlink(VIN_1, RequestCsimInfo.class)).hasSize(1);

    h.vehicle(VIN_1, new CsimInfoResult(h.vehicleRequestId(VIN_1), RequestCsimInfoResult.SUCCESS, null));
    // Only user-1's profile is still on the eUICC: user-2's is gone, and its MSP hears of it.
    h.csimStatus(VIN_1, EID_1, Harness.profile(ICCID_1, "user-1", VehicleProfileStatus.DISABLED));

    assertThat(h.events(ProfileDeleted.class)).singleElement()
        .satisfies(d -> assertThat(d.getProfile().getIccid()).isEqualTo(ICCID_2));
    assertThat(h.outbound(SendCsimStatus.class)).singleElement()
        .satisfies(s -> assertThat(s.getMspToken()).isEqualTo(tokenB));
    VehicleInventoryChanged last = (VehicleInventoryChanged) h.vehicleEvents().stream()
        .filter(VehicleInventoryChanged.class::isInstance).reduce((a, b) -> b).orElseThrow();
    assertThat(last.getProfiles()).extracting(e -> e.getIccid()).containsExactly(ICCID_1);
  }

  @Test
  void deleteAllProfiles_4_11_everyUsersProfilesAreDeletedAndEachReportedToItsMsp() {
    String requestId = h.newRequestId();
    h.touchpoint(VIN_1, new DeleteAllVehicleProfiles(VIN_1), requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(202);
    assertThat(h.downlink(VIN_1, RequestDeleteAllProfiles.class)).hasSize(1);

    h.vehicle(VIN_1, new DeleteAllProfilesResult(h.vehicleRequestId(VIN_1), RequestDeleteAllProfilesResult.SUCCESS,
        null));

    assertThat(h.events(ProfileDeleted.class)).extracting(d -> d.getProfile().getIccid())
        .containsExactlyInAnyOrder(ICCID_1, ICCID_2);
    assertThat(h.outbound(SendCsimStatus.class)).extracting(SendCsimStatus::getMspToken, SendCsimStatus::getStatus)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(tokenA, CsimStatusValue.DELETED),
            org.assertj.core.groups.Tuple.tuple(tokenB, CsimStatusValue.DELETED));
  }

  @Test
  void fleet_unknownVehicle_is404AndARetiredVehicleIsUnknownVin() {
    String unknown = h.newRequestId();
    h.touchpoint("WBAUX11030A999999", new RequestVehicleCsimInfo("WBAUX11030A999999"), unknown);
    Onboarding_4_1_Test.assertOutcome(h.replyTo(unknown), 404, "220");

    String retire = h.newRequestId();
    h.touchpoint(VIN_1, new RetireVehicle(VIN_1), retire);
    assertThat(h.replyTo(retire).getHttpStatus()).isEqualTo(200);
    h.requestActivationCode(VIN_1, "user-1", EID_1);
    assertThat(h.downlink(VIN_1, org.aidcmp.schemas.aid2.VehicleRequestError.class)).singleElement()
        .satisfies(e -> assertThat(e.getError()).isEqualTo(org.aidcmp.schemas.aid2.Aid2Error.UNKNOWN_VIN));
  }
}
