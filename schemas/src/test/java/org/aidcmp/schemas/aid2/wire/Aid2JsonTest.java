package org.aidcmp.schemas.aid2.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class Aid2JsonTest {
  private static final Aid2Json JSON = new Aid2Json();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void section7_2_everyUplinkMessageTravelsAsSchemaValidJsonAndBackToTheSameRecord() {
    Set<UplinkMessage> seen = EnumSet.noneOf(UplinkMessage.class);
    for (SpecificRecord record : Aid2WireSamples.uplink()) {
      UplinkMessage message = UplinkMessage.of(record);
      byte[] json = JSON.writeUplink(record);
      assertThat(JSON.violations(message, json)).as(message + " " + new String(json, StandardCharsets.UTF_8)).isEmpty();
      assertThat(read(message, json)).isEqualTo(record);
      seen.add(message);
    }
    assertThat(seen).containsExactlyInAnyOrder(UplinkMessage.values());
  }

  @Test
  void section7_2_everyDownlinkMessageCarriesItsCommandIdAndFitsItsSchema() throws Exception {
    Set<DownlinkMessage> seen = EnumSet.noneOf(DownlinkMessage.class);
    for (SpecificRecord record : Aid2WireSamples.downlink()) {
      DownlinkMessage message = DownlinkMessage.of(record);
      String commandId = UUID.randomUUID().toString();
      byte[] json = JSON.writeDownlink(commandId, record);
      assertThat(JSON.violations(message, json)).as(message + " " + new String(json, StandardCharsets.UTF_8)).isEmpty();
      Aid2Json.Downlink back = JSON.readDownlink(message, json);
      assertThat(back.commandId()).isEqualTo(commandId);
      assertThat(back.payload()).isEqualTo(record);
      seen.add(message);
    }
    assertThat(seen).containsExactlyInAnyOrder(DownlinkMessage.values());
  }

  @Test
  void section7_2_fieldsAreTheSpecsNames() throws Exception {
    JsonNode info = MAPPER.readTree(JSON.writeUplink(Aid2WireSamples.uplink().get(3)));
    assertThat(info.fieldNames()).toIterable().containsExactly("RequestId", "CmpUserId", "eid", "activationCode",
        "DownloadInstallResult", "FunctionExecutionStatus", "csimErrorCode");
    assertThat(info.get("RequestId").fieldNames()).toIterable().containsExactly("VehicleID", "Timestamp");
    assertThat(info.get("csimErrorCode").asText()).isEqualTo("6A84");
    assertThat(info.get("FunctionExecutionStatus").get("statusCodeData").get("reasonCode").asText()).isEqualTo("3.7");
    JsonNode status = MAPPER.readTree(JSON.writeUplink(Aid2WireSamples.uplink().get(4)));
    assertThat(status.get("Profiles").get(0).fieldNames()).toIterable()
        .containsExactly("ICCID", "CmpUserId", "ProfileStatus", "subscriptionType", "MCC", "MNC");
    assertThat(status.get("Profiles").get(0).get("subscriptionType").asText()).isEqualTo("private");
  }

  @Test
  void section7_2_3_csimErrorCodeIsReadAsHexDigitsOrAsTheNumber_andFunctionExecutionStatusAsItsString() throws Exception {
    ObjectNode json = (ObjectNode) MAPPER.readTree(JSON.writeUplink(Aid2WireSamples.uplink().get(3)));
    json.put("csimErrorCode", 27268);
    json.put("FunctionExecutionStatus", "{\"status\":\"Failed\"}");
    ProfileDownloadInstallInfo info = (ProfileDownloadInstallInfo) read(UplinkMessage.PROFILE_DOWNLOAD_INSTALL_INFO,
        MAPPER.writeValueAsBytes(json));
    assertThat(info.getCsimErrorCode()).isEqualTo(0x6A84);
    assertThat(info.getFunctionExecutionStatus()).isEqualTo("{\"status\":\"Failed\"}");
    json.put("csimErrorCode", "6a84");
    assertThat(((ProfileDownloadInstallInfo) read(UplinkMessage.PROFILE_DOWNLOAD_INSTALL_INFO,
        MAPPER.writeValueAsBytes(json))).getCsimErrorCode()).isEqualTo(0x6A84);
  }

  @Test
  void section5_2_1_theVinOfTheTopicMustBeRequestIdsVehicleId() {
    byte[] json = JSON.writeUplink(Aid2WireSamples.uplink().get(0));
    assertThatThrownBy(() -> JSON.readUplink("WBAUX11030A334484", UplinkMessage.REQUEST_ACTIVATION_CODE, json))
        .isInstanceOf(InvalidAid2Message.class)
        .hasMessage("request-activation-code: RequestId.VehicleID is not the VIN of the topic");
  }

  @Test
  void badInputIsRefusedNamingWhatIsWrong_neverQuotingTheActivationCode() throws Exception {
    UplinkMessage m = UplinkMessage.PROFILE_DOWNLOAD_INSTALL_INFO;
    ObjectNode valid = (ObjectNode) MAPPER.readTree(JSON.writeUplink(Aid2WireSamples.uplink().get(2)));

    assertInvalid(m, "{\"RequestId\":".getBytes(StandardCharsets.UTF_8), "not JSON");
    assertInvalid(m, new byte[0], "empty payload");
    assertInvalid(m, "[1,2]".getBytes(StandardCharsets.UTF_8), "a JSON object is expected");
    assertInvalid(m, new byte[Aid2Json.MAX_PAYLOAD_BYTES + 1], "at most");
    assertInvalid(m, "{\"a\":1}{\"b\":2}".getBytes(StandardCharsets.UTF_8), "not JSON");

    ObjectNode missing = valid.deepCopy();
    missing.remove("DownloadInstallResult");
    assertInvalid(m, MAPPER.writeValueAsBytes(missing), "DownloadInstallResult");

    ObjectNode wrongEnum = valid.deepCopy();
    wrongEnum.put("DownloadInstallResult", "OK");
    assertInvalid(m, MAPPER.writeValueAsBytes(wrongEnum), "DownloadInstallResult");

    ObjectNode extra = valid.deepCopy();
    extra.put("colour", "red");
    assertInvalid(m, MAPPER.writeValueAsBytes(extra), "colour");

    ObjectNode badVin = valid.deepCopy();
    ((ObjectNode) badVin.get("RequestId")).put("VehicleID", "SHORT");
    assertInvalid(m, MAPPER.writeValueAsBytes(badVin), "VehicleID");

    ObjectNode badCode = valid.deepCopy();
    badCode.put("csimErrorCode", 70000);
    assertInvalid(m, MAPPER.writeValueAsBytes(badCode), "csimErrorCode");

    ObjectNode acAsNumber = valid.deepCopy();
    acAsNumber.put("activationCode", 12345);
    acAsNumber.put("ICCID", "1234");
    InvalidAid2Message e = invalid(m, MAPPER.writeValueAsBytes(acAsNumber));
    assertThat(e.getMessage()).doesNotContain("12345").doesNotContain(Aid2WireSamples.AC);

    String duplicate = "{\"RequestId\":{\"VehicleID\":\"" + Aid2WireSamples.VIN + "\",\"Timestamp\":1},\"CmpUserId\":\"u\","
        + "\"CmpUserId\":\"v\",\"imei\":\"\",\"eid\":\"E1\"}";
    assertInvalid(UplinkMessage.REQUEST_ACTIVATION_CODE, duplicate.getBytes(StandardCharsets.UTF_8), "not JSON");
  }

  @Test
  void section7_2_1_anEmptyImeiIsNoImei_butTheFieldMustBePresent() throws Exception {
    String base = "{\"RequestId\":{\"VehicleID\":\"" + Aid2WireSamples.VIN + "\",\"Timestamp\":1700000000},"
        + "\"CmpUserId\":\"9876543210\",\"eid\":\"E1\"";
    RequestActivationCode r = (RequestActivationCode) read(UplinkMessage.REQUEST_ACTIVATION_CODE,
        (base + ",\"imei\":\"\"}").getBytes(StandardCharsets.UTF_8));
    assertThat(r.getImei()).isNull();
    assertInvalid(UplinkMessage.REQUEST_ACTIVATION_CODE, (base + "}").getBytes(StandardCharsets.UTF_8), "imei");
  }

  @Test
  void presenceIsOnlineOrOffline() throws Exception {
    assertThat(Aid2Json.readPresence("V", Aid2Json.presencePayload(true)).getOnline()).isTrue();
    assertThat(Aid2Json.readPresence("V", Aid2Json.presencePayload(false)).getOnline()).isFalse();
    assertThatThrownBy(() -> Aid2Json.readPresence("V", "away".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidAid2Message.class);
  }

  @Test
  void theTopicSchemeNamesVehicleDirectionAndMessage() {
    assertThat(Aid2Topics.uplink("V1", UplinkMessage.CSIM_STATUS)).isEqualTo("aid2/v1/vehicles/V1/up/csim-status");
    assertThat(Aid2Topics.downlink("V1", DownlinkMessage.ERROR)).isEqualTo("aid2/v1/vehicles/V1/down/error");
    assertThat(Aid2Topics.shared(Aid2Topics.UPLINK_FILTER)).isEqualTo("$share/aid-bridge/aid2/v1/vehicles/+/up/#");
    assertThat(Aid2Topics.parse("aid2/v1/vehicles/V1/up/csim-status"))
        .contains(new Aid2Topics.Address("V1", Aid2Topics.Direction.UP, "csim-status"));
    assertThat(Aid2Topics.parse("aid2/v1/vehicles/V1/presence"))
        .contains(new Aid2Topics.Address("V1", Aid2Topics.Direction.PRESENCE, ""));
    assertThat(Aid2Topics.parse("aid2/v1/vehicles/V1/up/a/b")).isEmpty();
    assertThat(Aid2Topics.parse("aid2/v1/vehicles//up/a")).isEmpty();
    assertThat(Aid2Topics.parse("other/V1/up/a")).isEmpty();
    assertThat(UplinkMessage.byTopicName("csim-status")).contains(UplinkMessage.CSIM_STATUS);
    assertThat(UplinkMessage.byTopicName("activation-code")).isEmpty();
  }

  @Test
  void notJsonSaysWhereNotWhatSoNoTokenOfThePayloadIsQuoted() {
    byte[] payload = "{\"activationCode\": LPA1SECRETMATCHINGID}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> JSON.readUplink(Aid2WireSamples.VIN, UplinkMessage.PROFILE_DOWNLOAD_INSTALL_INFO, payload))
        .isInstanceOf(InvalidAid2Message.class)
        .hasMessageContaining("not JSON (at line 1, column")
        .hasMessageNotContaining("SECRET");
  }

  @Test
  void theVehicleOfATopicOutsideTheSchemeIsStillKnownWhereItHasOne() {
    assertThat(Aid2Topics.vehicleOf("aid2/v1/vehicles/V1/up/a/b")).contains("V1");
    assertThat(Aid2Topics.vehicleOf("aid2/v1/vehicles/V1/up")).contains("V1");
    assertThat(Aid2Topics.vehicleOf("aid2/v1/vehicles/V1")).contains("V1");
    assertThat(Aid2Topics.vehicleOf("aid2/v1/vehicles//up/a")).isEmpty();
    assertThat(Aid2Topics.vehicleOf("aid2/v1/vehicles/")).isEmpty();
    assertThat(Aid2Topics.vehicleOf("other/V1/up/a")).isEmpty();
  }

  private static SpecificRecord read(UplinkMessage m, byte[] json) {
    try {
      return JSON.readUplink(Aid2WireSamples.VIN, m, json);
    } catch (InvalidAid2Message e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static InvalidAid2Message invalid(UplinkMessage m, byte[] json) {
    try {
      JSON.readUplink(Aid2WireSamples.VIN, m, json);
    } catch (InvalidAid2Message e) {
      return e;
    }
    throw new AssertionError("accepted: " + new String(json, StandardCharsets.UTF_8));
  }

  private static void assertInvalid(UplinkMessage m, byte[] json, String mentions) {
    assertThat(invalid(m, json).getMessage()).contains(mentions);
  }
}
