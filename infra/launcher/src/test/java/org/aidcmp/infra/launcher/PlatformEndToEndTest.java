package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.aidcmp.infra.msp.AsyncActivationCodeSink;
import org.aidcmp.infra.msp.CmpClient;
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
  private static TestPlatform platform;

  @BeforeAll
  static void start(Endpoints endpoints, SharedEmbeddedStack.DataDir data) throws Exception {
    platform = new TestPlatform(endpoints, data.path());
  }

  @AfterAll
  static void stop() throws Exception {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void anMspOnboardsAUserAndRunsEveryAid1FunctionAgainstTheRunningPlatform() throws Exception {
    String user = "e2e-" + UUID.randomUUID();
    String token = UUID.randomUUID().toString();
    CmpClient msp = platform.msp;

    // §7.1.4 Send MSP token, decided by the topology; the same CMP-request-id again gets the same answer.
    String accountId = platform.accountId(user);
    CmpClient.RequestIds ids = CmpClient.RequestIds.fresh();
    CmpClient.SendMspToken sendToken =
        CmpClient.SendMspToken.of(token, "4918974020143", "private").withCustomerGroup("Market_Germany");
    assertThat(msp.sendMspToken(accountId, sendToken, ids).status()).isEqualTo(201);
    assertThat(msp.sendMspToken(accountId, sendToken, ids).status()).isEqualTo(201);
    CmpClient.Answer reused = msp.sendMspToken(accountId, sendToken);
    assertThat(reused.status()).isEqualTo(422);
    assertThat(reused.code()).as("a used account id").isEqualTo("10");

    // The same token for another user: 23.
    CmpClient.Answer taken = msp.sendMspToken(platform.accountId("e2e-" + UUID.randomUUID()),
        CmpClient.SendMspToken.of(token, null, "private"));
    assertThat(taken.status()).isEqualTo(422);
    assertThat(taken.code()).isEqualTo("23");

    // §7.1.7 Update subscription info.
    assertThat(msp.updateSubscriptionInfo(token,
        new CmpClient.UpdateSubscriptionInfo("4918974020144", "business", null)).status()).isEqualTo(201);

    // §7.1.6 Send profile information about a profile the user does not have: 404, code 61.
    CmpClient.Answer unknownProfile = msp.sendProfileInformation(token,
        List.of(new CmpClient.ProfileInformation("8944500805172032953", "suspended", "bill unpaid")));
    assertThat(unknownProfile.status()).isEqualTo(404);
    assertThat(unknownProfile.code()).isEqualTo("61");

    // §7.1.8.2.1 Send activation code that matches no request: 422.
    CmpClient.Answer unmatched = msp.sendActivationCode(new AsyncActivationCodeSink.SendActivationCode(token,
        "8944500805172032953", "1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815", "personal",
        UUID.randomUUID().toString(), null, null));
    assertThat(unmatched.status()).isEqualTo(422);

    // A token nobody has: 404, code 20, the same as another MSP's token would get.
    CmpClient.Answer unknown = msp.notifyMspTokenInvalid(UUID.randomUUID().toString(), "x");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("20");

    // §7.1.5 Notify MSP token invalid: the federation goes (no profiles to delete), the token is then unknown.
    assertThat(msp.notifyMspTokenInvalid(token, "user subscription ended").status()).isEqualTo(204);
    CmpClient.Answer gone = msp.updateSubscriptionInfo(token, new CmpClient.UpdateSubscriptionInfo(null, "private", null));
    assertThat(gone.status()).isEqualTo(404);
  }

  @Test
  void theTouchpointWithdrawsOnboardingAndGetsTheMspsWithdrawPage() throws Exception {
    String user = "e2e-" + UUID.randomUUID();
    String token = UUID.randomUUID().toString();
    assertThat(platform.msp.sendMspToken(platform.accountId(user), CmpClient.SendMspToken.of(token, null, "private"))
        .status()).isEqualTo(201);
    assertThat(platform.touchpoint(user, "POST", "/api/v1/terms/acceptance", "{}").status()).isEqualTo(200);

    Touchpoint.Answer withdrawn = platform.touchpoint(user, "POST", "/api/v1/subscriptions/" + URLEncoder.encode(token, StandardCharsets.UTF_8)
        + "/withdraw", "{}");
    assertThat(withdrawn.status()).as(withdrawn.body().toString()).isEqualTo(202);
    assertThat(withdrawn.body().toString()).contains("https://portal.msp-a.example/withdraw");
  }
}
