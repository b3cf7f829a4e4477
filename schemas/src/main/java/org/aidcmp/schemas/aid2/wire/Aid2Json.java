package org.aidcmp.schemas.aid2.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
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
import org.aidcmp.schemas.aid2.VehiclePresence;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.apache.avro.specific.SpecificRecord;

/**
 * The AiD2 payloads over MQTT: JSON with the field names of §7.2 (RequestId = {VehicleID, Timestamp} as §5.2.1
 * names them, CmpUserId, ICCID, ...), held to one JSON Schema per message ({@value #SCHEMA_FOLDER}, the same
 * files the AsyncAPI document {@value #ASYNCAPI_RESOURCE} points at), and their Avro payloads on
 * {@code aid.aid2.uplink.v1} / {@code aid.aid2.downlink.v1}. Both directions both ways, so the bridge, the
 * downlink publisher and the vehicle simulator share one mapping. Thread-safe; build one and keep it (it loads
 * the schemas).
 *
 * <p>Choices the spec leaves open: csimErrorCode (SW1 SW2, "UInt16 2 Byte code") is read as four hex digits
 * ("6A84") or as the number, and written as four hex digits; FunctionExecutionStatus ("as JSON String") is read
 * as a JSON object or its string and kept as the JSON text; an empty imei ("can be empty but present") is no
 * IMEI; fields not in the schema are refused (a later contract is a new topic version, aid2/v2).
 */
public final class Aid2Json {

  public static final String SCHEMA_FOLDER = "aid2/json/";
  public static final String ASYNCAPI_RESOURCE = "aid2/asyncapi.yaml";
  /** The largest payload read: the biggest valid message (csim-status with 64 profiles) is well under it. */
  public static final int MAX_PAYLOAD_BYTES = 32 * 1024;

  private static final int MAX_DESCRIPTION = 1000;

  /** A downlink message as a vehicle reads it: the command id and the payload. */
  public record Downlink(String commandId, SpecificRecord payload) {}

  private final ObjectMapper mapper = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final Map<UplinkMessage, Schema> uplinkSchemas = new EnumMap<>(UplinkMessage.class);
  private final Map<DownlinkMessage, Schema> downlinkSchemas = new EnumMap<>(DownlinkMessage.class);

  public Aid2Json() {
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    for (UplinkMessage m : UplinkMessage.values()) {
      uplinkSchemas.put(m, registry.getSchema(SchemaLocation.of("classpath:" + m.schemaResource())));
    }
    for (DownlinkMessage m : DownlinkMessage.values()) {
      downlinkSchemas.put(m, registry.getSchema(SchemaLocation.of("classpath:" + m.schemaResource())));
    }
  }

  // ---- uplink: vehicle -> CMP ----

  /**
   * The payload record of an uplink message received on {@code aid2/v1/vehicles/{topicVin}/up/{message}}.
   *
   * @throws InvalidAid2Message naming what is wrong: oversize, not JSON, against its schema, or a RequestId whose
   *     VehicleID is not the topic's VIN
   */
  public SpecificRecord readUplink(String topicVin, UplinkMessage message, byte[] payload) throws InvalidAid2Message {
    JsonNode json = validated(uplinkSchemas.get(message), message, payload);
    VehicleRequestId requestId = requestId(json.get("RequestId"));
    if (!requestId.getVehicleId().equals(topicVin)) {
      throw new InvalidAid2Message(message.topicName() + ": RequestId.VehicleID is not the VIN of the topic");
    }
    return switch (message) {
      case REQUEST_ACTIVATION_CODE -> RequestActivationCode.newBuilder()
          .setRequestId(requestId)
          .setCmpUserId(json.get("CmpUserId").asText())
          .setImei(imei(json))
          .setEid(json.get("eid").asText())
          .build();
      case PROFILE_DOWNLOAD_INSTALL_INFO -> ProfileDownloadInstallInfo.newBuilder()
          .setRequestId(requestId)
          .setCmpUserId(json.get("CmpUserId").asText())
          .setIccid(text(json, "ICCID"))
          .setEid(json.get("eid").asText())
          .setActivationCode(text(json, "activationCode"))
          .setDownloadInstallResult(DownloadInstallResult.valueOf(json.get("DownloadInstallResult").asText()))
          .setFunctionExecutionStatus(functionExecutionStatus(json.get("FunctionExecutionStatus")))
          .setCsimErrorCode(csimErrorCode(json))
          .build();
      case CSIM_STATUS -> {
        List<CsimProfile> profiles = new ArrayList<>();
        for (JsonNode p : json.get("Profiles")) {
          profiles.add(profile(p));
        }
        yield CsimStatus.newBuilder()
            .setRequestId(requestId)
            .setEid(json.get("eid").asText())
            .setImei(imei(json))
            .setCsimNetwork(text(json, "csimNetwork"))
            .setOpsNetwork(text(json, "opsNetwork"))
            .setProfiles(profiles)
            .build();
      }
      case ENABLE_PROFILE_ERROR -> EnableProfileError.newBuilder()
          .setRequestId(requestId).setProfile(profile(json.get("profile"))).setCsimErrorCode(csimErrorCode(json)).build();
      case DISABLE_PROFILE_ERROR -> DisableProfileError.newBuilder()
          .setRequestId(requestId).setProfile(profile(json.get("profile"))).setCsimErrorCode(csimErrorCode(json)).build();
      case DELETE_PROFILE_RESULT -> DeleteProfileResult.newBuilder()
          .setRequestId(requestId)
          .setCmpUserId(text(json, "CmpUserId"))
          .setIccid(json.get("ICCID").asText())
          .setRequestDeleteProfileResult(RequestDeleteProfileResult.valueOf(json.get("RequestDeleteProfileResult").asText()))
          .setCsimErrorCode(csimErrorCode(json))
          .build();
      case CSIM_INFO_RESULT -> CsimInfoResult.newBuilder()
          .setRequestId(requestId)
          .setRequestCsimInfoResult(RequestCsimInfoResult.valueOf(json.get("RequestCSIMInfoResult").asText()))
          .setCsimErrorCode(csimErrorCode(json))
          .build();
      case DELETE_ALL_PROFILES_RESULT -> DeleteAllProfilesResult.newBuilder()
          .setRequestId(requestId)
          .setRequestDeleteProfileResult(
              RequestDeleteAllProfilesResult.valueOf(json.get("RequestDeleteProfileResult").asText()))
          .setCsimErrorCode(csimErrorCode(json))
          .build();
    };
  }

