package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.Tls;

/**
 * A CMP touchpoint (app, portal, fleet tool) calling the touchpoint API of running {@link Services}, with bearer
 * tokens from their local OIDC issuer, trusting the local CA of their data directory.
 */
final class Touchpoint {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Services services;
  private final HttpClient http;

  /** What the touchpoint API answered. */
  record Answer(int status, JsonNode body) {}

  Touchpoint(Services services, Path data) {
    this.services = services;
    this.http = HttpClient.newBuilder()
        .sslContext(Tls.clientContext(null, Pem.readCertificates(Pem.read(DevCredentials.localCa(data)))))
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  Answer call(String user, String method, String path, String body) throws Exception {
    return call(user, List.of(), method, path, body);
  }

  Answer call(String user, List<String> roles, String method, String path, String body) throws Exception {
    String token = services.issuer().token(user, roles, Duration.ofMinutes(10));
    HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
            + services.ingress().server().touchpointPort() + path))
        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    String text = response.body();
    return new Answer(response.statusCode(), text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text));
  }

  /** §4.1: the touchpoint asks for an account id for onboarding at {@code mspId}; returns it. */
  String accountId(String user, String mspId) throws Exception {
    Answer issued = answered(() -> call(user, "POST", "/api/v1/onboarding/account-ids",
        "{\"mspId\":\"" + mspId + "\"}"));
    assertThat(issued.status()).as(issued.body().toString()).isEqualTo(201);
    return issued.body().path("account_id").asText();
  }

  /** A call whose answer may be 503 code 205 "recorded but not answered yet; try again". */
  interface Call {
    Answer make() throws Exception;
  }

  /**
   * Makes {@code call} again while the platform answers 205 (a fresh lifecycle application on the shared stack
   * first reads every earlier test's records, which on a loaded machine takes longer than one reply timeout); at
   * most two minutes.
   */
  static Answer answered(Call call) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      Answer answer = call.make();
      if (answer.status() != 503 || !answer.body().path("code").asText().equals("205")
          || System.nanoTime() > deadline) {
        return answer;
      }
      Thread.sleep(500);
    }
  }
}
