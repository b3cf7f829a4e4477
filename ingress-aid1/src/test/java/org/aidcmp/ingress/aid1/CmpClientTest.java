package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.msp.AsyncActivationCodeSink;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.PhoneNumberCipher;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.aid1.UpdateSubscriptionInfo;
import org.aidcmp.schemas.common.EncryptedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The MSP simulator's {@link CmpClient} against this CMP side: every §5.1.1 header and the api-key pass
 * {@link Aid1Headers}, every body passes the routes' checks, and the phone number it encrypts (AES-GCM for
 * mspa, AES-CBC for mspb) is the one {@link PhoneNumbers} decrypts and keeps under the CMP key.
 */
@ExtendWith(TestStack.class)
class CmpClientTest {
  private static final String PHONE = "4918974020143";
  private final TestStack.Stack stack;

  CmpClientTest(TestStack.Stack stack) {
    this.stack = stack;
  }

  private CmpClient client(String mspId, Identity certificate, String apiKey) {
    MspRegistry.Msp msp = stack.msp(mspId);
    return CmpClient.builder()
        .baseUrl(URI.create("https://127.0.0.1:" + stack.ingress.server().mspPort() + "/cesim/msp/v1"))
        .clientId(msp.clientId()).cmpId(TestStack.CMP_ID).apiKey(apiKey)
        .phoneKey(msp.phoneKey(), PhoneNumberCipher.Algorithm.valueOf(msp.phoneCipher().name()))
        .tls(certificate, List.of(stack.ca.certificate())).build();
  }

  private CmpClient client(String mspId) {
    return client(mspId, mspId.equals("mspa") ? stack.mspACertificate : stack.mspBCertificate,
        stack.msp(mspId).inboundApiKey());
  }

  @Test
  void sendMspToken_7_1_4_bothCiphers_decryptToTheSameNumberAtTheCmp() throws Exception {
    for (String mspId : List.of("mspa", "mspb")) {
      String token = UUID.randomUUID().toString();
      CmpClient.RequestIds ids = CmpClient.RequestIds.fresh();
      CmpClient.Answer answer = client(mspId).sendMspToken(Onboarding.accountId(stack, mspId),
          CmpClient.SendMspToken.of(token, PHONE, "business").withCustomerGroup("Market_Germany"), ids);
      assertThat(answer.status()).as(mspId + " " + answer.body()).isEqualTo(201);

      Aid1Inbound written = inbound(SendMspToken.class, s -> token.equals(s.getMspToken()));
      assertThat(written.getHeader().getRequestId()).isEqualTo(ids.requestId());
      assertThat(written.getHeader().getCorrelationId()).isEqualTo(ids.correlationId());
      SendMspToken payload = (SendMspToken) written.getPayload();
      assertThat(payload.getMspId()).isEqualTo(mspId);
      assertThat(PhoneNumbers.decryptCmp(stack.cmpPhoneKey, payload.getPhoneNumber())).isEqualTo(PHONE);
    }
  }

  @Test
  void theOtherFourFunctions_7_1_5_to_7_1_8_2_1_passEveryCheck() throws Exception {
    CmpClient mspB = client("mspb");
    String token = Onboarding.mspToken(stack, "mspb");

    CmpClient.Answer updated = mspB.updateSubscriptionInfo(token,
        new CmpClient.UpdateSubscriptionInfo("919961345678", "private", null));
    assertThat(updated.status()).as(updated.body().toString()).isEqualTo(201);
    EncryptedValue phone = ((UpdateSubscriptionInfo) inbound(UpdateSubscriptionInfo.class,
        u -> token.equals(u.getMspToken())).getPayload()).getPhoneNumber();
    assertThat(PhoneNumbers.decryptCmp(stack.cmpPhoneKey, phone)).isEqualTo("919961345678");

    CmpClient.Answer profiles = mspB.sendProfileInformation(token,
        List.of(new CmpClient.ProfileInformation("8944500805172032953", "suspended", "bill unpaid")));
    assertThat(profiles.status()).as(profiles.body().toString()).isEqualTo(200);

    String requestId = UUID.randomUUID().toString();
    stack.topology.activationCodeRequests.put(requestId, token);
    CmpClient.Answer code = mspB.sendActivationCode(new AsyncActivationCodeSink.SendActivationCode(token,
        "8949000000000000000001", "1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815", "personal", requestId, null, null));
    assertThat(code.status()).as(code.body().toString()).isEqualTo(200);
    CmpClient.Answer unmatched = mspB.sendActivationCode(new AsyncActivationCodeSink.SendActivationCode(token,
        null, null, null, UUID.randomUUID().toString(), null, "1000:Customer not eligible"));
    assertThat(unmatched.status()).isEqualTo(422);
    assertThat(unmatched.code()).isEqualTo("30");

    assertThat(mspB.notifyMspTokenInvalid(token, "user subscription ended").status()).isEqualTo(204);
    assertThat(mspB.notifyMspTokenInvalid(token, null).status()).as("no reason: an empty body").isEqualTo(204);
  }

  @Test
  void aRetryWithTheSameIdsGetsTheRecordedOutcome_andAWrongApiKeyIs401() throws Exception {
    CmpClient mspA = client("mspa");
    String accountId = Onboarding.accountId(stack, "mspa");
    CmpClient.SendMspToken message = CmpClient.SendMspToken.of(UUID.randomUUID().toString(), PHONE, "private");
    CmpClient.RequestIds ids = CmpClient.RequestIds.fresh();
    assertThat(mspA.sendMspToken(accountId, message, ids).status()).isEqualTo(201);
    assertThat(mspA.sendMspToken(accountId, message, ids).status()).isEqualTo(201);
    assertThat(mspA.sendMspToken(accountId, message).code()).as("a used account id, new request").isEqualTo("11");

    CmpClient wrongKey = client("mspa", stack.mspACertificate, "notTheKey123");
    assertThat(wrongKey.notifyMspTokenInvalid(UUID.randomUUID().toString(), null).status()).isEqualTo(401);
  }

  private <T> Aid1Inbound inbound(Class<T> type, java.util.function.Predicate<T> which) {
    return stack.topology.received.stream()
        .filter(x -> x.value() instanceof Aid1Inbound a && type.isInstance(a.getPayload())
            && which.test(type.cast(a.getPayload())))
        .map(x -> (Aid1Inbound) x.value()).findFirst().orElseThrow();
  }
}