  /** The JSON a vehicle sends for an uplink payload record (the vehicle simulator's side). */
  public byte[] writeUplink(SpecificRecord payload) {
    ObjectNode json = mapper.createObjectNode();
    if (payload instanceof RequestActivationCode r) {
      json.set("RequestId", requestId(r.getRequestId()));
      json.put("CmpUserId", r.getCmpUserId());
      json.put("imei", r.getImei() == null ? "" : r.getImei());
      json.put("eid", r.getEid());
    } else if (payload instanceof ProfileDownloadInstallInfo p) {
      json.set("RequestId", requestId(p.getRequestId()));
      json.put("CmpUserId", p.getCmpUserId());
      putIfPresent(json, "ICCID", p.getIccid());
      json.put("eid", p.getEid());
      putIfPresent(json, "activationCode", p.getActivationCode());
      json.put("DownloadInstallResult", p.getDownloadInstallResult().name());
      if (p.getFunctionExecutionStatus() != null) {
        json.set("FunctionExecutionStatus", functionExecutionStatusJson(p.getFunctionExecutionStatus()));
      }
      putCsimErrorCode(json, p.getCsimErrorCode());
    } else if (payload instanceof CsimStatus c) {
      json.set("RequestId", requestId(c.getRequestId()));
      json.put("eid", c.getEid());
      json.put("imei", c.getImei() == null ? "" : c.getImei());
      putIfPresent(json, "csimNetwork", c.getCsimNetwork());
      putIfPresent(json, "opsNetwork", c.getOpsNetwork());
      ArrayNode profiles = json.putArray("Profiles");
      c.getProfiles().forEach(p -> profiles.add(profile(p)));
    } else if (payload instanceof EnableProfileError e) {
      json.set("RequestId", requestId(e.getRequestId()));
      json.set("profile", profile(e.getProfile()));
      putCsimErrorCode(json, e.getCsimErrorCode());
    } else if (payload instanceof DisableProfileError d) {
      json.set("RequestId", requestId(d.getRequestId()));
      json.set("profile", profile(d.getProfile()));
      putCsimErrorCode(json, d.getCsimErrorCode());
    } else if (payload instanceof DeleteProfileResult d) {
      json.set("RequestId", requestId(d.getRequestId()));
      putIfPresent(json, "CmpUserId", d.getCmpUserId());
      json.put("ICCID", d.getIccid());
      json.put("RequestDeleteProfileResult", d.getRequestDeleteProfileResult().name());
      putCsimErrorCode(json, d.getCsimErrorCode());
    } else if (payload instanceof CsimInfoResult c) {
      json.set("RequestId", requestId(c.getRequestId()));
      json.put("RequestCSIMInfoResult", c.getRequestCsimInfoResult().name());
      putCsimErrorCode(json, c.getCsimErrorCode());
    } else if (payload instanceof DeleteAllProfilesResult d) {
      json.set("RequestId", requestId(d.getRequestId()));
      json.put("RequestDeleteProfileResult", d.getRequestDeleteProfileResult().name());
      putCsimErrorCode(json, d.getCsimErrorCode());
    } else {
      throw new IllegalArgumentException("Not an AiD2 uplink message: " + payload.getClass().getSimpleName());
    }
    return bytes(json);
  }

