package org.aidcmp.ingress.aid1;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals (a request line or URI it cannot parse, a bad or ambiguous percent-encoding, headers too
 * large, an HTTP version it does not speak) happen before any route runs; they too answer with the §5.1.5 body,
 * for every method (Jetty's own handler writes a body for GET, POST and HEAD only), and never echo the request.
 *
 * <p>Each such answer says {@code Connection: close}: after a request it could not parse Jetty closes the
 * connection, and without the header a client would send its next request on a connection about to close and
 * get no answer at all.
 */
final class JsonErrorHandler extends ErrorHandler {
  /** What a refusal answers: the status (never a 5xx for the client's fault), the §5.1.5 code and text. */
  record Refusal(int status, String code, String error) {
    byte[] body() {
      return Json.MAPPER.createObjectNode().put("code", code).put("error", error).toString()
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  /** One mapping for Jetty's statuses and Javalin's, so both answer a status alike. */
  static Refusal refusal(int status) {
    return switch (status) {
      case 404 -> new Refusal(404, "91", "Not found");
      case 405 -> new Refusal(405, "91", "Method not allowed");
      case 408 -> new Refusal(408, "91", "Invalid request syntax: the request did not arrive in time");
      case 411 -> new Refusal(411, "91", "Invalid request syntax: Content-Length required");
      case 413 -> new Refusal(413, "91", "Invalid request syntax: request body too large");
      case 414 -> new Refusal(414, "91", "Invalid request syntax: request target too long");
      case 415 -> new Refusal(415, "91", "Invalid request syntax: unsupported content type");
      case 431 -> new Refusal(431, "91", "Invalid request syntax: headers too large");
      // RFC 9110 would have 501 / 505; they refuse what the client sent, so they are 400s here (never a 5xx).
      case 501 -> new Refusal(400, "91", "Invalid request syntax: not implemented by this server");
      case 505 -> new Refusal(400, "91", "Invalid request syntax: HTTP version not supported");
      case 500, 503 -> new Refusal(status, "90", "Internal Server Error");
      default -> status >= 500 ? new Refusal(500, "90", "Internal Server Error")
          : new Refusal(status < 400 ? 400 : status, "91", "Invalid request syntax");
    };
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException e) {
      status = e.getCode();
    }
    Refusal refusal = refusal(status);
    response.setStatus(refusal.status());
    generateCacheControl(response);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    response.write(true, ByteBuffer.wrap(refusal.body()), callback);
    return true;
  }
}
