package org.aidcmp.lifecycle.onboarding;

import static org.aidcmp.lifecycle.Messages.NOW;
import static org.aidcmp.lifecycle.Messages.emitted;
import static org.aidcmp.lifecycle.Messages.emitsTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Messages;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.internal.MspTokenClaim;
import org.aidcmp.schemas.internal.MspTokenClaimAnswer;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.lifecycle.AccountIdIssued;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.OnboardingRejected;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.state.OnboardingSession;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.OnboardingStart;
import org.aidcmp.schemas.touchpoint.RequestAccountId;
import org.junit.jupiter.api.Test;

/** §4.1, §4.2, §7.1.4 as the pure function it is: state, message and time in, new state and records out. */
class OnboardingDeciderTest {
  private final OnboardingDecider decider = new OnboardingDecider(LifecycleSettings.defaults());

  private static UserState withSession(Duration validFor) {
    return UserState.newBuilder().setCmpUserId("user-1")
        .setSessions(new ArrayList<>(List.of(new OnboardingSession("sid-1", "msp-a", NOW.plus(validFor), false))))
        .build();
  }

  private static SendMspToken token(String mspToken) {
    return SendMspToken.newBuilder().setMspId("msp-a").setSid("sid-1").setAccountIdExpiresAt(NOW.plusSeconds(600))
        .setMspToken(mspToken).setSubscriptionType(SubscriptionType.PRIVATE).setCmpUserId("user-1").build();
  }

  /** As ingress writes it: keyed by the user the account id names. */
  private static Message sendMspToken(String requestId) {
    return Message.of("user-1", AidTopic.AID1_INBOUND.topicName(), Messages.mspCall("m-1", requestId, token("token-1")),
        null);
  }

  private static RequestOutcome reply(Decision<?> d) {
    return (RequestOutcome) emitted(d, Reply.class).get(0).getPayload();
  }

  @Test
  void requestAccountId_4_1_recordsTheSessionAndAnswers201_noRouteForTheSid() {
    Message m = Messages.touchpoint("user-1", "m-1", "rq-1", new RequestAccountId("user-1", "msp-a", "sid-1", NOW,
        NOW.plusSeconds(1800), OnboardingStart.CMP_TOUCHPOINT));

    Decision<UserState> d = decider.decide(null, m, NOW);

    assertThat(d.state().getSessions()).extracting(OnboardingSession::getSid).containsExactly("sid-1");
    assertThat(emitsTo(d, AidTopic.INTERNAL_ROUTES)).as("the account id names its user: no sid index").isEmpty();
    assertThat(emitted(d, RouteUpdate.class)).isEmpty();
    assertThat(emitted(d, AccountIdIssued.class)).hasSize(1);
    assertThat(reply(d).getHttpStatus()).isEqualTo(201);
    assertThat(d.state().getAnsweredRequests()).as("remembered for a repeat").hasSize(1);
  }

  @Test
  void sendMspToken_7_1_4_aValidSessionClaimsTheTokenInItsOwnPartitionAndChangesNothingYet() {
    UserState state = withSession(Duration.ofMinutes(10));

    Decision<UserState> d = decider.decide(state, sendMspToken("rq-2"), NOW);

    assertThat(d.state()).as("the same instance: nothing to write").isSameAs(state);
    assertThat(emitsTo(d, AidTopic.INTERNAL_ROUTES)).singleElement()
        .satisfies(e -> assertThat(e.key()).isEqualTo("token-1"));
    assertThat(emitted(d, MspTokenClaim.class)).singleElement()
        .satisfies(c -> assertThat(c.getCmpUserId()).isEqualTo("user-1"));
    assertThat(emitted(d, Reply.class)).as("answered once the claim is").isEmpty();
  }

  @Test
  void sendMspToken_7_1_4_aUserWithoutTheSession_is404Code10_andAnUnknownUserIsNotCreated() {
    Decision<UserState> other = decider.decide(withSession(Duration.ofMinutes(10)),
        Message.of("user-1", AidTopic.AID1_INBOUND.topicName(),
            Messages.mspCall("m-1", "rq-6", SendMspToken.newBuilder(token("token-1")).setSid("sid-2").build()), null), NOW);
    assertThat(reply(other).getHttpStatus()).isEqualTo(404);
    assertThat(reply(other).getError().getCode()).isEqualTo("10");
    Decision<UserState> unknown = decider.decide(null, sendMspToken("rq-7"), NOW);
    assertThat(unknown.state()).isNull();
    assertThat(reply(unknown).getHttpStatus()).isEqualTo(404);
    assertThat(reply(unknown).getError().getCode()).isEqualTo("10");
    assertThat(emitted(unknown, OnboardingRejected.class)).isEmpty();
  }

  @Test
  void sendMspToken_7_1_4_anExpiredSessionIs422Code11() {
    Decision<UserState> d = decider.decide(withSession(Duration.ofMinutes(-1)), sendMspToken("rq-3"), NOW);
    assertThat(reply(d).getHttpStatus()).isEqualTo(422);
    assertThat(reply(d).getError().getCode()).isEqualTo("11");
    assertThat(emitted(d, OnboardingRejected.class)).hasSize(1);
    assertThat(emitted(d, MspTokenClaim.class)).isEmpty();
  }

  @Test
  void tokenClaimAnswered_7_1_4_grantedFederatesAndRefusedIs23() {
    UserState state = withSession(Duration.ofMinutes(10));
    Message granted = Messages.internal(AidTopic.INTERNAL_USERS, "user-1", "m-3",
        new MspTokenClaimAnswer("token-1", true, Messages.mspCall("m-1", "rq-4", token("token-1"))));
    Message refused = Messages.internal(AidTopic.INTERNAL_USERS, "user-1", "m-4",
        new MspTokenClaimAnswer("token-1", false, Messages.mspCall("m-1", "rq-5", token("token-1"))));

    Decision<UserState> federated = decider.decide(state, granted, NOW);
    Decision<UserState> again = decider.decide(state, granted, NOW);
    Decision<UserState> twentyThree = decider.decide(state, refused, NOW);

    assertThat(federated).as("same state, message and time: the same decision").isEqualTo(again);
    assertThat(state.getFederations()).as("the given state is left as it was").isEmpty();
    assertThat(federated.state().getFederations()).singleElement()
        .satisfies(f -> assertThat(f.getMspToken()).isEqualTo("token-1"));
    assertThat(federated.state().getSessions().get(0).getUsed()).isTrue();
    assertThat(emitted(federated, FederationEstablished.class)).hasSize(1);
    assertThat(reply(federated).getHttpStatus()).isEqualTo(201);
    assertThat(reply(twentyThree).getError().getCode()).isEqualTo("23");
    assertThat(twentyThree.state().getFederations()).isEmpty();
  }
}