  // ---- downlink: CMP -> vehicle ----

  /** The JSON published to the vehicle for a downlink payload record, carrying the command id. */
  public byte[] writeDownlink(String commandId, SpecificRecord payload) {
    ObjectNode json = mapper.createObjectNode();
    json.put("CommandId", commandId);
    if (payload instanceof SendActivationCodeToVehicle a) {
      json.set("RequestId", requestId(a.getRequestId()));
      json.put("CmpUserId", a.getCmpUserId());
      putIfPresent(json, "ProfileType", a.getProfileType());
      json.put("activationCode", a.getActivationCode());
    } else if (payload instanceof VehicleRequestError e) {
      if (e.getRequestId() != null) {
        json.set("RequestId", requestId(e.getRequestId()));
      }
      putIfPresent(json, "CmpUserId", e.getCmpUserId());
      json.put("error", e.getError().name());
      if (e.getDescription() != null) {
        json.put("description", truncate(e.getDescription()));
      }
    } else if (payload instanceof RequestDeleteProfile d) {
      json.set("RequestId", requestId(d.getRequestId()));
      json.put("CmpUserId", d.getCmpUserId());
      json.put("ICCID", d.getIccid());
      json.put("eid", d.getEid());
    } else if (payload instanceof RequestCsimInfo c) {
      json.set("RequestId", requestId(c.getRequestId()));
    } else if (payload instanceof RequestDeleteAllProfiles d) {
      json.set("RequestId", requestId(d.getRequestId()));
    } else {
      throw new IllegalArgumentException("Not an AiD2 downlink message: " + payload.getClass().getSimpleName());
    }
    return bytes(json);
  }

  /**
   * A downlink message as the vehicle reads it (the vehicle simulator's side), held to its schema.
   *
   * @throws InvalidAid2Message naming what is wrong
   */
  public Downlink readDownlink(DownlinkMessage message, byte[] payload) throws InvalidAid2Message {
    JsonNode json = validated(downlinkSchemas.get(message), message, payload);
    String commandId = json.get("CommandId").asText();
    SpecificRecord record = switch (message) {
      case ACTIVATION_CODE -> SendActivationCodeToVehicle.newBuilder()
          .setRequestId(requestId(json.get("RequestId")))
          .setCmpUserId(json.get("CmpUserId").asText())
          .setProfileType(text(json, "ProfileType"))
          .setActivationCode(json.get("activationCode").asText())
          .build();
      case ERROR -> VehicleRequestError.newBuilder()
          .setRequestId(json.has("RequestId") ? requestId(json.get("RequestId")) : null)
          .setCmpUserId(text(json, "CmpUserId"))
          .setError(Aid2Error.valueOf(json.get("error").asText()))
          .setDescription(text(json, "description"))
          .build();
      case DELETE_PROFILE -> RequestDeleteProfile.newBuilder()
          .setRequestId(requestId(json.get("RequestId")))
          .setCmpUserId(json.get("CmpUserId").asText())
          .setIccid(json.get("ICCID").asText())
          .setEid(json.get("eid").asText())
          .build();
      case CSIM_INFO -> new RequestCsimInfo(requestId(json.get("RequestId")));
      case DELETE_ALL_PROFILES -> new RequestDeleteAllProfiles(requestId(json.get("RequestId")));
    };
    return new Downlink(commandId, record);
  }

  // ---- presence ----

  /**
   * The presence a vehicle published on {@code aid2/v1/vehicles/{vin}/presence}: {@code online} or
   * {@code offline}, nothing else.
   */
  public static VehiclePresence readPresence(String vin, byte[] payload) throws InvalidAid2Message {
    String text = payload == null ? "" : new String(payload, StandardCharsets.UTF_8);
    if (text.equals(Aid2Topics.ONLINE) || text.equals(Aid2Topics.OFFLINE)) {
      return new VehiclePresence(vin, text.equals(Aid2Topics.ONLINE));
    }
    throw new InvalidAid2Message("presence: the payload must be \"online\" or \"offline\"");
  }

  public static byte[] presencePayload(boolean online) {
    return (online ? Aid2Topics.ONLINE : Aid2Topics.OFFLINE).getBytes(StandardCharsets.UTF_8);
  }

  // ---- validation ----

  /** Holds a payload to a message's JSON Schema; empty if it fits, else what is wrong (for tests and tools). */
  public List<String> violations(Aid2Message message, byte[] payload) {
    try {
      validated(schema(message), message, payload);
      return List.of();
    } catch (InvalidAid2Message e) {
      return List.of(e.getMessage());
    }
  }

