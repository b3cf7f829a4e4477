package org.aidcmp.infra.msp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The MSP's side of §7.1.8 - §7.1.11, with the §5.1.1 header and §6 authentication checks. */
final class MspRoutes {
  /** JSON is UTF-8 (RFC 8259); named, since a String result would take the server's default, ISO-8859-1. */
  private static final String JSON_UTF8 = "application/json; charset=utf-8";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final List<String> CSIM_STATUSES =
      List.of("deleted", "enabled", "disabled", "installed", "installation_failed");

  /** What the routes do to the simulator's state. */
  interface Msp {
    MspSimulator.Settings settings();

    Faults faults();

    ProfilePool pool(String mspToken);

    Answer activationCodeRequest(String mspToken, JsonNode body);

    void record(RecordedRequest request);
  }

  private final Msp msp;

  MspRoutes(Msp msp) {
    this.msp = msp;
  }

  void install(RoutesConfig r) {
    r.post("/v1/activation-code-requests/{msp_token}", ctx -> handle(ctx, MspCall.REQUEST_ACTIVATION_CODE, () -> {
      JsonNode body = body(ctx);
      for (String field : List.of("profileType", "deviceType", "eid", "activationCodeRequestID")) {
        requireText(body, field);
      }
      if (!body.has("imei") || !body.get("imei").isTextual()) {
        throw MspApiError.emptyBody(); // present, even if empty (§7.1.8)
      }
      if (!UUID_TEXT.matcher(body.get("activationCodeRequestID").asText()).matches()) {
        throw MspApiError.badSyntax("activationCodeRequestID");
      }
      return msp.activationCodeRequest(token(ctx), body);
    }));
    r.post("/v1/statuses/{msp_token}", ctx -> handle(ctx, MspCall.SEND_CSIM_STATUS, () -> {
      JsonNode body = body(ctx);
      requireText(body, "iccid");
      requireText(body, "eid");
      requireText(body, "status");
      String status = body.get("status").asText();
      if (!CSIM_STATUSES.contains(status)) {
        throw MspApiError.badSyntax("status");
      }
      pool(ctx, true).csimStatus(body.get("iccid").asText(), status);
      return new Answer(201, null);
    }));
    r.delete("/v1/users/{msp_token}", ctx -> handle(ctx, MspCall.REQUEST_INVALIDATE_MSP_TOKEN, () -> {
      pool(ctx, false).invalidate();
      return new Answer(204, null);
    }));
    r.get("/v1/profiles/status/{msp_token}", ctx -> handle(ctx, MspCall.REQUEST_PROFILE_STATUS, () -> {
      ObjectNode out = JSON.createObjectNode();
      var profiles = out.putArray("profiles");
      for (ProfilePool.Profile p : pool(ctx, false).profiles(ctx.queryParam("iccid"))) {
        profiles.addObject().put("iccid", p.iccid()).put("status", p.state().json());
      }
      return new Answer(200, out);
    }));
  }

  /** An answer: status and JSON body (null for none). */
  record Answer(int status, Object body) {}

  @FunctionalInterface
  private interface Handler {
    Object handle() throws Exception;
  }

  private void handle(Context ctx, MspCall call, Handler handler) throws Exception {
    Instant received = Instant.now();
    // A GET or DELETE of §7.1.10/§7.1.11 carries no body: reading one anyway costs a read of the request stream.
    String requestBody = ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null ? ctx.body() : "";
    try {
      var fault = msp.faults().take(call);
      if (fault.isPresent() && !applyFault(ctx, fault.get())) {
        return;
      }
      authenticate(ctx);
      checkHeaders(ctx);
      Answer answer = (Answer) handler.handle();
      ctx.status(answer.status());
      if (answer.body() != null) {
        ctx.contentType(JSON_UTF8).result(JSON.writeValueAsBytes(answer.body()));
      }
    } catch (MspApiError e) {
      error(ctx, e.status, e.code, e.getMessage());
    } finally {
      msp.record(new RecordedRequest(received, call, ctx.method().name(), ctx.path(), ctx.pathParam("msp_token"),
          query(ctx), headers(ctx), requestBody, ctx.status().getCode()));
    }
  }

