package org.aidcmp.infra.msp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aidcmp.infra.msp.AsyncActivationCodeSink.SendActivationCode;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.PhoneNumberCipher;
import org.aidcmp.infra.pki.Tls;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CmpClient on the wire: against a stand-in CMP that requires the MSP's client certificate and records what
 * arrives, so headers, paths and bodies are asserted exactly (ingress-aid1's CmpClientTest runs it against the
 * real CMP side). The phone number is decrypted here with the agreed key, as the CMP would.
 */
class CmpClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] PHONE_KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final CertificateAuthority CMP_CA = CertificateAuthority.create("cmp-ca");
  private static final CertificateAuthority MSP_CA = CertificateAuthority.create("msp-ca");
  private static final List<Received> received = new CopyOnWriteArrayList<>();
  private static final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
  private static Javalin cmp;
  private static int port;

  record Received(String method, String path, Map<String, String> headers, JsonNode body) {
    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  @BeforeAll
  static void startCmp() {
    cmp = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.jetty.addConnector((server, http) -> {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(Tls.serverContext(CMP_CA.issueServer("cmp", List.of(), List.of()),
            List.of(MSP_CA.certificate())));
        ssl.setNeedClientAuth(true);
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server, ssl, new HttpConnectionFactory(https));
        connector.setHost("127.0.0.1");
        return connector;
      });
      config.routes.before(ctx -> {
        Map<String, String> headers = new java.util.HashMap<>();
        ctx.headerMap().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
        received.add(new Received(ctx.method().name(), ctx.path(), headers, JSON.readTree(ctx.body())));
        Integer status = statuses.poll();
        ctx.status(status == null ? 200 : status).contentType("application/json")
            .result(status != null && status >= 400 ? "{\"code\":\"90\",\"error\":\"scripted\"}" : "{}");
        ctx.skipRemainingHandlers();
      });
    }).start(0);
    port = ((ServerConnector) cmp.jettyServer().server().getConnectors()[0]).getLocalPort();
  }

  @AfterAll
  static void stopCmp() {
    cmp.stop();
  }

  @BeforeEach
  void clear() {
    received.clear();
    statuses.clear();
  }

  private static CmpClient client(PhoneNumberCipher.Algorithm cipher) {
    return CmpClient.builder().baseUrl(URI.create("https://127.0.0.1:" + port + "/cesim/msp/v1/"))
        .clientId("mspA").cmpId("aidcmp").apiKey("mspAkey0123")
        .phoneKey(PHONE_KEY, cipher)
        .tls(MSP_CA.issueClient("msp-a"), List.of(CMP_CA.certificate()))
        .timeout(Duration.ofSeconds(10)).build();
  }

  @Test
  void sendMspToken_7_1_4_headersPathAndBody_phoneEncryptedUnderTheAgreedKey() throws Exception {
    for (PhoneNumberCipher.Algorithm cipher : PhoneNumberCipher.Algorithm.values()) {
      received.clear();
      String token = UUID.randomUUID().toString();
      CmpClient.Answer answer = client(cipher).sendMspToken("eyJ.account.id",
          CmpClient.SendMspToken.of(token, "4918974020143", "private").withCustomerGroup("Market_Germany"));
      assertThat(answer.status()).isEqualTo(200);

      Received r = received.get(0);
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/cesim/msp/v1/users/eyJ.account.id");
      assertStandardHeaders(r);
      assertThat(r.body().get("msp_token").asText()).isEqualTo(token);
      assertThat(r.body().get("subscriptionType").asText()).isEqualTo("private");
      assertThat(r.body().get("customerGroup").asText()).isEqualTo("Market_Germany");
      assertThat(r.body().toString()).doesNotContain("4918974020143");
      byte[] clear = PhoneNumberCipher.decrypt(cipher, PHONE_KEY,
          Base64.getDecoder().decode(r.body().get("phoneNumber").asText()),
          Base64.getDecoder().decode(r.body().get("iv").asText()));
      assertThat(new String(clear, StandardCharsets.US_ASCII)).isEqualTo("4918974020143");
    }
  }

  @Test
  void everyFunctionHasItsMethodPathAndBody_7_1_5_to_7_1_8_2_1() throws Exception {
    CmpClient client = client(PhoneNumberCipher.Algorithm.AES_GCM);
    String token = UUID.randomUUID().toString();
    client.notifyMspTokenInvalid(token, "user subscription ended");
    client.sendProfileInformation(token, List.of(
        new CmpClient.ProfileInformation("8944500805172032953", "suspended", "bill unpaid"),
        new CmpClient.ProfileInformation("8944500805172032954", "invalid", null)));
    client.updateSubscriptionInfo(token, new CmpClient.UpdateSubscriptionInfo(null, "business", null));
    String requestId = UUID.randomUUID().toString();
    client.sendActivationCode(new SendActivationCode(token, "8949000000000000001", "1$SMDP.EXAMPLE$ABC",
        "personal", requestId, null, null));
    client.sendActivationCode(new SendActivationCode(token, null, null, null, requestId, null,
        "1000:Customer not eligible"));

    assertThat(received).extracting(Received::method, Received::path).containsExactly(
        org.assertj.core.groups.Tuple.tuple("POST", "/cesim/msp/v1/users/" + token + "/invalidate"),
        org.assertj.core.groups.Tuple.tuple("POST", "/cesim/msp/v1/users/" + token + "/profiles"),
        org.assertj.core.groups.Tuple.tuple("PATCH", "/cesim/msp/v1/subscriptions/" + token),
        org.assertj.core.groups.Tuple.tuple("POST", "/cesim/msp/v1/activation-codes/" + token),
        org.assertj.core.groups.Tuple.tuple("POST", "/cesim/msp/v1/activation-codes/" + token));
    received.forEach(CmpClientTest::assertStandardHeaders);
    assertThat(received.stream().map(r -> r.header("CMP-request-id")).distinct()).as("a fresh id per request")
        .hasSize(5);
    assertThat(received.get(0).body().toString()).isEqualTo("{\"reason\":\"user subscription ended\"}");
    assertThat(received.get(1).body().toString()).isEqualTo("{\"profiles\":["
        + "{\"iccid\":\"8944500805172032953\",\"status\":\"suspended\",\"reason\":\"bill unpaid\"},"
        + "{\"iccid\":\"8944500805172032954\",\"status\":\"invalid\"}]}");
    assertThat(received.get(2).body().toString()).isEqualTo("{\"subscriptionType\":\"business\"}");
    JsonNode ac = received.get(3).body();
    assertThat(ac.get("activationCodeRequestID").asText()).isEqualTo(requestId);
    assertThat(ac.get("activationCode").asText()).isEqualTo("1$SMDP.EXAMPLE$ABC");
    assertThat(ac.has("swappedIccid") && ac.get("swappedIccid").isNull()).as("swappedIccid null, not absent")
        .isTrue();
    assertThat(received.get(4).body().toString()).isEqualTo("{\"activationCodeRequestID\":\"" + requestId
        + "\",\"error\":\"1000:Customer not eligible\"}");
  }

  @Test
  void badInputIsRefusedBeforeAnythingIsSent() {
    CmpClient client = client(PhoneNumberCipher.Algorithm.AES_GCM);
    String token = UUID.randomUUID().toString();
    assertThatThrownBy(() -> client.sendMspToken("id", CmpClient.SendMspToken.of(token, "+4918974020143", "private")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without '+'")
        .hasMessageNotContaining("4918974020143");
    assertThatThrownBy(() -> client.sendMspToken("id", CmpClient.SendMspToken.of(token, null, "privat")))
        .hasMessageContaining("subscriptionType");
    assertThatThrownBy(() -> client.sendProfileInformation(token,
        List.of(new CmpClient.ProfileInformation("8944500805172032953", "deleted", null))))
        .hasMessageContaining("invalid, valid, suspended");
    assertThatThrownBy(() -> client.updateSubscriptionInfo(token, new CmpClient.UpdateSubscriptionInfo(null, null, null)))
        .hasMessageContaining("needs");
    assertThat(received).isEmpty();
    assertThat(CmpClient.SendMspToken.of(token, "4918974020143", "private").toString()).doesNotContain("4918974020143");
  }

  @Test
  void theActivationCodeSinkRetriesANotNowWithTheSameIdsAndStopsAtTheAnswer() {
    statuses.add(503);
    statuses.add(429);
    statuses.add(200);
    CmpActivationCodeSink sink = new CmpActivationCodeSink(client(PhoneNumberCipher.Algorithm.AES_GCM), 5,
        Duration.ofMillis(10));
    String requestId = UUID.randomUUID().toString();
    sink.deliver(new SendActivationCode(UUID.randomUUID().toString(), "8949000000000000001", "1$SMDP.EXAMPLE$ABC",
        "personal", requestId, null, null));

    assertThat(received).hasSize(3);
    assertThat(received.stream().map(r -> r.header("CMP-request-id")).distinct()).hasSize(1);
    assertThat(received.stream().map(r -> r.header("correlation-id")).distinct()).hasSize(1);
    assertThat(sink.deliveries()).containsExactly(new CmpActivationCodeSink.Delivery(requestId, 200, null));

    received.clear();
    statuses.add(422);
    sink.deliver(new SendActivationCode(UUID.randomUUID().toString(), "8949000000000000001", "1$SMDP.EXAMPLE$ABC",
        "personal", requestId, null, null));
    assertThat(received).as("a refusal is final").hasSize(1);
    assertThat(sink.deliveries().get(1).status()).isEqualTo(422);
  }

  @Test
  void aCmpWhoseCertificateAnotherCaSignedIsNotCalled() {
    CmpClient client = CmpClient.builder().baseUrl(URI.create("https://127.0.0.1:" + port + "/cesim/msp/v1"))
        .clientId("mspA").cmpId("aidcmp").apiKey("mspAkey0123")
        .tls(MSP_CA.issueClient("msp-a"), List.of(CertificateAuthority.create("other").certificate())).build();
    assertThatThrownBy(() -> client.notifyMspTokenInvalid(UUID.randomUUID().toString(), null))
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    assertThat(received).isEmpty();
  }

  private static void assertStandardHeaders(Received r) {
    assertThat(r.header("client-id")).isEqualTo("mspA");
    assertThat(r.header("target-id")).isEqualTo("aidcmp");
    assertThat(r.header("api-key")).isEqualTo("mspAkey0123");
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(UUID.fromString(r.header("CMP-request-id"))).isNotNull();
    assertThat(UUID.fromString(r.header("correlation-id"))).isNotNull();
  }
}
