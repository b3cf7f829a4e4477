package org.aidcmp.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.internal.RouteKind;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
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
   * Under load a Send MSP token can be read before the RouteUpdate the user stage wrote for the account id's
   * sid (both committed, the route not fetched yet). It waits for the route instead of being refused 404.
   */
  @Test
  void sendMspToken_7_1_4_overtakingTheRouteOfItsAccountId_waitsForItAndFederates() {
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    TestInputTopic<String, SpecificRecord> routes = h.driver().createInputTopic(AidTopic.INTERNAL_ROUTES.topicName(),
        new StringSerializer(), new AvroSerializer<>(h.registry(), true));
    // The route is taken away again, so the call comes first, as if the RouteUpdate had not been read yet.
    routes.pipeInput(sid, routeUpdate(sid, null), h.now());
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, sid, UUID.randomUUID().toString(), requestId);
    assertThat(h.repliesTo(requestId)).isZero();

    routes.pipeInput(sid, routeUpdate(sid, "user-1"), h.now());
    assertThat(h.replyTo(requestId).getHttpStatus()).isEqualTo(201);
    assertThat(h.events(FederationEstablished.class)).singleElement()
        .satisfies(f -> assertThat(f.getCmpUserId()).isEqualTo("user-1"));
    h.advance(LifecycleSettings.defaults().routeWait().plusSeconds(1));
    assertThat(h.repliesTo(requestId)).as("released once, never refused afterwards").isEqualTo(1);
  }

  private InternalMessage routeUpdate(String sid, String cmpUserId) {
    return new InternalMessage(Envelopes.header(UUID.randomUUID().toString(), "lifecycle-streams", null, null, h.now()),
        new RouteUpdate(sid, RouteKind.SID, cmpUserId, Harness.MSP_A));
  }

  @Test
  void sendMspToken_7_1_4_unknownAccountId_is404Code10() {
    String requestId = h.newRequestId();
    h.sendMspToken(Harness.MSP_A, UUID.randomUUID().toString(), UUID.randomUUID().toString(), requestId);
    assertThat(h.repliesTo(requestId)).as("it waits for a route that may not be read yet").isZero();
    h.advance(LifecycleSettings.defaults().routeWait().plusSeconds(1));
    assertOutcome(h.replyTo(requestId), 404, "10");
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
    h.mspCall(sid, body, requestId);
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
