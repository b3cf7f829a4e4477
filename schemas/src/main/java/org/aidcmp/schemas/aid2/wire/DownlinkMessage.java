package org.aidcmp.schemas.aid2.wire;

import java.util.Optional;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfiles;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.apache.avro.specific.SpecificRecord;

/**
 * The five CMP-to-vehicle messages of AiD2 (§7.2), each with its name in the topic scheme
 * ({@code aid2/v1/vehicles/{vin}/down/{name}}), its JSON Schema and the payload record on
 * {@code aid.aid2.downlink.v1} it is published from.
 */
public enum DownlinkMessage implements Aid2Message {
  ACTIVATION_CODE("activation-code", "§7.2.2", SendActivationCodeToVehicle.class),
  ERROR("error", "§7.2.1", VehicleRequestError.class),
  DELETE_PROFILE("delete-profile", "§7.2.4", RequestDeleteProfile.class),
  CSIM_INFO("csim-info", "§7.2.7", RequestCsimInfo.class),
  DELETE_ALL_PROFILES("delete-all-profiles", "§7.2.8", RequestDeleteAllProfiles.class);

  private final Kind kind;

  DownlinkMessage(String topicName, String section, Class<? extends SpecificRecord> payloadType) {
    this.kind = new Kind(topicName, section, payloadType);
  }

  @Override
  public Kind kind() {
    return kind;
  }

  public static Optional<DownlinkMessage> byTopicName(String name) {
    return Aid2Message.byTopicName(values(), name);
  }

  /** The message a payload record is published as. */
  public static DownlinkMessage of(SpecificRecord payload) {
    return Aid2Message.of(values(), payload, "downlink");
  }
}
