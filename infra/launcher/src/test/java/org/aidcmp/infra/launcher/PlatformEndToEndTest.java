package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The platform as `aid up` runs it: ingress-aid1 over mutual TLS answering through the real lifecycle-streams
 * topology on the embedded broker. An MSP that follows AID.02 onboards a user (touchpoint account id, §7.1.4
 * Send MSP token) and runs every AiD1 function; the answers are the topology's decisions.
 */
@ExtendWith(SharedEmbeddedStack.class)
class PlatformEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] PHONE_KEY = new byte[16];
  private static Path data;
  private static Services services;
  private static Identity mspCertificate;
  private static HttpClient msp;
  private static HttpClient touchpoint;

  @BeforeAll
  static void start(Endpoints endpoints) throws Exception {
    new SecureRandom().nextBytes(PHONE_KEY);
    data = Files.createTempDirectory("aid-e2e-");
    CertificateAuthority mspCa = CertificateAuthority.create("MSP A test CA");
    mspCertificate = mspCa.issueClient("msp-a");
    AidConfig config = AidConfig.of(Map.ofEntries(
        Map.entry("aid.data.dir", data.toString()),
        Map.entry("cmp.id", "aidcmp"),
        Map.entry("lifecycle.application-id", "aid-lifecycle-e2e-" + UUID.randomUUID()),
        Map.entry("ingress.aid1.msp.port", "0"),
        Map.entry("ingress.aid1.touchpoint.port", "0"),
        Map.entry("oidc.local.port", "0"),
        Map.entry("msp.ids", "msp-a"),
        Map.entry("msp.msp-a.client-id", "mspA"),
        Map.entry("msp.msp-a.base-url", "https://127.0.0.1:9/cesim"),
        Map.entry("msp.msp-a.api-key", "cmp-key-at-msp-a"),
        Map.entry("msp.msp-a.inbound-api-key", "mspAkey0123456789"),
        Map.entry("msp.msp-a.client-certificate-sha256", mspCertificate.sha256Fingerprint()),
        Map.entry("msp.msp-a.account-id-secret", "msp-a-secret-of-at-least-32-bytes!!"),
        Map.entry("msp.msp-a.phone-key", Base64.getEncoder().encodeToString(PHONE_KEY)),
        Map.entry("msp.msp-a.redirect-domains", "*.msp-a.example"),
        Map.entry("msp.msp-a.touchpoint-url", "https://portal.msp-a.example/login"),
        Map.entry("msp.msp-a.withdraw-url", "https://portal.msp-a.example/withdraw")));
    services = Services.start(config, endpoints);
    var cmpCa = Pem.readCertificates(Pem.read(DevCredentials.localCa(data)));
    msp = HttpClient.newBuilder().sslContext(Tls.clientContext(mspCertificate, cmpCa))
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    touchpoint = HttpClient.newBuilder().sslContext(Tls.clientContext(null, cmpCa))
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (services != null) {
      services.close();
    }
    SharedEmbeddedStack.deleteRecursively(data);
  }

  record Answer(int status, JsonNode body) {
    String code() {
      return body.path("code").asText();
    }
  }

  private static Answer touchpoint(String user, String method, String path, String body) throws Exception {
    String token = services.issuer().token(user, List.of(), Duration.ofMinutes(10));
    HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
            + services.ingress().server().touchpointPort() + path))
        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    return answer(touchpoint.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private static Answer msp(String method, String path, String body, String requestId) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
            + services.ingress().server().mspPort() + path))
        .timeout(Duration.ofSeconds(20))
        .header("CMP-request-id", requestId)
        // a retry of a request is the same transaction: same correlation-id (92 otherwise)
        .header("correlation-id", UUID.nameUUIDFromBytes(requestId.getBytes(StandardCharsets.UTF_8)).toString())
        .header("api-key", "mspAkey0123456789").header("client-id", "mspA").header("target-id", "aidcmp")
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    return answer(msp.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private static Answer msp(String method, String path, String body) throws Exception {
    return msp(method, path, body, UUID.randomUUID().toString());
  }

  private static Answer answer(HttpResponse<String> response) throws Exception {
    String body = response.body();
    return new Answer(response.statusCode(), body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body));
  }

  /** The MSP side of phone number encryption (§7.1.4): AES-GCM, Base64, with the iv field. */
  private static String encryptedPhone(String number) throws Exception {
    byte[] iv = new byte[12];
    new SecureRandom().nextBytes(iv);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(PHONE_KEY, "AES"), new GCMParameterSpec(128, iv));
    byte[] encrypted = cipher.doFinal(number.getBytes(StandardCharsets.US_ASCII));
    return "\"phoneNumber\":\"" + Base64.getEncoder().encodeToString(encrypted) + "\",\"iv\":\""
        + Base64.getEncoder().encodeToString(iv) + "\"";
  }

  /** §4.1: the touchpoint asks for an account id; returns it. */
  private static String accountId(String user) throws Exception {
    Answer issued = touchpoint(user, "POST", "/api/v1/onboarding/account-ids", "{\"mspId\":\"msp-a\"}");
    assertThat(issued.status()).as(issued.body().toString()).isEqualTo(201);
    assertThat(issued.body().path("redirect_url").asText()).startsWith("https://portal.msp-a.example/login?id=");
    return issued.body().path("account_id").asText();
  }

  @Test
  void anMspOnboardsAUserAndRunsEveryAid1FunctionAgainstTheRunningPlatform() throws Exception {
    String user = "e2e-" + UUID.randomUUID();
    String token = UUID.randomUUID().toString();

    // §7.1.4 Send MSP token, decided by the topology; the same CMP-request-id again gets the same answer.
    String accountId = accountId(user);
    String requestId = UUID.randomUUID().toString();
    String sendToken = "{\"msp_token\":\"" + token + "\",\"subscriptionType\":\"private\","
        + "\"customerGroup\":\"Market_Germany\"," + encryptedPhone("4918974020143") + "}";
    assertThat(msp("POST", "/cesim/msp/v1/users/" + accountId, sendToken, requestId).status()).isEqualTo(201);
    assertThat(msp("POST", "/cesim/msp/v1/users/" + accountId, sendToken, requestId).status()).isEqualTo(201);
    Answer reused = msp("POST", "/cesim/msp/v1/users/" + accountId, sendToken);
    assertThat(reused.status()).isEqualTo(422);
    assertThat(reused.code()).as("a used account id").isEqualTo("10");

    // The same token for another user: 23.
    Answer taken = msp("POST", "/cesim/msp/v1/users/" + accountId("e2e-" + UUID.randomUUID()),
        "{\"msp_token\":\"" + token + "\",\"subscriptionType\":\"private\"}");
    assertThat(taken.status()).isEqualTo(422);
    assertThat(taken.code()).isEqualTo("23");

    // §7.1.7 Update subscription info.
    assertThat(msp("PATCH", "/cesim/msp/v1/subscriptions/" + token,
        "{\"subscriptionType\":\"business\"," + encryptedPhone("4918974020144") + "}").status()).isEqualTo(201);

    // §7.1.6 Send profile information about a profile the user does not have: 404, code 61.
    Answer unknownProfile = msp("POST", "/cesim/msp/v1/users/" + token + "/profiles",
        "{\"profiles\":[{\"iccid\":\"8944500805172032953\",\"status\":\"suspended\",\"reason\":\"bill unpaid\"}]}");
    assertThat(unknownProfile.status()).isEqualTo(404);
    assertThat(unknownProfile.code()).isEqualTo("61");

    // §7.1.8.2.1 Send activation code that matches no request: 422.
    Answer unmatched = msp("POST", "/cesim/msp/v1/activation-codes/" + token,
        "{\"iccid\":\"8944500805172032953\",\"activationCode\":\"1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815\","
            + "\"profileType\":\"personal\",\"activationCodeRequestID\":\"" + UUID.randomUUID() + "\"}");
    assertThat(unmatched.status()).isEqualTo(422);

    // A token nobody has: 404, code 20, the same as another MSP's token would get.
    Answer unknown = msp("POST", "/cesim/msp/v1/users/" + UUID.randomUUID() + "/invalidate", "{\"reason\":\"x\"}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("20");

    // §7.1.5 Notify MSP token invalid: the federation goes (no profiles to delete), the token is then unknown.
    assertThat(msp("POST", "/cesim/msp/v1/users/" + token + "/invalidate",
        "{\"reason\":\"user subscription ended\"}").status()).isEqualTo(204);
    Answer gone = msp("PATCH", "/cesim/msp/v1/subscriptions/" + token, "{\"subscriptionType\":\"private\"}");
    assertThat(gone.status()).isEqualTo(404);
  }

  @Test
  void theTouchpointWithdrawsOnboardingAndGetsTheMspsWithdrawPage() throws Exception {
    String user = "e2e-" + UUID.randomUUID();
    String token = UUID.randomUUID().toString();
    assertThat(msp("POST", "/cesim/msp/v1/users/" + accountId(user),
        "{\"msp_token\":\"" + token + "\",\"subscriptionType\":\"private\"}").status()).isEqualTo(201);
    assertThat(touchpoint(user, "POST", "/api/v1/terms/acceptance", "{}").status()).isEqualTo(200);

    Answer withdrawn = touchpoint(user, "POST", "/api/v1/subscriptions/" + URLEncoder.encode(token, StandardCharsets.UTF_8)
        + "/withdraw", "{}");
    assertThat(withdrawn.status()).as(withdrawn.body().toString()).isEqualTo(202);
    assertThat(withdrawn.body().toString()).contains("https://portal.msp-a.example/withdraw");
  }
}
