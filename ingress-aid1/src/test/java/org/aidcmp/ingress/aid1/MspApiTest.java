package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.common.SubscriptionType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The five MSP → CMP functions of §7.1 over real mutual TLS, with the §5.1.1 headers and §5.1.5 errors. */
@ExtendWith(TestStack.class)
class MspApiTest {
  private static final String PHONE = "4918974020143";
  private final TestStack.Stack stack;
  private MspClient mspA;
  private MspClient mspB;

  MspApiTest(TestStack.Stack stack) {
    this.stack = stack;
  }

  @BeforeEach
  void clients() {
    mspA = stack.client(stack.mspACertificate, "mspa");
    mspB = stack.client(stack.mspBCertificate, "mspb");
  }

  private String users(String accountId) {
    return "/cesim/msp/v1/users/" + accountId;
  }

  private MspClient.Response sendToken(MspClient client, String accountId, String body) throws Exception {
    return client.call("POST", users(accountId), body);
  }

  private String tokenBody(String token, String mspId) {
    String[] phone = MspClient.encryptPhone(stack.msp(mspId), PHONE);
    return "{\"msp_token\":\"" + token + "\",\"phoneNumber\":\"" + phone[0] + "\",\"iv\":\"" + phone[1]
        + "\",\"subscriptionType\":\"business\",\"customerGroup\":\"Market_Germany\"}";
  }

  /** Asserts the call writes nothing to Kafka. */
  private MspClient.Response nothingWritten(ThrowingCall call) throws Exception {
    long before = stack.recordsWritten();
    MspClient.Response r = call.run();
    assertThat(stack.recordsWritten()).as("records written").isEqualTo(before);
    return r;
  }

  interface ThrowingCall {
    MspClient.Response run() throws Exception;
  }

  // §7.1.4 Send MSP token

  @Test
  void sendMspToken_7_1_4_validAccountId_is201_phoneReEncryptedUnderCmpKey() throws Exception {
    String token = UUID.randomUUID().toString();
    String accountId = Onboarding.accountId(stack, "mspa");
    MspClient.Response r = sendToken(mspA, accountId, tokenBody(token, "mspa"));
    assertThat(r.status()).as(r.body()).isEqualTo(201);

    TopologyStandIn.Received received = stack.topology.received.stream()
        .filter(x -> x.value() instanceof Aid1Inbound a && a.getPayload() instanceof SendMspToken s
            && token.equals(s.getMspToken())).findFirst().orElseThrow();
    SendMspToken written = (SendMspToken) ((Aid1Inbound) received.value()).getPayload();
    // Keyed by the user the account id was issued for (its CMP-only claim), not by the sid: straight to the user.
    assertThat(written.getCmpUserId()).isEqualTo(stack.topology.sessions.get(written.getSid()).cmpUserId());
    assertThat(received.key()).isEqualTo(written.getCmpUserId());
    assertThat(written.getMspId()).isEqualTo("mspa");
    assertThat(written.getSubscriptionType()).isEqualTo(SubscriptionType.BUSINESS);
    assertThat(written.getCustomerGroup()).isEqualTo("Market_Germany");
    assertThat(written.getPhoneNumber().getKeyId()).isEqualTo("cmp-test-1");
    assertThat(PhoneNumbers.decryptCmp(stack.cmpPhoneKey, written.getPhoneNumber())).isEqualTo(PHONE);
    assertThat(((Aid1Inbound) received.value()).getHeader().getSource()).isEqualTo("ingress-aid1");
    // The clear number appears nowhere in the record.
    assertThat(new String(written.toByteBuffer().array(), StandardCharsets.ISO_8859_1)).doesNotContain(PHONE);
  }