  private Schema schema(Aid2Message message) {
    return message instanceof UplinkMessage u ? uplinkSchemas.get(u) : downlinkSchemas.get((DownlinkMessage) message);
  }

  private JsonNode validated(Schema schema, Aid2Message message, byte[] payload) throws InvalidAid2Message {
    if (payload == null || payload.length == 0) {
      throw new InvalidAid2Message(message.topicName() + ": empty payload, a JSON object is expected");
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new InvalidAid2Message(message.topicName() + ": payload of " + payload.length + " bytes, at most "
          + MAX_PAYLOAD_BYTES + " are accepted");
    }
    JsonNode json;
    try {
      json = mapper.readTree(payload);
    } catch (JsonProcessingException e) {
      // Where, not what: Jackson's own text quotes the offending token, which may be part of an activation code.
      com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
      throw new InvalidAid2Message(message.topicName() + ": not JSON"
          + (at == null ? "" : " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    } catch (IOException e) {
      throw new InvalidAid2Message(message.topicName() + ": not JSON");
    }
    if (json == null || !json.isObject()) {
      throw new InvalidAid2Message(message.topicName() + ": a JSON object is expected");
    }
    List<Error> errors = schema.validate(json);
    if (!errors.isEmpty()) {
      String what = errors.stream().limit(3)
          .map(e -> e.getInstanceLocation() + ": " + e.getMessage())
          .collect(Collectors.joining("; "));
      throw new InvalidAid2Message(truncate(message.topicName() + " does not fit its schema: " + what));
    }
    return json;
  }

  // ---- field mappings, once ----

  private static VehicleRequestId requestId(JsonNode node) {
    return new VehicleRequestId(node.get("VehicleID").asText(), node.get("Timestamp").asLong());
  }

  private ObjectNode requestId(VehicleRequestId id) {
    ObjectNode node = mapper.createObjectNode();
    node.put("VehicleID", id.getVehicleId());
    node.put("Timestamp", id.getTimestamp());
    return node;
  }

  private static CsimProfile profile(JsonNode p) {
    return CsimProfile.newBuilder()
        .setIccid(p.get("ICCID").asText())
        .setCmpUserId(p.get("CmpUserId").asText())
        .setProfileStatus(VehicleProfileStatus.valueOf(p.get("ProfileStatus").asText()))
        .setSubscriptionType(p.has("subscriptionType")
            ? SubscriptionType.valueOf(p.get("subscriptionType").asText().toUpperCase(Locale.ROOT)) : null)
        .setMcc(text(p, "MCC"))
        .setMnc(text(p, "MNC"))
        .build();
  }

  private ObjectNode profile(CsimProfile p) {
    ObjectNode node = mapper.createObjectNode();
    node.put("ICCID", p.getIccid());
    node.put("CmpUserId", p.getCmpUserId());
    node.put("ProfileStatus", p.getProfileStatus().name());
    if (p.getSubscriptionType() != null) {
      node.put("subscriptionType", p.getSubscriptionType().name().toLowerCase(Locale.ROOT));
    }
    putIfPresent(node, "MCC", p.getMcc());
    putIfPresent(node, "MNC", p.getMnc());
    return node;
  }

  private static String imei(JsonNode json) {
    String imei = text(json, "imei");
    return imei == null || imei.isEmpty() ? null : imei;
  }

  private static Integer csimErrorCode(JsonNode json) {
    JsonNode code = json.get("csimErrorCode");
    if (code == null || code.isNull()) {
      return null;
    }
    return code.isTextual() ? Integer.parseInt(code.asText(), 16) : code.asInt();
  }

  private static void putCsimErrorCode(ObjectNode json, Integer code) {
    if (code != null) {
      json.put("csimErrorCode", HexFormat.of().withUpperCase().toHexDigits(code.shortValue()));
    }
  }

  private static String functionExecutionStatus(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    return node.isTextual() ? node.asText() : node.toString();
  }

  private JsonNode functionExecutionStatusJson(String text) {
    try {
      JsonNode parsed = mapper.readTree(text);
      if (parsed != null && parsed.isObject()) {
        return parsed;
      }
    } catch (JsonProcessingException e) {
      // not JSON: sent as the string it is
    }
    return mapper.getNodeFactory().textNode(text);
  }

  private static String text(JsonNode json, String field) {
    JsonNode node = json.get(field);
    return node == null || node.isNull() ? null : node.asText();
  }

  private static void putIfPresent(ObjectNode json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
  }

  private static String truncate(String text) {
    return text.length() <= MAX_DESCRIPTION ? text : text.substring(0, MAX_DESCRIPTION - 1) + "…";
  }

  private byte[] bytes(ObjectNode json) {
    try {
      return mapper.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A JSON tree that cannot be written", e);
    }
  }
}
