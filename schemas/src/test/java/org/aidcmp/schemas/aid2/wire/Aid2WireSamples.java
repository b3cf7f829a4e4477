package org.aidcmp.schemas.aid2.wire;

import java.util.List;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.CsimInfoResult;
import org.aidcmp.schemas.aid2.CsimProfile;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestCsimInfoResult;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfiles;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.apache.avro.specific.SpecificRecord;

/** One valid payload record of every AiD2 message, with the spec's example values where it gives them. */
final class Aid2WireSamples {
  private Aid2WireSamples() {}

  static final String VIN = "WBAUX11030A334483";
  static final VehicleRequestId REQUEST_ID = new VehicleRequestId(VIN, 1_700_000_000L);
  static final String ICCID = "98341201501601380129";
  static final String EID = "89049032000001000000000000000123";
  static final String AC = "1$VR-01-43-CUST.SC.MY-ESIM.COM$DEF30A27E3CEFD34FA24B4A38D9681A5";

  static final CsimProfile PROFILE = CsimProfile.newBuilder()
      .setIccid(ICCID).setCmpUserId("9876543210").setProfileStatus(VehicleProfileStatus.DISABLED)
      .setSubscriptionType(SubscriptionType.PRIVATE).setMcc("123").setMnc("01").build();

  static List<SpecificRecord> uplink() {
    return List.of(
        RequestActivationCode.newBuilder().setRequestId(REQUEST_ID).setCmpUserId("9876543210").setImei(null)
            .setEid(EID).build(),
        RequestActivationCode.newBuilder().setRequestId(REQUEST_ID).setCmpUserId("9876543210")
            .setImei("356938035643809").setEid(EID).build(),
        ProfileDownloadInstallInfo.newBuilder().setRequestId(REQUEST_ID).setCmpUserId("9876543210").setIccid(ICCID)
            .setEid(EID).setActivationCode(AC).setDownloadInstallResult(DownloadInstallResult.SUCCESS).build(),
        ProfileDownloadInstallInfo.newBuilder().setRequestId(REQUEST_ID).setCmpUserId("9876543210").setIccid(null)
            .setEid(EID).setActivationCode(AC).setDownloadInstallResult(DownloadInstallResult.PROFILE_INSTALLATION_FAILED)
            .setFunctionExecutionStatus(
                "{\"status\":\"Failed\",\"statusCodeData\":{\"subjectCode\":\"8.2.5\",\"reasonCode\":\"3.7\",\"message\":\"No more Profile\"}}")
            .setCsimErrorCode(0x6A84).build(),
        CsimStatus.newBuilder().setRequestId(REQUEST_ID).setEid(EID).setImei(null).setCsimNetwork("OperatorExample Name")
            .setOpsNetwork("WLAN").setProfiles(List.of(PROFILE,
                CsimProfile.newBuilder(PROFILE).setIccid("98341201501601380130").setProfileStatus(VehicleProfileStatus.ENABLED)
                    .setSubscriptionType(null).setMcc(null).setMnc(null).build())).build(),
        CsimStatus.newBuilder().setRequestId(REQUEST_ID).setEid(EID).setImei("356938035643809").setProfiles(List.of()).build(),
        EnableProfileError.newBuilder().setRequestId(REQUEST_ID).setProfile(PROFILE).setCsimErrorCode(0x6A84).build(),
        DisableProfileError.newBuilder().setRequestId(REQUEST_ID).setProfile(PROFILE).setCsimErrorCode(null).build(),
        DeleteProfileResult.newBuilder().setRequestId(REQUEST_ID).setCmpUserId("9876543210").setIccid(ICCID)
            .setRequestDeleteProfileResult(RequestDeleteProfileResult.PROFILE_NOT_FOUND).build(),
        CsimInfoResult.newBuilder().setRequestId(REQUEST_ID).setRequestCsimInfoResult(RequestCsimInfoResult.GENERAL_CSIM_ERROR)
            .setCsimErrorCode(0x6F00).build(),
        DeleteAllProfilesResult.newBuilder().setRequestId(REQUEST_ID)
            .setRequestDeleteProfileResult(RequestDeleteAllProfilesResult.NO_PROFILES_FOUND).build());
  }

  static List<SpecificRecord> downlink() {
    return List.of(
        SendActivationCodeToVehicle.newBuilder().setRequestId(REQUEST_ID).setCmpUserId("9876543210")
            .setProfileType("PERSONAL").setActivationCode(AC).build(),
        SendActivationCodeToVehicle.newBuilder().setRequestId(REQUEST_ID).setCmpUserId("9876543210")
            .setProfileType(null).setActivationCode(AC).build(),
        VehicleRequestError.newBuilder().setRequestId(REQUEST_ID).setCmpUserId("9876543210")
            .setError(Aid2Error.NO_ACTIVATION_CODE_AVAILALE).setDescription("Backend cannot get an AC from the MSP").build(),
        VehicleRequestError.newBuilder().setRequestId(null).setCmpUserId(null).setError(Aid2Error.INVALID_MESSAGE)
            .setDescription("request-activation-code: not JSON").build(),
        RequestDeleteProfile.newBuilder().setRequestId(REQUEST_ID).setCmpUserId("9876543210").setIccid(ICCID).setEid(EID).build(),
        new RequestCsimInfo(REQUEST_ID),
        new RequestDeleteAllProfiles(REQUEST_ID));
  }
}
