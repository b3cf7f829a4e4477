package org.aidcmp.infra.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.aidcmp.infra.pki.Tls;

/**
 * A CMP touchpoint (app, portal, fleet tool) of a running platform from another process: bearer tokens from the
 * local OIDC issuer's {@code POST /token} (as the README's curl does), calls to the touchpoint API over HTTPS
 * trusting the given CAs. Never prints a token.
 */
final class TouchpointClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration TRY_AGAIN_FOR = Duration.ofSeconds(60);

  /** What the touchpoint API answered. */
  record Answer(int status, JsonNode body) {}

  private final URI touchpoint;
  private final URI tokenEndpoint;
  private final HttpClient http;

  /** {@code touchpoint}: https://host:port (paths start /api/v1); {@code tokenEndpoint}: the issuer's /token. */
  TouchpointClient(URI touchpoint, URI tokenEndpoint, List<X509Certificate> trusted) {
    this.touchpoint = touchpoint;
    this.tokenEndpoint = tokenEndpoint;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .sslContext(Tls.clientContext(null, trusted)).build();
  }

  /** A token for {@code sub} with {@code roles}, from the local issuer. */
  String token(String sub, List<String> roles) throws IOException, InterruptedException {
    String form = "sub=" + URLEncoder.encode(sub, StandardCharsets.UTF_8)
        + (roles.isEmpty() ? "" : "&roles=" + URLEncoder.encode(String.join(",", roles), StandardCharsets.UTF_8));
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(tokenEndpoint).timeout(CALL_TIMEOUT)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    if (body == null || !body.path("access_token").isTextual()) {
      throw new IOException("the OIDC issuer at " + tokenEndpoint + " answered " + response.statusCode()
          + " without a token");
    }
    return body.get("access_token").asText();
  }

  /**
   * One call; while the platform answers 503 code 205 ("recorded but not answered yet; try again": the topology
   * is busy, e.g. catching up after a start) it is made again, for at most {@link #TRY_AGAIN_FOR}.
   */
  Answer call(String token, String method, String path, String body) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TRY_AGAIN_FOR.toNanos();
    while (true) {
      Answer answer = callOnce(token, method, path, body);
      if (answer.status() != 503 || !answer.body().path("code").asText().equals("205")
          || System.nanoTime() > deadline) {
        return answer;
      }
      Thread.sleep(500);
    }
  }

  private Answer callOnce(String token, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(touchpoint.resolve(path)).timeout(CALL_TIMEOUT)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        // A call without a body (DELETE) sends none: ofString(null) threw, so the bench's deletes never left.
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    String text = response.body();
    return new Answer(response.statusCode(),
        text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text));
  }
}
