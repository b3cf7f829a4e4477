package org.aidcmp.ingress.aid1;

import io.javalin.http.Context;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.regex.Pattern;
import org.aidcmp.infra.config.MspRegistry;

/**
 * The §5.1.1 headers and the §6 identity of every MSP call, checked in the order that reveals least:
 * who (client certificate, then api-key: 401), then may it (client-id is that certificate's MSP, target-id
 * is this CMP: 403), then syntax (CMP-request-id and correlation-id UUIDs: 400 code 91).
 */
public final class Aid1Headers {
  static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";
  /** §5.1.1: api-key, client-id and target-id are [A-Za-z0-9]. */
  private static final Pattern ALPHANUMERIC = Pattern.compile("[A-Za-z0-9]{1,256}");

  /** A call that passed: which MSP, and its ids. */
  public record Aid1Call(MspRegistry.Msp msp, String requestId, String correlationId) {}

  private final ClientCertificates certificates;
  private final String cmpId;

  public Aid1Headers(ClientCertificates certificates, String cmpId) {
    this.certificates = certificates;
    this.cmpId = cmpId;
  }

  public Aid1Call check(Context ctx) {
    Object attribute = ctx.req().getAttribute(CERTIFICATE_ATTRIBUTE);
    if (!(attribute instanceof X509Certificate[] chain) || chain.length == 0) {
      // Only reachable on a connector without client authentication: the MSP API is not served there.
      throw new ApiError(401, ApiError.UNAUTHORIZED, "Unauthorized: a client certificate is required");
    }
    MspRegistry.Msp msp = certificates.msp(chain[0])
        .orElseThrow(() -> new ApiError(401, ApiError.UNAUTHORIZED, "Unauthorized"));
    String apiKey = ctx.header("api-key");
    if (apiKey == null || !ALPHANUMERIC.matcher(apiKey).matches() || !constantTimeEquals(apiKey, msp.inboundApiKey())) {
      throw new ApiError(401, ApiError.UNAUTHORIZED, "Unauthorized");
    }
    String clientId = ctx.header("client-id");
    if (clientId == null || !clientId.equals(msp.clientId())) {
      throw new ApiError(403, ApiError.FORBIDDEN, "Forbidden: client-id does not match the client certificate");
    }
    String targetId = ctx.header("target-id");
    if (targetId == null || !targetId.equals(cmpId)) {
      throw new ApiError(403, ApiError.FORBIDDEN, "Forbidden: target-id does not name this CMP");
    }
    String requestId = uuidHeader(ctx, "CMP-request-id");
    String correlationId = uuidHeader(ctx, "correlation-id");
    return new Aid1Call(msp, requestId, correlationId);
  }

  private static String uuidHeader(Context ctx, String name) {
    String value = ctx.header(name);
    if (value == null || value.isEmpty()) {
      throw new ApiError(400, "91", "Invalid request syntax: header " + name + " is required");
    }
    if (!Json.isUuid(value)) {
      throw new ApiError(400, "91", "Invalid request syntax: header " + name + " must be a UUID");
    }
    // UUIDs compare case-insensitively (RFC 9562); one spelling for deduplication.
    return value.toLowerCase(Locale.ROOT);
  }

  private static boolean constantTimeEquals(String a, String b) {
    return b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