  @Test
  void sendMspToken_7_1_4_aesCbcMsp_is201() throws Exception {
    MspClient.Response r = sendToken(mspB, Onboarding.accountId(stack, "mspb"),
        tokenBody(UUID.randomUUID().toString(), "mspb"));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  @Test
  void sendMspToken_7_1_4_errorInsteadOfToken_isAccepted() throws Exception {
    MspClient.Response r = sendToken(mspA, Onboarding.accountId(stack, "mspa"),
        "{\"error\":\"1000:Customer not eligible\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  @Test
  void sendMspToken_7_1_4_decidedStatuses_404_403_500_arePassedThroughExactly() throws Exception {
    for (String[] c : new String[][] {{"404", "94"}, {"403", "203"}, {"500", "90"}}) {
      MspClient.Response r = sendToken(mspA, Onboarding.accountId(stack, "mspa"),
          "{\"msp_token\":\"" + UUID.randomUUID() + "\",\"customerGroup\":\"outcome-" + c[0] + "-" + c[1] + "\"}");
      assertThat(r.status()).isEqualTo(Integer.parseInt(c[0]));
      assertThat(r.code()).isEqualTo(c[1]);
      assertThat(r.json().get("error").asText()).isEqualTo("scripted by the test");
    }
  }

  @Test
  void sendMspToken_5_1_5_decidedRefusalWithoutCode_stillHasAnErrorBody() throws Exception {
    MspClient.Response r = sendToken(mspA, Onboarding.accountId(stack, "mspa"),
        "{\"msp_token\":\"" + UUID.randomUUID() + "\",\"customerGroup\":\"outcome-404-none\"}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.code()).isEqualTo(Responses.NO_DETAIL);
  }

  @Test
  void updateSubscriptionInfo_7_1_7_decidedStatuses_403_500_arePassedThroughExactly() throws Exception {
    for (String[] c : new String[][] {{"403", "203"}, {"500", "90"}}) {
      MspClient.Response r = mspA.call("PATCH", "/cesim/msp/v1/subscriptions/" + UUID.randomUUID(),
          "{\"customerGroup\":\"outcome-" + c[0] + "-" + c[1] + "\"}");
      assertThat(r.status()).isEqualTo(Integer.parseInt(c[0]));
      assertThat(r.code()).isEqualTo(c[1]);
    }
  }

  @Test
  void sendMspToken_7_1_4_tamperedAccountId_is422Code12() throws Exception {
    String accountId = Onboarding.accountId(stack, "mspa");
    String[] parts = accountId.split("\\.");
    // Another payload under the same signature.
    String payload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"exp\":" + (Instant.now().getEpochSecond() + 9999) + ",\"sid\":\"" + UUID.randomUUID() + "\"}")
            .getBytes(StandardCharsets.UTF_8));
    String tampered = parts[0] + "." + payload + "." + parts[2];
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, tampered, tokenBody(UUID.randomUUID().toString(), "mspa")));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("12");
  }

