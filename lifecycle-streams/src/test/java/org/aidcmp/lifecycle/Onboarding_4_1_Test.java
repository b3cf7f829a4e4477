package org.aidcmp.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.internal.RouteKind;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.aidcmp.schemas.lifecycle.AccountIdIssued;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.OnboardingFailedAtMsp;
import org.aidcmp.schemas.lifecycle.OnboardingRejected;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** §4.1 / §4.2 onboarding and §7.1.4 Send MSP token, with the §5.1.5 codes it can be refused with. */
class Onboarding_4_1_Test {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void onboarding_4_1_accountIdIssuedThenSendMspTokenFederates() {
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    assertThat(h.events(AccountIdIssued.class)).singleElement()
        .satisfies(e -> assertThat(e.getSid()).isEqualTo(sid));

    String token = UUID.randomUUID().toString();
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, sid, token, requestId);

    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(201);
    assertThat(h.events(FederationEstablished.class)).singleElement().satisfies(f -> {
      assertThat(f.getCmpUserId()).isEqualTo("user-1");
      assertThat(f.getMspToken()).isEqualTo(token);
      assertThat(f.getCustomerGroup()).isEqualTo("Market_Germany");
    });
  }

  /**
   * Time order across the user's inputs: the account id's session (touchpoint topic) and the Send MSP token
   * naming it (MSP calls' topic) are two topics of the same task, and nothing holds the task back for one of
   * them (no task idling). The order is kept by design instead: ingress signs the account id only on the user
   * stage's answer to Request account id, which is committed with the session in the user's state, so the call
   * finds its session whatever the task reads first; no route of the sid exists to be overtaken. An MSP's call
   * naming a session that is not (yet) there is refused at once, 404 code 10, never held.
   */
  @Test
  void sendMspToken_7_1_4_rightAfterItsAccountId_findsTheSessionInTheUsersStateWithoutARoute() {
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    assertThat(h.driver().createOutputTopic(AidTopic.INTERNAL_ROUTES.topicName(), new StringDeserializer(),
            new AvroDeserializer<>(h.registry(), InternalMessage.class)).readValuesToList())
        .as("no route is written for a sid")
        .noneMatch(m -> m.getPayload() instanceof RouteUpdate u && u.getKind() == RouteKind.SID);
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, sid, UUID.randomUUID().toString(), requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(201);
    assertThat(h.events(FederationEstablished.class)).singleElement()
        .satisfies(f -> assertThat(f.getCmpUserId()).isEqualTo("user-1"));

    String early = h.newRequestId();
    String notYet = UUID.randomUUID().toString();
    h.mspCall("user-1", SendMspToken.newBuilder(h.sendMspTokenBody(Harness.MSP_A, notYet, UUID.randomUUID().toString()))
        .setCmpUserId("user-1").build(), early);
    assertOutcome(h.replyTo(early), 404, "10");
  }

  @Test
  void sendMspToken_7_1_4_unknownAccountId_is404Code10() {
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, UUID.randomUUID().toString(), UUID.randomUUID().toString(), requestId);
    assertOutcome(h.replyTo(requestId), 404, "10");
  }

  /**
   * A Send MSP token that names no user was written, keyed by the sid, before account ids carried their user
   * (ingress refuses such an account id now, 422 code 11): it is answered the same way, not left unanswered.
   */
  @Test
  void sendMspToken_7_1_4_writtenBeforeAccountIdsNamedTheirUser_is422Code11() {
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    String requestId = h.newRequestId();
    h.mspCall(sid, SendMspToken.newBuilder(h.sendMspTokenBody(Harness.MSP_A, sid, UUID.randomUUID().toString()))
        .setCmpUserId(null).build(), requestId);
    assertOutcome(h.replyTo(requestId), 422, "11");
    assertThat(h.events(FederationEstablished.class)).isEmpty();
    assertThat(h.deadLetters()).isEmpty();
  }

  @Test
  void sendMspToken_7_1_4_anotherMspsAccountId_is404Code10() {
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_B, sid, UUID.randomUUID().toString(), requestId);
    assertOutcome(h.replyTo(requestId), 404, "10");
  }

  @Test
  void sendMspToken_7_1_4_usedAccountId_is422Code11_foundButNoLongerValid() {
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    h.sendMspToken(Harness.MSP_A, sid, UUID.randomUUID().toString(), h.newRequestId());
    String again = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, sid, UUID.randomUUID().toString(), again);
    assertOutcome(h.replyTo(again), 422, "11");
    assertThat(h.events(FederationEstablished.class)).hasSize(1);
  }

  @Test
  void sendMspToken_7_1_4_expiredAccountId_is422Code11() {
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    h.advance(Duration.ofMinutes(31));
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, sid, UUID.randomUUID().toString(), requestId);
    assertOutcome(h.replyTo(requestId), 422, "11");
    assertThat(h.events(OnboardingRejected.class)).singleElement()
        .satisfies(r -> assertThat(r.getError().getCode()).isEqualTo("11"));
  }

  @Test
  void sendMspToken_7_1_4_tokenOfAnotherUser_is422Code23() {
    String token = h.onboardedUser("user-1", Harness.MSP_A);
    String sid = h.requestAccountId("user-2", Harness.MSP_A);
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, sid, token, requestId);
    assertOutcome(h.replyTo(requestId), 422, "23");
    assertThat(h.events(FederationEstablished.class)).hasSize(1);
  }

  @Test
  void sendMspToken_7_1_4_userAlreadyHasATokenOfThatMsp_is422Code24() {
    h.onboardedUser("user-1", Harness.MSP_A);
    String requestId = h.newRequestId();
    h.touchpoint("user-1", new org.aidcmp.schemas.touchpoint.RequestAccountId("user-1", Harness.MSP_A,
        UUID.randomUUID().toString(), h.now(), h.now().plusSeconds(600),
        org.aidcmp.schemas.touchpoint.OnboardingStart.CMP_TOUCHPOINT), requestId);
    assertOutcome(h.replyTo(requestId), 422, "24");
  }

  @Test
  void sendMspToken_7_1_4_mspReportsAnErrorInsteadOfAToken_isRecordedForTheTouchpoint() {
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    String requestId = h.newRequestId();
    SendMspToken body = h.sendMspTokenBody(Harness.MSP_A, sid, null);
    body.setError("1000:Customer not eligible");
    h.mspCall(h.userOfAccountId(sid), body, requestId);
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(201);
    assertThat(h.events(OnboardingFailedAtMsp.class)).singleElement()
        .satisfies(f -> assertThat(f.getMspError()).isEqualTo("1000:Customer not eligible"));
    assertThat(h.events(FederationEstablished.class)).isEmpty();
  }

  @Test
  void sendMspToken_7_1_4_theSameCmpRequestIdAgainGetsTheRecordedOutcomeAndChangesNothing() {
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    String token = UUID.randomUUID().toString();
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, sid, token, requestId);
    h.sendMspToken(Harness.MSP_A, sid, token, requestId);
    assertThat(h.repliesTo(requestId)).isEqualTo(2);
    assertThat(h.replies().stream().filter(r -> requestId.equals(r.getHeader().getRequestId()))
        .map(r -> ((RequestOutcome) r.getPayload()).getHttpStatus())).containsOnly(201);
    assertThat(h.events(FederationEstablished.class)).hasSize(1);
  }

  static void assertOutcome(RequestOutcome outcome, int status, String code) {
    assertThat(outcome.getHttpStatus()).isEqualTo(status);
    assertThat(outcome.getError()).isNotNull();
    assertThat(outcome.getError().getCode()).isEqualTo(code);
  }
}
