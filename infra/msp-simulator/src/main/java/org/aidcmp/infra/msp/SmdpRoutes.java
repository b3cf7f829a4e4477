package org.aidcmp.infra.msp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The {@link SmdpStub} over HTTPS, for vehicles in another process than the simulator ({@code aid fleet}): one
 * call, {@value #PATH}, with {@code {"activationCode", "eid"}}, answering 200 {@code {"iccid"}} or 404 when the
 * code is unknown, used, or bound to another EID (SGP.22 ES9+ reduced to its outcome). On the simulator's own
 * server, so its TLS rules apply.
 */
final class SmdpRoutes {
  static final String PATH = "/smdp/v1/downloads";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SmdpStub smdp;

  SmdpRoutes(SmdpStub smdp) {
    this.smdp = smdp;
  }

  void install(RoutesConfig r) {
    r.post(PATH, this::download);
  }

  private void download(Context ctx) throws Exception {
    JsonNode body;
    try {
      body = JSON.readTree(ctx.bodyAsBytes());
    } catch (java.io.IOException e) {
      body = null;
    }
    if (body == null || !body.path("activationCode").isTextual() || !body.path("eid").isTextual()) {
      answer(ctx, 400, Map.of("reason", "a JSON object with activationCode and eid is expected"));
      return;
    }
    // The code is never echoed or logged: it is the key to a profile.
    smdp.download(body.get("activationCode").asText(), body.get("eid").asText()).ifPresentOrElse(
        iccid -> answer(ctx, 200, Map.of("iccid", iccid)),
        () -> answer(ctx, 404, Map.of("reason", "no profile for this activation code and eid")));
  }

  private static void answer(Context ctx, int status, Map<String, String> body) {
    try {
      ctx.status(status).contentType("application/json; charset=utf-8").result(JSON.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