  @Test
  void sendMspToken_7_1_4_accountIdOfAnotherMsp_is422Code12() throws Exception {
    String accountIdForB = Onboarding.accountId(stack, "mspb");
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, accountIdForB, tokenBody(UUID.randomUUID().toString(), "mspa")));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("12");
  }

  @Test
  void sendMspToken_7_1_4_expiredAccountId_is422Code11() throws Exception {
    Instant past = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
    String expired = Onboarding.accountIds(stack).mint(stack.msp("mspa").accountIdSecret(), "mspa",
        UUID.randomUUID().toString(), "user-1", past, past.plus(Duration.ofHours(1)), null);
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, expired, tokenBody(UUID.randomUUID().toString(), "mspa")));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("11");
  }

  @Test
  void sendMspToken_7_1_4_reusedAccountId_is422Code11() throws Exception {
    String accountId = Onboarding.accountId(stack, "mspa");
    assertThat(sendToken(mspA, accountId, tokenBody(UUID.randomUUID().toString(), "mspa")).status()).isEqualTo(201);
    MspClient.Response again = sendToken(mspA, accountId, tokenBody(UUID.randomUUID().toString(), "mspa"));
    assertThat(again.status()).isEqualTo(422);
    assertThat(again.code()).as("§5.1.5: found, but no longer valid").isEqualTo("11");
  }

  @Test
  void sendMspToken_7_1_4_unknownSid_is422Code10() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String unknown = Onboarding.accountIds(stack).mint(stack.msp("mspa").accountIdSecret(), "mspa",
        UUID.randomUUID().toString(), "user-1", now, now.plusSeconds(600), null);
    MspClient.Response r = sendToken(mspA, unknown, tokenBody(UUID.randomUUID().toString(), "mspa"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("10");
  }

  @Test
  void sendMspToken_7_1_4_accountIdMintedWithoutItsUserClaim_is422Code11_nothingWritten() throws Exception {
    String sid = UUID.randomUUID().toString();
    stack.topology.sessions.put(sid, new TopologyStandIn.Session("user-" + sid, "mspa", false));
    com.nimbusds.jwt.SignedJWT old = new com.nimbusds.jwt.SignedJWT(
        new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
        new com.nimbusds.jwt.JWTClaimsSet.Builder().expirationTime(java.util.Date.from(Instant.now().plusSeconds(600)))
            .claim("sid", sid).build());
    old.sign(new com.nimbusds.jose.crypto.MACSigner(stack.msp("mspa").accountIdSecret()));
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, old.serialize(), tokenBody(UUID.randomUUID().toString(), "mspa")));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).as("found, but from before account ids carried their user").isEqualTo("11");
  }

  @Test
  void sendMspToken_7_1_4_malformedAccountId_is422Code19() throws Exception {
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, "not-a-jwt", tokenBody(UUID.randomUUID().toString(), "mspa")));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("19");
  }

  @Test
  void sendMspToken_7_1_4_accountIdWithoutSid_is422Code19() throws Exception {
    com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
        new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
        new com.nimbusds.jwt.JWTClaimsSet.Builder().expirationTime(java.util.Date.from(Instant.now().plusSeconds(600))).build());
    jwt.sign(new com.nimbusds.jose.crypto.MACSigner(stack.msp("mspa").accountIdSecret()));
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, jwt.serialize(), tokenBody(UUID.randomUUID().toString(), "mspa")));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("19");
  }

  @Test
  void sendMspToken_7_1_4_undecryptablePhoneNumber_is422_nothingWritten() throws Exception {
    String[] phoneForB = MspClient.encryptPhone(stack.msp("mspb"), PHONE); // wrong key and cipher for A
    String body = "{\"msp_token\":\"" + UUID.randomUUID() + "\",\"phoneNumber\":\"" + phoneForB[0]
        + "\",\"iv\":\"" + phoneForB[1] + "\"}";
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, Onboarding.accountId(stack, "mspa"), body));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).doesNotContain(PHONE);
  }

  @Test
  void sendMspToken_7_1_4_phoneWithoutIv_is422Code91() throws Exception {
    String[] phone = MspClient.encryptPhone(stack.msp("mspa"), PHONE);
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, Onboarding.accountId(stack, "mspa"),
        "{\"msp_token\":\"" + UUID.randomUUID() + "\",\"phoneNumber\":\"" + phone[0] + "\"}"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("91");
  }

  @Test
  void sendMspToken_7_1_4_mspTokenNotUuid_is422Code29() throws Exception {
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, Onboarding.accountId(stack, "mspa"),
        "{\"msp_token\":\"abc\"}"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("29");
  }

  @Test
  void sendMspToken_7_1_4_duplicateMspToken_is422Code23() throws Exception {
    String token = Onboarding.mspToken(stack, "mspa");
    MspClient.Response r = sendToken(mspA, Onboarding.accountId(stack, "mspa"), "{\"msp_token\":\"" + token + "\"}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("23");
  }

  @Test
  void sendMspToken_5_1_5_emptyOrNullBody_is422Code60() throws Exception {
    for (String body : new String[] {"", "null", "{}", "{\"msp_token\":null}"}) {
      MspClient.Response r = nothingWritten(() -> sendToken(mspA, Onboarding.accountId(stack, "mspa"), body));
      assertThat(r.status()).as(body).isEqualTo(422);
      assertThat(r.code()).as(body).isEqualTo("60");
    }
  }

  @Test
  void sendMspToken_5_1_5_badSyntaxWrongTypesUnknownEnumsOversizeFields_is422Code91() throws Exception {
    String token = UUID.randomUUID().toString();
    for (String body : new String[] {
        "{", "[]", "\"x\"", "{\"msp_token\":42}", "{\"msp_token\":\"" + token + "\",\"subscriptionType\":\"gold\"}",
        "{\"msp_token\":\"" + token + "\",\"subscriptionType\":\"PRIVATE\"}",
        "{\"msp_token\":\"" + token + "\",\"customerGroup\":{}}",
        "{\"error\":\"" + "e".repeat(513) + "\"}",
        "{\"msp_token\":\"" + token + "\",\"msp_token\":\"" + token + "\"}",
        "{\"msp_token\":\"" + token + "\"} trailing"}) {
      MspClient.Response r = nothingWritten(() -> sendToken(mspA, Onboarding.accountId(stack, "mspa"), body));
      assertThat(r.status()).as(body).isEqualTo(422);
      assertThat(r.code()).as(body).isEqualTo("91");
    }
  }

  @Test
  void sendMspToken_5_1_5_errorOf512Characters_isAccepted() throws Exception {
    MspClient.Response r = sendToken(mspA, Onboarding.accountId(stack, "mspa"), "{\"error\":\"" + "e".repeat(512) + "\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  // §5.1.1 headers and §6 identity

  @Test
  void headers_6_wrongOrMissingApiKey_is401() throws Exception {
    for (String key : new String[] {"wrong123", null, "keyA1234567890!"}) {
      Map<String, String> h = mspA.headers();
      h.put("api-key", key);
      MspClient.Response r = nothingWritten(() -> mspA.call("POST", users(Onboarding.accountId(stack, "mspa")),
          tokenBody(UUID.randomUUID().toString(), "mspa"), h));
      assertThat(r.status()).isEqualTo(401);
    }
  }

  @Test
  void headers_6_apiKeyOfAnotherMsp_is401() throws Exception {
    Map<String, String> h = mspA.headers();
    h.put("api-key", stack.msp("mspb").inboundApiKey());
    h.put("client-id", stack.msp("mspb").clientId());
    MspClient.Response r = nothingWritten(() -> mspA.call("POST", users(Onboarding.accountId(stack, "mspa")),
        tokenBody(UUID.randomUUID().toString(), "mspa"), h));
    assertThat(r.status()).isEqualTo(401);
  }

  @Test
  void headers_6_clientIdNotTheCertificatesMsp_is403() throws Exception {
    Map<String, String> h = mspA.headers();
    h.put("client-id", stack.msp("mspb").clientId());
    MspClient.Response r = nothingWritten(() -> mspA.call("POST", users(Onboarding.accountId(stack, "mspa")),
        tokenBody(UUID.randomUUID().toString(), "mspa"), h));
    assertThat(r.status()).isEqualTo(403);
  }

  @Test
  void headers_6_targetIdNotThisCmp_is403() throws Exception {
    Map<String, String> h = mspA.headers();
    h.put("target-id", "othercmp");
    MspClient.Response r = nothingWritten(() -> mspA.call("POST", users(Onboarding.accountId(stack, "mspa")),
        tokenBody(UUID.randomUUID().toString(), "mspa"), h));
    assertThat(r.status()).isEqualTo(403);
  }

  @Test
  void headers_5_1_1_missingOrMalformedRequestIds_is400Code91() throws Exception {
    for (String[] change : new String[][] {{"CMP-request-id", null}, {"CMP-request-id", "123"},
        {"correlation-id", null}, {"correlation-id", "not-a-uuid"}}) {
      Map<String, String> h = mspA.headers();
      h.put(change[0], change[1]);
      MspClient.Response r = nothingWritten(() -> mspA.call("POST", users(Onboarding.accountId(stack, "mspa")),
          tokenBody(UUID.randomUUID().toString(), "mspa"), h));
      assertThat(r.status()).as(String.join("=", String.valueOf(change[0]), String.valueOf(change[1]))).isEqualTo(400);
      assertThat(r.code()).isEqualTo("91");
    }
  }

  @Test
  void headers_6_wrongContentType_is415() throws Exception {
    Map<String, String> h = mspA.headers();
    h.put("Content-Type", "text/plain");
    MspClient.Response r = nothingWritten(() -> mspA.call("POST", users(Onboarding.accountId(stack, "mspa")),
        tokenBody(UUID.randomUUID().toString(), "mspa"), h));
    assertThat(r.status()).isEqualTo(415);
  }

  @Test
  void requestReply_sameCmpRequestId_getsRecordedOutcome_andWritesOnce() throws Exception {
    Map<String, String> h = mspA.headers();
    String accountId = Onboarding.accountId(stack, "mspa");
    String body = tokenBody(UUID.randomUUID().toString(), "mspa");
    MspClient.Response first = mspA.call("POST", users(accountId), body, h);
    long written = stack.recordsWritten();
    MspClient.Response second = mspA.call("POST", users(accountId), body, h);
    assertThat(first.status()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(201);
    assertThat(stack.recordsWritten()).isEqualTo(written);
    assertThat(stack.topology.count(h.get("CMP-request-id"))).isEqualTo(1);
  }

  @Test
  void requestReply_sameCmpRequestId_isAnsweredFromTheRecord_evenWhenTheAccountIdNoLongerChecks() throws Exception {
    Map<String, String> h = mspA.headers();
    String body = tokenBody(UUID.randomUUID().toString(), "mspa");
    assertThat(mspA.call("POST", users(Onboarding.accountId(stack, "mspa")), body, h).status()).isEqualTo(201);
    // The retry of a request already answered gets that answer: nothing is checked, decided or written again.
    MspClient.Response retry = nothingWritten(() -> mspA.call("POST", users("expired.since.then"), body, h));
    assertThat(retry.status()).isEqualTo(201);
  }

  @Test
  void requestReply_5_1_5_sameCmpRequestIdOtherCorrelationId_is422Code92() throws Exception {
    Map<String, String> h = mspA.headers();
    String accountId = Onboarding.accountId(stack, "mspa");
    String body = tokenBody(UUID.randomUUID().toString(), "mspa");
    assertThat(mspA.call("POST", users(accountId), body, h).status()).isEqualTo(201);
    h.put("correlation-id", UUID.randomUUID().toString());
    MspClient.Response r = mspA.call("POST", users(accountId), body, h);
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("92");
  }

  @Test
  void requestReply_sameCmpRequestIdFromAnotherMsp_doesNotRevealTheOutcome() throws Exception {
    Map<String, String> h = mspA.headers();
    assertThat(mspA.call("POST", users(Onboarding.accountId(stack, "mspa")),
        tokenBody(UUID.randomUUID().toString(), "mspa"), h).status()).isEqualTo(201);
    Map<String, String> hb = mspB.headers();
    hb.put("CMP-request-id", h.get("CMP-request-id"));
    hb.put("correlation-id", h.get("correlation-id"));
    MspClient.Response r = mspB.call("POST", users(Onboarding.accountId(stack, "mspb")),
        tokenBody(UUID.randomUUID().toString(), "mspb"), hb);
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("39");
  }

  @Test
  void requestReply_noOutcomeWithinBound_is503WithRetryAfter() throws Exception {
    MspClient.Response r = sendToken(mspA, Onboarding.accountId(stack, "mspa"),
        "{\"msp_token\":\"" + UUID.randomUUID() + "\",\"customerGroup\":\"no-reply\"}");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
  }

  @Test
  void limits_oversizeBody_is413_nothingWritten() throws Exception {
    String body = "{\"msp_token\":\"" + UUID.randomUUID() + "\",\"customerGroup\":\"" + "x".repeat(20_000) + "\"}";
    MspClient.Response r = nothingWritten(() -> sendToken(mspA, Onboarding.accountId(stack, "mspa"), body));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.code()).isEqualTo("91");
  }

  @Test
  void limits_oversizeChunkedBody_is413_nothingWritten() throws Exception {
    long before = stack.recordsWritten();
    byte[] big = ("{\"msp_token\":\"" + UUID.randomUUID() + "\",\"customerGroup\":\"" + "x".repeat(200_000) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("https://127.0.0.1:" + mspA.port + users(Onboarding.accountId(stack, "mspa"))))
        // An input stream of unknown length: sent chunked, no Content-Length to trust.
        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)));
    mspA.headers().forEach(b::header);
    int status;
    try {
      status = mspA.http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (java.io.IOException e) {
      status = 413; // the server may answer and close before the client has sent everything
    }
    assertThat(status).isEqualTo(413);
    assertThat(stack.recordsWritten()).isEqualTo(before);
  }

  @Test
  void routes_unknownPathOrMethod_is404Or405_withErrorBody() throws Exception {
    MspClient.Response notFound = mspA.call("POST", "/cesim/msp/v2/users/x", "{}");
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.code()).isNotNull();
    MspClient.Response wrongMethod = mspA.call("GET", users("x"), null);
    assertThat(wrongMethod.status()).isEqualTo(405);
  }

  // §7.1.5 Notify MSP token invalid

  @Test
  void notifyMspTokenInvalid_7_1_5_ownToken_is204() throws Exception {
    String token = Onboarding.mspToken(stack, "mspa");
    assertThat(mspA.call("POST", users(token) + "/invalidate", "{\"reason\":\"user subscription ended\"}").status())
        .isEqualTo(204);
    assertThat(mspA.call("POST", users(Onboarding.mspToken(stack, "mspa")) + "/invalidate", null).status())
        .isEqualTo(204);
  }

  @Test
  void notifyMspTokenInvalid_7_1_5_unknownOrMalformedToken_is404Code20() throws Exception {
    MspClient.Response unknown = mspA.call("POST", users(UUID.randomUUID().toString()) + "/invalidate", "{}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("20");
    MspClient.Response malformed = nothingWritten(() -> mspA.call("POST", users("abc") + "/invalidate", "{}"));
    assertThat(malformed.status()).isEqualTo(404);
    assertThat(malformed.code()).isEqualTo("20");
  }

  @Test
  void notifyMspTokenInvalid_7_1_5_anotherMspsToken_is404_likeAnUnknownOne() throws Exception {
    String tokenOfB = Onboarding.mspToken(stack, "mspb");
    MspClient.Response r = mspA.call("POST", users(tokenOfB) + "/invalidate", "{}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.code()).isEqualTo("20");
  }

  @Test
  void notifyMspTokenInvalid_7_1_5_badBody_is400() throws Exception {
    MspClient.Response r = nothingWritten(() ->
        mspA.call("POST", users(UUID.randomUUID().toString()) + "/invalidate", "{\"reason\":7}"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("91");
  }

  // §7.1.6 Send profile information

  @Test
  void sendProfileInformation_7_1_6_ownToken_is200() throws Exception {
    String token = Onboarding.mspToken(stack, "mspa");
    MspClient.Response r = mspA.call("POST", users(token) + "/profiles", "{\"profiles\":["
        + "{\"iccid\":\"8944500805172032953\",\"status\":\"suspended\",\"reason\":\"contract was suspended\"},"
        + "{\"iccid\":\"8944500805172032954\",\"status\":\"invalid\",\"reason\":\"profile defect\"}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  @Test
  void sendProfileInformation_7_1_6_invalidBody_is422() throws Exception {
    String token = UUID.randomUUID().toString();
    String[][] cases = {
        {"{\"profiles\":[]}", "60"}, {"{}", "60"}, {"{\"profiles\":{}}", "91"},
        {"{\"profiles\":[{\"iccid\":\"123\",\"status\":\"invalid\"}]}", "91"},
        {"{\"profiles\":[{\"iccid\":\"89445008051720329531234\",\"status\":\"invalid\"}]}", "91"},
        {"{\"profiles\":[{\"iccid\":\"8944500805172032953\",\"status\":\"deleted\"}]}", "91"},
        {"{\"profiles\":[{\"iccid\":\"8944500805172032953\"}]}", "60"},
        {"{\"profiles\":[{\"iccid\":8944500805172032953,\"status\":\"invalid\"}]}", "91"},
        {"{\"profiles\":[{\"iccid\":\"8944500805172032953\",\"status\":\"invalid\"},"
            + "{\"iccid\":\"8944500805172032953\",\"status\":\"valid\"}]}", "91"}};
    for (String[] c : cases) {
      MspClient.Response r = nothingWritten(() -> mspA.call("POST", users(token) + "/profiles", c[0]));
      assertThat(r.status()).as(c[0]).isEqualTo(422);
      assertThat(r.code()).as(c[0]).isEqualTo(c[1]);
    }
  }

  @Test
  void sendProfileInformation_7_1_6_anotherMspsToken_is404() throws Exception {
    String tokenOfB = Onboarding.mspToken(stack, "mspb");
    MspClient.Response r = mspA.call("POST", users(tokenOfB) + "/profiles",
        "{\"profiles\":[{\"iccid\":\"8944500805172032953\",\"status\":\"valid\"}]}");
    assertThat(r.status()).isEqualTo(404);
  }

  // §7.1.7 Update subscription info

  @Test
  void updateSubscriptionInfo_7_1_7_ownToken_is201() throws Exception {
    String token = Onboarding.mspToken(stack, "mspa");
    String[] phone = MspClient.encryptPhone(stack.msp("mspa"), "919961345678");
    MspClient.Response r = mspA.call("PATCH", "/cesim/msp/v1/subscriptions/" + token,
        "{\"phoneNumber\":\"" + phone[0] + "\",\"iv\":\"" + phone[1] + "\",\"subscriptionType\":\"private\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  @Test
  void updateSubscriptionInfo_7_1_7_malformedToken_is422Code29() throws Exception {
    MspClient.Response r = nothingWritten(() -> mspA.call("PATCH", "/cesim/msp/v1/subscriptions/xyz",
        "{\"subscriptionType\":\"private\"}"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.code()).isEqualTo("29");
  }

  @Test
  void updateSubscriptionInfo_7_1_7_emptyBody_is422Code60_unknownToken_is404() throws Exception {
    MspClient.Response empty = nothingWritten(() ->
        mspA.call("PATCH", "/cesim/msp/v1/subscriptions/" + UUID.randomUUID(), "{}"));
    assertThat(empty.status()).isEqualTo(422);
    assertThat(empty.code()).isEqualTo("60");
    MspClient.Response unknown = mspA.call("PATCH", "/cesim/msp/v1/subscriptions/" + UUID.randomUUID(),
        "{\"customerGroup\":\"x\"}");
    assertThat(unknown.status()).isEqualTo(404);
  }

  @Test
  void updateSubscriptionInfo_7_1_7_undecryptablePhone_is422() throws Exception {
    MspClient.Response r = nothingWritten(() -> mspA.call("PATCH", "/cesim/msp/v1/subscriptions/" + UUID.randomUUID(),
        "{\"phoneNumber\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\",\"iv\":\"AAAAAAAAAAAAAAAA\"}"));
    assertThat(r.status()).isEqualTo(422);
  }

  // §7.1.8.2.1 Send activation code

  @Test
  void sendActivationCode_7_1_8_2_1_matchingRequest_is200() throws Exception {
    String token = Onboarding.mspToken(stack, "mspa");
    String acr = UUID.randomUUID().toString();
    stack.topology.activationCodeRequests.put(acr, token);
    MspClient.Response r = mspA.call("POST", "/cesim/msp/v1/activation-codes/" + token,
        "{\"iccid\":\"98341201501601380129\",\"activationCode\":\"1$VR-01-43-CUST.SC.MY-ESIM.COM$DEF30A27E3CEFD34FA24B4A38D9681A5\","
            + "\"profileType\":\"personal\",\"activationCodeRequestID\":\"" + acr + "\",\"swappedIccid\":null}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  @Test
  void sendActivationCode_7_1_8_2_1_errorInsteadOfCode_is200() throws Exception {
    String token = Onboarding.mspToken(stack, "mspa");
    String acr = UUID.randomUUID().toString();
    stack.topology.activationCodeRequests.put(acr, token);
    MspClient.Response r = mspA.call("POST", "/cesim/msp/v1/activation-codes/" + token,
        "{\"activationCodeRequestID\":\"" + acr + "\",\"error\":\"1000:Customer not eligible\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  @Test
  void sendActivationCode_7_1_8_2_1_unmatchedRequest_is422() throws Exception {
    String token = Onboarding.mspToken(stack, "mspa");
    MspClient.Response r = mspA.call("POST", "/cesim/msp/v1/activation-codes/" + token,
        "{\"iccid\":\"98341201501601380129\",\"activationCode\":\"1$SMDP.EXAMPLE.COM$ABC\",\"activationCodeRequestID\":\""
            + UUID.randomUUID() + "\"}");
    assertThat(r.status()).isEqualTo(422);
  }

  @Test
  void sendActivationCode_7_1_8_2_1_unknownToken_is404() throws Exception {
    MspClient.Response r = mspA.call("POST", "/cesim/msp/v1/activation-codes/" + UUID.randomUUID(),
        "{\"iccid\":\"98341201501601380129\",\"activationCode\":\"1$SMDP.EXAMPLE.COM$ABC\",\"activationCodeRequestID\":\""
            + UUID.randomUUID() + "\"}");
    assertThat(r.status()).isEqualTo(404);
  }

  @Test
  void sendActivationCode_7_1_8_2_1_invalidBody_is422() throws Exception {
    String path = "/cesim/msp/v1/activation-codes/" + UUID.randomUUID();
    String acr = UUID.randomUUID().toString();
    String[][] cases = {
        {"{\"iccid\":\"98341201501601380129\",\"activationCode\":\"not an AC\",\"activationCodeRequestID\":\"" + acr + "\"}", "47"},
        {"{\"iccid\":\"98341201501601380129\",\"activationCode\":\"1$SMDP$X\"}", "60"},
        {"{\"activationCodeRequestID\":\"" + acr + "\"}", "60"},
        {"{\"iccid\":\"98341201501601380129\",\"activationCode\":\"1$SMDP$X\",\"activationCodeRequestID\":\"nope\"}", "39"},
        {"{\"iccid\":\"12\",\"activationCode\":\"1$SMDP$X\",\"activationCodeRequestID\":\"" + acr + "\"}", "91"},
        {"{\"iccid\":\"98341201501601380129\",\"activationCode\":\"1$SMDP$X\",\"profileType\":\"" + "p".repeat(21)
            + "\",\"activationCodeRequestID\":\"" + acr + "\"}", "91"}};
    for (String[] c : cases) {
      MspClient.Response r = nothingWritten(() -> mspA.call("POST", path, c[0]));
      assertThat(r.status()).as(c[0]).isEqualTo(422);
      assertThat(r.code()).as(c[0]).isEqualTo(c[1]);
    }
  }
}
