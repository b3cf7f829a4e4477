package org.aidcmp.ingress.aid2;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.aidcmp.schemas.aid2.CsimInfoResult;
import org.aidcmp.schemas.aid2.CsimProfile;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.RequestCsimInfoResult;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.apache.avro.specific.SpecificRecord;

/** One payload record of each of the eight uplink messages of §7.2 for a vehicle. */
final class Uplinks {
  static final String ICCID = "98341201501601380129";
  static final String EID = "89049032000001000000000000000123";
  static final String AC = "1$VR-01-43-CUST.SC.MY-ESIM.COM$DEF30A27E3CEFD34FA24B4A38D9681A5";
  static final String USER = "9876543210";

  private Uplinks() {}

  static Map<UplinkMessage, SpecificRecord> of(String vin, long timestamp) {
    VehicleRequestId id = new VehicleRequestId(vin, timestamp);
    CsimProfile profile = CsimProfile.newBuilder().setIccid(ICCID).setCmpUserId(USER)
        .setProfileStatus(VehicleProfileStatus.ENABLED).setSubscriptionType(SubscriptionType.PRIVATE)
        .setMcc("262").setMnc("01").build();
    Map<UplinkMessage, SpecificRecord> m = new EnumMap<>(UplinkMessage.class);
    m.put(UplinkMessage.REQUEST_ACTIVATION_CODE, RequestActivationCode.newBuilder().setRequestId(id)
        .setCmpUserId(USER).setImei("356938035643809").setEid(EID).build());
    m.put(UplinkMessage.PROFILE_DOWNLOAD_INSTALL_INFO, ProfileDownloadInstallInfo.newBuilder().setRequestId(id)
        .setCmpUserId(USER).setIccid(null).setEid(EID).setActivationCode(AC)
        .setDownloadInstallResult(DownloadInstallResult.PROFILE_INSTALLATION_FAILED)
        .setFunctionExecutionStatus("{\"status\":\"Failed\"}").setCsimErrorCode(0x6A84).build());
    m.put(UplinkMessage.CSIM_STATUS, CsimStatus.newBuilder().setRequestId(id).setEid(EID).setImei(null)
        .setCsimNetwork("Operator").setOpsNetwork("WLAN").setProfiles(List.of(profile)).build());
    m.put(UplinkMessage.ENABLE_PROFILE_ERROR, EnableProfileError.newBuilder().setRequestId(id).setProfile(profile)
        .setCsimErrorCode(0x6A84).build());
    m.put(UplinkMessage.DISABLE_PROFILE_ERROR, DisableProfileError.newBuilder().setRequestId(id).setProfile(profile)
        .setCsimErrorCode(null).build());
    m.put(UplinkMessage.DELETE_PROFILE_RESULT, DeleteProfileResult.newBuilder().setRequestId(id).setCmpUserId(USER)
        .setIccid(ICCID).setRequestDeleteProfileResult(RequestDeleteProfileResult.SUCCESS).build());
    m.put(UplinkMessage.CSIM_INFO_RESULT, CsimInfoResult.newBuilder().setRequestId(id)
        .setRequestCsimInfoResult(RequestCsimInfoResult.SUCCESS).build());
    m.put(UplinkMessage.DELETE_ALL_PROFILES_RESULT, DeleteAllProfilesResult.newBuilder().setRequestId(id)
        .setRequestDeleteProfileResult(RequestDeleteAllProfilesResult.NO_PROFILES_FOUND).build());
    return m;
  }

  /** A csim-status of its own: the timestamp makes each one a different message. */
  static CsimStatus csimStatus(String vin, long timestamp) {
    return (CsimStatus) of(vin, timestamp).get(UplinkMessage.CSIM_STATUS);
  }
}
