package org.aidcmp.egress;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import org.aidcmp.infra.config.MspRegistry.Msp;
import org.aidcmp.infra.config.MspRegistry.OutboundAuth;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.aid1.SendCsimStatus;

/** The HTTP requests of §7.1.8 - §7.1.11 with the §5.1.1 headers and the MSP's §6 authentication. */
final class MspRequests {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String cmpId;
  private final Duration timeout;

  MspRequests(String cmpId, Duration timeout) {
    this.cmpId = cmpId;
    this.timeout = timeout;
  }

  HttpRequest build(Msp msp, MspCommand command) {
    String token = segment(command.mspToken());
    Object payload = command.envelope().getPayload();
    HttpRequest.Builder b;
    switch (command.call()) {
      case REQUEST_ACTIVATION_CODE -> b = post(msp, "/v1/activation-code-requests/" + token,
          activationCodeRequest((ActivationCodeRequest) payload));
      case SEND_CSIM_STATUS -> b = post(msp, "/v1/statuses/" + token, csimStatus((SendCsimStatus) payload));
      case REQUEST_INVALIDATE_MSP_TOKEN -> b = HttpRequest.newBuilder(uri(msp, "/v1/users/" + token)).DELETE();
      case REQUEST_PROFILE_STATUS -> {
        String iccid = ((RequestProfileStatus) payload).getIccid();
        String query = iccid == null ? "" : "?iccid=" + URLEncoder.encode(iccid, StandardCharsets.UTF_8);
        b = HttpRequest.newBuilder(uri(msp, "/v1/profiles/status/" + token + query)).GET();
      }
      default -> throw new IllegalArgumentException("no request for " + command.call());
    }
    b.timeout(timeout)
        .header("Accept", "application/json")
        .header("CMP-request-id", command.commandId())
        .header("correlation-id", command.correlationId())
        .header("client-id", cmpId)
        .header("target-id", msp.clientId());
    if (msp.outboundAuth() == OutboundAuth.BASIC) {
      String pair = msp.basicUser() + ":" + msp.basicPassword();
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    } else {
      b.header("api-key", msp.apiKey());
    }
    return b.build();
  }

  private static String activationCodeRequest(ActivationCodeRequest p) {
    ObjectNode body = JSON.createObjectNode()
        .put("profileType", p.getProfileType())
        .put("deviceType", p.getDeviceType())
        .put("imei", p.getImei())
        .put("eid", p.getEid())
        .put("activationCodeRequestID", p.getActivationCodeRequestId());
    if (p.getReplaceIccid() != null) {
      body.put("replaceIccid", p.getReplaceIccid());
    }
    return body.toString();
  }

  private static String csimStatus(SendCsimStatus p) {
    return JSON.createObjectNode()
        .put("iccid", p.getIccid())
        .put("eid", p.getEid())
        .put("status", p.getStatus().name().toLowerCase(Locale.ROOT))
        .toString();
  }

  private static HttpRequest.Builder post(Msp msp, String path, String json) {
    return HttpRequest.newBuilder(uri(msp, path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
  }

  private static URI uri(Msp msp, String path) {
    String base = msp.baseUrl().toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
