package org.aidcmp.ingress.aid1;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

/** Turns outcomes and errors into HTTP answers: JSON, and the §5.1.5 body {code, error} for every non-2xx. */
public final class Responses {
  /** Proprietary (§5.1.5 reserves 200 - 300): a refusal the topology decided without an AID.02 code. */
  public static final String NO_DETAIL = "299";

  private Responses() {}

  public static void error(Context ctx, int status, String code, String error) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("code", code).put("error", error);
    send(ctx, status, body.toString());
  }

  /**
   * JSON as UTF-8 bytes (RFC 8259 §8.1), with the charset named: a String result would be encoded in the server's
   * default charset, ISO-8859-1, and garble any non-ASCII text (a customer group, an MSP's error).
   */
  static void send(Context ctx, int status, String json) {
    ctx.status(status).contentType("application/json; charset=utf-8")
        .result(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static void error(Context ctx, ApiError e) {
    if (e.retryAfterSeconds() != null) {
      ctx.header("Retry-After", e.retryAfterSeconds());
    }
    error(ctx, e.status(), e.code(), e.error());
  }

  /** The topology's outcome, exactly: its status, its error or its body. */
  public static void outcome(Context ctx, RequestReply.Outcome outcome) {
    if (outcome.errorCode() != null) {
      error(ctx, outcome.httpStatus(), outcome.errorCode(), outcome.error() == null ? "" : outcome.error());
    } else if (outcome.httpStatus() >= 400) {
      // §5.1.5: every non-2xx answer has {code, error}. The topology gave none: a proprietary code saying so.
      error(ctx, outcome.httpStatus(), outcome.httpStatus() >= 500 ? "90" : NO_DETAIL,
          outcome.httpStatus() == 404 ? "Not found" : "Request refused");
    } else if (outcome.body() != null && outcome.httpStatus() != 204) {
      send(ctx, outcome.httpStatus(), outcome.body());
    } else {
      ctx.status(outcome.httpStatus());
    }
  }

  public static void json(Context ctx, int status, ObjectNode body) {
    send(ctx, status, body.toString());
  }
}
