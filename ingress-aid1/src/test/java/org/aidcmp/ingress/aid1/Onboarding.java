package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Test helpers: account ids for sessions the topology stand-in knows, and federated msp_tokens. */
final class Onboarding {
  private Onboarding() {}

  /** Account ids as the stack's ingress mints them (its CMP key seals the user claim). */
  static AccountIds accountIds(TestStack.Stack stack) {
    return new AccountIds(Clock.systemUTC(), new AccountIdUserClaim(stack.cmpPhoneKey));
  }

  /** A session known to the topology stand-in, and its account id signed with the MSP's secret. */
  static String accountId(TestStack.Stack stack, String mspId) {
    String sid = UUID.randomUUID().toString();
    String user = "user-" + UUID.randomUUID();
    stack.topology.sessions.put(sid, new TopologyStandIn.Session(user, mspId, false));
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return accountIds(stack).mint(stack.msp(mspId).accountIdSecret(), mspId, sid, user, now,
        now.plus(Duration.ofMinutes(10)), "1234");
  }

  /** A federated msp_token of {@code mspId}, through Send MSP token. */
  static String mspToken(TestStack.Stack stack, String mspId) throws Exception {
    String token = UUID.randomUUID().toString();
    MspClient client = stack.client(mspId.equals("mspa") ? stack.mspACertificate : stack.mspBCertificate, mspId);
    MspClient.Response r = client.call("POST", "/cesim/msp/v1/users/" + accountId(stack, mspId),
        "{\"msp_token\":\"" + token + "\",\"subscriptionType\":\"private\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return token;
  }
}
