package org.aidcmp.schemas.aid2.wire;

import java.util.Arrays;
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

  private final String topicName;
  private final String section;
  private final Class<? extends SpecificRecord> payloadType;

  UplinkMessage(String topicName, String section, Class<? extends SpecificRecord> payloadType) {
    this.topicName = topicName;
    this.section = section;
    this.payloadType = payloadType;
  }

  @Override
  public String topicName() {
    return topicName;
  }

  @Override
  public String section() {
    return section;
  }

  @Override
  public Class<? extends SpecificRecord> payloadType() {
    return payloadType;
  }

  public static Optional<UplinkMessage> byTopicName(String name) {
    return Arrays.stream(values()).filter(m -> m.topicName.equals(name)).findFirst();
  }

  /** The message a payload record is sent as. */
  public static UplinkMessage of(SpecificRecord payload) {
    for (UplinkMessage m : values()) {
      if (m.payloadType.isInstance(payload)) {
        return m;
      }
    }
    throw new IllegalArgumentException("Not an AiD2 uplink message: " + payload.getClass().getSimpleName());
  }
}
