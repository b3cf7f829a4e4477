package org.aidcmp.ingress.aid1;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals (a request line it cannot parse, bad percent-encoding, headers too large) happen before
 * any route runs; they too answer with the §5.1.5 body instead of Jetty's HTML page, and never echo the request.
 */
final class JsonErrorHandler extends ErrorHandler {
  static byte[] body(int status) {
    String code = status >= 500 ? "90" : "91";
    String text = status >= 500 ? "Internal Server Error" : "Invalid request syntax";
    return ("{\"code\":\"" + code + "\",\"error\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body(code)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status));
  }
}
