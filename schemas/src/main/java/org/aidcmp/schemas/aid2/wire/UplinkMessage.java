package org.aidcmp.schemas.aid2.wire;

import java.util.Optional;
import org.aidcmp.schemas.aid2.CsimInfoResult;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.apache.avro.specific.SpecificRecord;

/**
 * The eight vehicle-to-CMP messages of AiD2 (§7.2), each with its name in the topic scheme
 * ({@code aid2/v1/vehicles/{vin}/up/{name}}), its JSON Schema and the payload record it becomes on
 * {@code aid.aid2.uplink.v1}.
 */
public enum UplinkMessage implements Aid2Message {
  REQUEST_ACTIVATION_CODE("request-activation-code", "§7.2.1", RequestActivationCode.class),
  PROFILE_DOWNLOAD_INSTALL_INFO("profile-download-install-info", "§7.2.3", ProfileDownloadInstallInfo.class),
  CSIM_STATUS("csim-status", "§7.2.3", CsimStatus.class),
  ENABLE_PROFILE_ERROR("enable-profile-error", "§7.2.5", EnableProfileError.class),
  DISABLE_PROFILE_ERROR("disable-profile-error", "§7.2.6", DisableProfileError.class),
  DELETE_PROFILE_RESULT("delete-profile-result", "§7.2.4", DeleteProfileResult.class),
  CSIM_INFO_RESULT("csim-info-result", "§7.2.7", CsimInfoResult.class),
  DELETE_ALL_PROFILES_RESULT("delete-all-profiles-result", "§7.2.8", DeleteAllProfilesResult.class);

  private final Kind kind;

  UplinkMessage(String topicName, String section, Class<? extends SpecificRecord> payloadType) {
    this.kind = new Kind(topicName, section, payloadType);
  }

  @Override
  public Kind kind() {
    return kind;
  }

  public static Optional<UplinkMessage> byTopicName(String name) {
    return Aid2Message.byTopicName(values(), name);
  }

  /** The message a payload record is sent as. */
  public static UplinkMessage of(SpecificRecord payload) {
    return Aid2Message.of(values(), payload, "uplink");
  }
}
