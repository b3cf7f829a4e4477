package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
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
  static void start(Endpoints endpoints) throws Exception {
    platform = new TestPlatform(endpoints);
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

    // §7.1.4 Send MSP token, decided by the topology; the same CMP-request-id again gets the same answer.
    String accountId = platform.accountId(user);
    String requestId = UUID.randomUUID().toString();
    String sendToken = "{\"msp_token\":\"" + token + "\",\"subscriptionType\":\"private\","
        + "\"customerGroup\":\"Market_Germany\"," + platform.encryptedPhone("4918974020143") + "}";
    assertThat(platform.msp("POST", "/cesim/msp/v1/users/" + accountId, sendToken, requestId).status()).isEqualTo(201);
    assertThat(platform.msp("POST", "/cesim/msp/v1/users/" + accountId, sendToken, requestId).status()).isEqualTo(201);
    TestPlatform.Answer reused = platform.msp("POST", "/cesim/msp/v1/users/" + accountId, sendToken);
    assertThat(reused.status()).isEqualTo(422);
    assertThat(reused.code()).as("a used account id").isEqualTo("10");

    // The same token for another user: 23.
    TestPlatform.Answer taken = platform.msp("POST", "/cesim/msp/v1/users/" + platform.accountId("e2e-" + UUID.randomUUID()),
        "{\"msp_token\":\"" + token + "\",\"subscriptionType\":\"private\"}");
    assertThat(taken.status()).isEqualTo(422);
    assertThat(taken.code()).isEqualTo("23");

    // §7.1.7 Update subscription info.
    assertThat(platform.msp("PATCH", "/cesim/msp/v1/subscriptions/" + token,
        "{\"subscriptionType\":\"business\"," + platform.encryptedPhone("4918974020144") + "}").status()).isEqualTo(201);

    // §7.1.6 Send profile information about a profile the user does not have: 404, code 61.
    TestPlatform.Answer unknownProfile = platform.msp("POST", "/cesim/msp/v1/users/" + token + "/profiles",
        "{\"profiles\":[{\"iccid\":\"8944500805172032953\",\"status\":\"suspended\",\"reason\":\"bill unpaid\"}]}");
    assertThat(unknownProfile.status()).isEqualTo(404);
    assertThat(unknownProfile.code()).isEqualTo("61");

    // §7.1.8.2.1 Send activation code that matches no request: 422.
    TestPlatform.Answer unmatched = platform.msp("POST", "/cesim/msp/v1/activation-codes/" + token,
        "{\"iccid\":\"8944500805172032953\",\"activationCode\":\"1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815\","
            + "\"profileType\":\"personal\",\"activationCodeRequestID\":\"" + UUID.randomUUID() + "\"}");
    assertThat(unmatched.status()).isEqualTo(422);

    // A token nobody has: 404, code 20, the same as another MSP's token would get.
    TestPlatform.Answer unknown = platform.msp("POST", "/cesim/msp/v1/users/" + UUID.randomUUID() + "/invalidate", "{\"reason\":\"x\"}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("20");

    // §7.1.5 Notify MSP token invalid: the federation goes (no profiles to delete), the token is then unknown.
    assertThat(platform.msp("POST", "/cesim/msp/v1/users/" + token + "/invalidate",
        "{\"reason\":\"user subscription ended\"}").status()).isEqualTo(204);
    TestPlatform.Answer gone = platform.msp("PATCH", "/cesim/msp/v1/subscriptions/" + token, "{\"subscriptionType\":\"private\"}");
    assertThat(gone.status()).isEqualTo(404);
  }

  @Test
  void theTouchpointWithdrawsOnboardingAndGetsTheMspsWithdrawPage() throws Exception {
    String user = "e2e-" + UUID.randomUUID();
    String token = UUID.randomUUID().toString();
    assertThat(platform.msp("POST", "/cesim/msp/v1/users/" + platform.accountId(user),
        "{\"msp_token\":\"" + token + "\",\"subscriptionType\":\"private\"}").status()).isEqualTo(201);
    assertThat(platform.touchpoint(user, "POST", "/api/v1/terms/acceptance", "{}").status()).isEqualTo(200);

    TestPlatform.Answer withdrawn = platform.touchpoint(user, "POST", "/api/v1/subscriptions/" + URLEncoder.encode(token, StandardCharsets.UTF_8)
        + "/withdraw", "{}");
    assertThat(withdrawn.status()).as(withdrawn.body().toString()).isEqualTo(202);
    assertThat(withdrawn.body().toString()).contains("https://portal.msp-a.example/withdraw");
  }
}
