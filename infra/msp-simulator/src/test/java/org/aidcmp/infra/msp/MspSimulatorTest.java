package org.aidcmp.infra.msp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aidcmp.infra.msp.AsyncActivationCodeSink.SendActivationCode;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MspSimulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EID = "89049032123451234512345678901235";
  private static final CertificateAuthority MSP_CA = CertificateAuthority.create("msp-ca");
  private static final CertificateAuthority CMP_CA = CertificateAuthority.create("cmp-ca");
  private static final List<SendActivationCode> delivered = new CopyOnWriteArrayList<>();
  private static MspSimulator msp;
  private static HttpClient client;

  @BeforeAll
  static void start() {
    msp = MspSimulator.builder().mspId("mspA").cmpId("cmpX").apiKey("key123")
        .tls(MSP_CA.issueServer("mspA", List.of(), List.of()), List.of(CMP_CA.certificate()))
        .asyncSink(delivered::add).build().start();
    client = client(CMP_CA.issueClient("cmpX"));
  }

  @AfterAll
  static void stop() {
    msp.close();
  }

  @BeforeEach
  void clean() {
    msp.faults().clear();
    msp.clearRequests();
  }

  @Test
  void poolOfTwoIssuesTwiceThenSwapsTheSuggestedProfileOrTheOldest() throws Exception {
    String token = newUser(2);
    JsonNode first = json(send(acRequest(token, null)), 200);
    JsonNode second = json(send(acRequest(token, null)), 200);
    assertThat(first.get("swappedIccid").isNull()).isTrue();
    assertThat(second.get("swappedIccid").isNull()).isTrue();
    assertThat(first.get("activationCode").asText()).startsWith("1$");

    HttpResponse<String> full = send(acRequest(token, null));
    assertThat(full.statusCode()).isEqualTo(422);

    JsonNode suggested = json(send(acRequest(token, second.get("iccid").asText())), 200);
    assertThat(suggested.get("swappedIccid").asText()).isEqualTo(second.get("iccid").asText());
    JsonNode fallback = json(send(acRequest(token, "89490000000000000000")), 200);
    assertThat(fallback.get("swappedIccid").asText()).isEqualTo(first.get("iccid").asText());
  }

  @Test
  void profileStatusFollowsDownloadAndTheMspsOwnHook() throws Exception {
    String token = newUser(1);
    JsonNode issued = json(send(acRequest(token, null)), 200);
    String iccid = issued.get("iccid").asText();
    assertThat(status(token)).isEqualTo("prepared");

    String code = issued.get("activationCode").asText();
    assertThat(msp.smdp().download(code, "89049032123451234512345678909999")).isEmpty();
    assertThat(msp.smdp().download(code, EID)).contains(iccid);
    assertThat(msp.smdp().download(code, EID)).isEmpty();
    assertThat(status(token)).isEqualTo("installed");
    msp.setProfileState(token, iccid, ProfileState.ENABLED);
    assertThat(status(token)).isEqualTo("enabled");
  }

  @Test
  void theCsimStatusesTheCmpSends_areTheStatesProfileStatusReports_7_1_9_and_7_1_11() throws Exception {
    String token = newUser(1);
    String iccid = json(send(acRequest(token, null)), 200).get("iccid").asText();
    for (String status : List.of("installed", "enabled", "disabled")) {
      String body = "{\"iccid\":\"" + iccid + "\",\"eid\":\"" + EID + "\",\"status\":\"" + status + "\"}";
      assertThat(send(request("/v1/statuses/" + token).POST(HttpRequest.BodyPublishers.ofString(body))).statusCode())
          .isEqualTo(201);
      assertThat(status(token)).isEqualTo(status);
    }
  }

  @Test
  void aDroppedProfileLeavesTheProfileStatusList_theDivergenceOf4_6() throws Exception {
    String token = newUser(2);
    String kept = json(send(acRequest(token, null)), 200).get("iccid").asText();
    String dropped = json(send(acRequest(token, null)), 200).get("iccid").asText();
    assertThat(msp.dropProfile(token, dropped)).isTrue();
    assertThat(msp.dropProfile(token, dropped)).as("already gone").isFalse();
    assertThat(msp.dropProfile(UUID.randomUUID().toString(), kept)).as("no such user").isFalse();
    JsonNode profiles = json(send(request("/v1/profiles/status/" + token).GET()), 200).get("profiles");
    assertThat(profiles.findValuesAsText("iccid")).containsExactly(kept);
  }

  @Test
  void statusInvalidateAndErrors() throws Exception {
    String token = newUser(1);
    String status = "{\"iccid\":\"89490000000000000001\",\"eid\":\"" + EID + "\",\"status\":\"deleted\"}";
    assertThat(send(request("/v1/statuses/" + token).POST(HttpRequest.BodyPublishers.ofString(status))).statusCode())
        .isEqualTo(201);
    assertThat(send(request("/v1/users/" + token).DELETE()).statusCode()).isEqualTo(204);
    assertError(send(request("/v1/users/" + token).DELETE()), 404, "21");
    assertError(send(request("/v1/users/" + UUID.randomUUID()).DELETE()), 404, "20");
    assertError(send(request("/v1/statuses/" + token).POST(HttpRequest.BodyPublishers.ofString(""))), 400, "60");
    assertError(send(request("/v1/statuses/" + token).POST(HttpRequest.BodyPublishers.ofString("{x"))), 400, "91");
    assertError(send(request("/v1/users/" + token).header("api-key", "wrong").DELETE(), "wrong"), 401, "90");
  }

  @Test
  void headersAreCheckedAndRecordedExactly() throws Exception {
    String token = newUser(1);
    HttpRequest.Builder noCorrelation = HttpRequest.newBuilder(URI.create(msp.baseUrl() + "/v1/users/" + token))
        .header("CMP-request-id", UUID.randomUUID().toString()).header("client-id", "cmpX")
        .header("target-id", "mspA").header("api-key", "key123").DELETE();
    assertError(client.send(noCorrelation.build(), HttpResponse.BodyHandlers.ofString()), 400, "91");
    HttpRequest.Builder wrongTarget = request("/v1/users/" + token).setHeader("target-id", "mspB").DELETE();
    assertError(send(wrongTarget), 400, "91");
    assertThat(msp.requests()).hasSize(2).allSatisfy(r -> {
      assertThat(r.call()).isEqualTo(MspCall.REQUEST_INVALIDATE_MSP_TOKEN);
      assertThat(r.header("api-key")).isEqualTo("key123");
      assertThat(r.executed()).isTrue();
    });
  }

  @Test
  void asyncModeAnswers201ThenDeliversTheCode() throws Exception {
    try (MspSimulator async = MspSimulator.builder().mspId("mspA").cmpId("cmpX").apiKey("key123")
        .mode(MspSimulator.ResponseMode.ASYNC)
        .tls(MSP_CA.issueServer("mspA", List.of(), List.of()), List.of(CMP_CA.certificate()))
        .asyncSink(delivered::add).build().start()) {
      String token = UUID.randomUUID().toString();
      async.createUser(token, 1);
      HttpRequest.Builder r = acRequest(token, null).uri(URI.create(async.baseUrl() + "/v1/activation-code-requests/" + token));
      assertThat(send(r).statusCode()).isEqualTo(201);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (delivered.stream().noneMatch(d -> d.mspToken().equals(token)) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(delivered).anySatisfy(d -> {
        assertThat(d.mspToken()).isEqualTo(token);
        assertThat(d.activationCode()).startsWith("1$");
      });
    }
  }

  /**
   * §7.1.8.2.1: each Send activation code is its own call to the CMP, which answers it only once its topology
   * has decided; a CMP slow to answer one user's code does not hold back the next user's (one sender thread
   * queued every asynchronous flow behind the one being answered: aid bench's long tail).
   */
  @Test
  void asyncCodes_7_1_8_2_1_areSentAtOnceNotQueuedBehindACallStillWaitingForTheCmp() throws Exception {
    java.util.concurrent.CountDownLatch cmpAnswers = new java.util.concurrent.CountDownLatch(1);
    List<String> sending = new CopyOnWriteArrayList<>();
    AsyncActivationCodeSink slowCmp = m -> {
      sending.add(m.mspToken());
      try {
        cmpAnswers.await(30, java.util.concurrent.TimeUnit.SECONDS); // the CMP's answer is late
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    try (MspSimulator async = MspSimulator.builder().mspId("mspA").cmpId("cmpX").apiKey("key123")
        .mode(MspSimulator.ResponseMode.ASYNC).asyncSenders(4)
        .tls(MSP_CA.issueServer("mspA", List.of(), List.of()), List.of(CMP_CA.certificate()))
        .asyncSink(slowCmp).build().start()) {
      List<String> tokens = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
          UUID.randomUUID().toString());
      for (String token : tokens) {
        async.createUser(token, 1);
        HttpRequest.Builder r = acRequest(token, null)
            .uri(URI.create(async.baseUrl() + "/v1/activation-code-requests/" + token));
        assertThat(send(r).statusCode()).isEqualTo(201);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (sending.size() < tokens.size() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(sending).as("codes being sent while the first still waits for the CMP")
          .containsExactlyInAnyOrderElementsOf(tokens);
    } finally {
      cmpAnswers.countDown();
    }
  }

  @Test
  void asyncSendersAreAtLeastOne() {
    assertThatThrownBy(() -> MspSimulator.builder().asyncSenders(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void faultsAndOutage() throws Exception {
    String token = newUser(1);
    msp.faults().on(MspCall.REQUEST_PROFILE_STATUS, Fault.tooManyRequests(3).times(1));
    HttpResponse<String> limited = send(request("/v1/profiles/status/" + token).GET());
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).contains("3");
    msp.faults().all(Fault.serverError(503).times(1));
    assertThat(send(request("/v1/profiles/status/" + token).GET()).statusCode()).isEqualTo(503);
    assertThat(send(request("/v1/profiles/status/" + token).GET()).statusCode()).isEqualTo(200);
    assertThat(msp.requests().stream().filter(RecordedRequest::executed)).hasSize(1);

    msp.startOutage();
    try {
      assertThatThrownBy(() -> send(request("/v1/profiles/status/" + token).GET())).isInstanceOf(IOException.class);
    } finally {
      msp.endOutage();
    }
    assertThat(send(request("/v1/profiles/status/" + token).GET()).statusCode()).isEqualTo(200);
  }

  @Test
  void aClientWithoutTheTrustedCertificateIsRefused() {
    HttpClient stranger = client(CertificateAuthority.create("other").issueClient("cmpX"));
    String token = newUser(1);
    assertThatThrownBy(() -> stranger.send(request("/v1/users/" + token).DELETE().build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }

  private static String newUser(int poolSize) {
    String token = UUID.randomUUID().toString();
    msp.createUser(token, poolSize);
    return token;
  }

  private static String status(String token) throws Exception {
    return json(send(request("/v1/profiles/status/" + token).GET()), 200).get("profiles").get(0).get("status").asText();
  }

  private static HttpRequest.Builder acRequest(String token, String replaceIccid) {
    String body = "{\"profileType\":\"personal\",\"deviceType\":\"tcu\",\"imei\":\"\",\"eid\":\"" + EID
        + "\",\"activationCodeRequestID\":\"" + UUID.randomUUID() + "\""
        + (replaceIccid == null ? "" : ",\"replaceIccid\":\"" + replaceIccid + "\"") + "}";
    return request("/v1/activation-code-requests/" + token).POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(msp.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("CMP-request-id", UUID.randomUUID().toString())
        .header("correlation-id", UUID.randomUUID().toString())
        .header("client-id", "cmpX").header("target-id", "mspA").header("Content-Type", "application/json");
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return send(request, "key123");
  }

  private static HttpResponse<String> send(HttpRequest.Builder request, String apiKey) throws Exception {
    return client.send(request.setHeader("api-key", apiKey).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return JSON.readTree(response.body());
  }

  private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
    assertThat(json(response, status).get("code").asText()).isEqualTo(code);
  }

  @Test
  void smdpDownloadOverHttps_anActivationCodeDownloadsOnceOnlyToItsEid() throws Exception {
    String code = msp.smdp().bind(EID, "89490000000000004711");
    assertThat(download("{\"activationCode\":\"" + code + "\",\"eid\":\"89049032123451234512345678909999\"}")
        .statusCode()).as("another EID").isEqualTo(404);
    HttpResponse<String> ok = download("{\"activationCode\":\"" + code + "\",\"eid\":\"" + EID + "\"}");
    assertThat(json(ok, 200).get("iccid").asText()).isEqualTo("89490000000000004711");
    HttpResponse<String> again = download("{\"activationCode\":\"" + code + "\",\"eid\":\"" + EID + "\"}");
    assertThat(again.statusCode()).as("used up").isEqualTo(404);
    assertThat(again.body()).doesNotContain(code);
    assertThat(download("not json").statusCode()).isEqualTo(400);
    assertThat(download("{\"eid\":\"" + EID + "\"}").statusCode()).isEqualTo(400);
  }

  private static HttpResponse<String> download(String body) throws Exception {
    return client.send(HttpRequest.newBuilder(msp.smdpDownloadUrl()).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpClient client(Identity identity) {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .sslContext(Tls.clientContext(identity, List.of(MSP_CA.certificate()))).build();
  }
}
