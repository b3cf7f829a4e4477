package org.aidcmp.ingress.aid1;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.pki.PhoneNumberCipher;

/** An MSP as AID.02 describes it: HTTPS with its client certificate, the §5.1.1 headers, JSON bodies. */
final class MspClient {
  record Response(int status, String body, java.net.http.HttpHeaders headers) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String code() {
      return json().path("code").asText(null);
    }
  }

  final HttpClient http;
  final int port;
  final MspRegistry.Msp msp;

  MspClient(SSLContext tls, int port, MspRegistry.Msp msp) {
    this.http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    this.port = port;
    this.msp = msp;
  }

  /** The headers a correct call carries; a fresh CMP-request-id and correlation-id. */
  Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("CMP-request-id", UUID.randomUUID().toString());
    h.put("correlation-id", UUID.randomUUID().toString());
    h.put("api-key", msp.inboundApiKey());
    h.put("client-id", msp.clientId());
    h.put("target-id", TestStack.CMP_ID);
    h.put("Content-Type", "application/json");
    return h;
  }

  Response call(String method, String path, String body) throws IOException, InterruptedException {
    return call(method, path, body, headers());
  }

  /** {@code headers}: a null value leaves the header out. */
  Response call(String method, String path, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    headers.forEach((k, v) -> {
      if (v != null) {
        b.header(k, v);
      }
    });
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body(), r.headers());
  }

  /** The MSP side of phone number encryption (§7.1.4): {phoneNumber, iv}, Base64, with the agreed cipher. */
  static String[] encryptPhone(MspRegistry.Msp msp, String number) {
    PhoneNumberCipher.Encrypted e = PhoneNumberCipher.encrypt(
        PhoneNumberCipher.Algorithm.valueOf(msp.phoneCipher().name()), msp.phoneKey(), number);
    return new String[] {e.phoneNumber(), e.iv()};
  }
}