  /** Applies a fault; true when the normal answer follows (latency), false when the fault was the answer. */
  private static boolean applyFault(Context ctx, Fault fault) {
    try {
      return applyFaultOrWait(ctx, fault);
    } catch (InterruptedException stopping) {
      Thread.currentThread().interrupt(); // the simulator is closing: no answer to give
      error(ctx, 503, "90", "Shutting down");
      return false;
    }
  }

  private static boolean applyFaultOrWait(Context ctx, Fault fault) throws InterruptedException {
    switch (fault.kind()) {
      case LATENCY -> {
        Thread.sleep(fault.delay().toMillis());
        return true;
      }
      case TOO_MANY_REQUESTS -> {
        ctx.header("Retry-After", Integer.toString(fault.retryAfterSeconds()));
        error(ctx, 429, "90", "Too many requests");
        return false;
      }
      case HANG -> {
        Thread.sleep(fault.delay().toMillis());
        error(ctx, fault.status(), "90", "Internal Server Error");
        return false;
      }
      default -> {
        error(ctx, fault.status(), "90", "Internal Server Error");
        return false;
      }
    }
  }

  /** §6: the api-key or basic authentication this MSP asked the CMP to use. */
  private void authenticate(Context ctx) {
    MspSimulator.Settings s = msp.settings();
    boolean ok;
    if (s.basicUser() != null) {
      String expected = "Basic " + Base64.getEncoder().encodeToString(
          (s.basicUser() + ":" + s.basicPassword()).getBytes(StandardCharsets.UTF_8));
      ok = expected.equals(ctx.header("Authorization"));
    } else {
      ok = s.apiKey().equals(ctx.header("api-key"));
    }
    if (!ok) {
      throw new MspApiError(401, "90", "Unauthorized");
    }
  }

  /** §5.1.1: CMP-request-id and correlation-id are UUIDs, client-id names the CMP, target-id this MSP. */
  private void checkHeaders(Context ctx) {
    for (String uuidHeader : List.of("CMP-request-id", "correlation-id")) {
      String value = ctx.header(uuidHeader);
      if (value == null || !UUID_TEXT.matcher(value).matches()) {
        throw MspApiError.badSyntax("header " + uuidHeader);
      }
    }
    if (!msp.settings().cmpId().equals(ctx.header("client-id"))) {
      throw MspApiError.badSyntax("header client-id");
    }
    if (!msp.settings().mspId().equals(ctx.header("target-id"))) {
      throw MspApiError.badSyntax("header target-id");
    }
  }

  private ProfilePool pool(Context ctx, boolean evenIfInvalidated) {
    ProfilePool pool = msp.pool(token(ctx));
    if (pool == null) {
      throw MspApiError.unknownToken();
    }
    if (!evenIfInvalidated && !pool.valid()) {
      throw MspApiError.tokenNoLongerValid();
    }
    return pool;
  }

  private static String token(Context ctx) {
    String token = ctx.pathParam("msp_token");
    if (!UUID_TEXT.matcher(token).matches()) {
      throw MspApiError.badSyntax("msp_token");
    }
    return token.toLowerCase(Locale.ROOT);
  }

  private static JsonNode body(Context ctx) {
    String text = ctx.body();
    if (text == null || text.isBlank()) {
      throw MspApiError.emptyBody();
    }
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject()) {
        throw MspApiError.badSyntax("body is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw MspApiError.badSyntax("body is not JSON");
    }
  }

  private static void requireText(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw MspApiError.emptyBody();
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw MspApiError.badSyntax(field);
    }
  }

  static void error(Context ctx, int status, String code, String error) {
    ObjectNode body = JSON.createObjectNode().put("code", code).put("error", error);
    ctx.status(status).contentType(JSON_UTF8).result(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static Map<String, String> headers(Context ctx) {
    Map<String, String> out = new LinkedHashMap<>();
    ctx.headerMap().forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
    return out;
  }

  private static Map<String, String> query(Context ctx) {
    Map<String, String> out = new LinkedHashMap<>();
    ctx.queryParamMap().forEach((k, v) -> out.put(k, v.isEmpty() ? "" : v.get(0)));
    return out;
  }
}
