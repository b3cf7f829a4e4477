package org.aidcmp.lifecycle.route;

import static org.aidcmp.lifecycle.Messages.NOW;
import static org.aidcmp.lifecycle.Messages.emitted;
import static org.aidcmp.lifecycle.Messages.emitsTo;
import static org.assertj.core.api.Assertions.assertThat;

import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Messages;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.aid1.MspCallSucceeded;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.internal.MspTokenClaim;
import org.aidcmp.schemas.internal.MspTokenClaimAnswer;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.state.Route;
import org.aidcmp.schemas.topics.AidTopic;
import org.junit.jupiter.api.Test;

/** The routing index and token claims (§7.1.4 code 23), without Kafka. */
class RoutesDeciderTest {
  private final RoutesDecider decider = new RoutesDecider();

  private static Message inbound(String key, Object call) {
    return Message.of(key, AidTopic.AID1_INBOUND.topicName(), Messages.mspCall("m-" + key, "rq-" + key, call), null);
  }

  @Test
  void aCallNamingAnotherMspsTokenGetsTheSame404AsAnUnknownOne() {
    Route route = new Route("user-1", "msp-a");
    Decision<Route> other = decider.decide(route, inbound("token-1", new NotifyMspTokenInvalid("msp-b", "token-1", null)), NOW);
    Decision<Route> unknown = decider.decide(null, inbound("token-2", new NotifyMspTokenInvalid("msp-b", "token-2", null)), NOW);
    for (Decision<Route> d : java.util.List.of(other, unknown)) {
      RequestOutcome outcome = (RequestOutcome) emitted(d, Reply.class).get(0).getPayload();
      assertThat(outcome.getHttpStatus()).isEqualTo(404);
      assertThat(outcome.getError().getCode()).isEqualTo("20");
      assertThat(emitsTo(d, AidTopic.INTERNAL_USERS)).isEmpty();
    }
  }

  @Test
  void aRoutedResultLeavesTheRouteAsItIsSoNothingIsWritten() {
    Route route = new Route("user-1", "msp-a");
    Message result = Message.of("token-1", AidTopic.AID1_RESULTS.topicName(), Messages.result("r-1",
        new MspCallSucceeded(new MspCallRef("cmd-1", "msp-a", "token-1", MspCall.SEND_CSIM_STATUS, 1, "user-1"), 201)), null);
    Decision<Route> d = decider.decide(route, result, NOW);
    assertThat(d.state()).isSameAs(route);
    assertThat(emitsTo(d, AidTopic.INTERNAL_USERS)).singleElement().satisfies(e -> assertThat(e.key()).isEqualTo("user-1"));
  }

  @Test
  void tokenClaim_7_1_4_theFirstUserGetsTheTokenAnotherIsRefused() {
    Aid1Inbound call = Messages.mspCall("m-c", "rq-c", SendMspToken.newBuilder().setMspId("msp-a").setSid("sid-1")
        .setAccountIdExpiresAt(NOW).setMspToken("token-1").build());
    Message first = Messages.internal(AidTopic.INTERNAL_ROUTES, "token-1", "i-1",
        new MspTokenClaim("token-1", "msp-a", "user-1", call));
    Message second = Messages.internal(AidTopic.INTERNAL_ROUTES, "token-1", "i-2",
        new MspTokenClaim("token-1", "msp-a", "user-2", call));

    Decision<Route> granted = decider.decide(null, first, NOW);
    Decision<Route> refused = decider.decide(granted.state(), second, NOW);

    assertThat(granted.state().getCmpUserId()).isEqualTo("user-1");
    assertThat(emitted(granted, MspTokenClaimAnswer.class)).singleElement()
        .satisfies(a -> assertThat(a.getGranted()).isTrue());
    assertThat(refused.state()).isSameAs(granted.state());
    assertThat(emitted(refused, MspTokenClaimAnswer.class)).singleElement()
        .satisfies(a -> assertThat(a.getGranted()).isFalse());
    assertThat(emitsTo(refused, AidTopic.INTERNAL_USERS)).singleElement()
        .satisfies(e -> assertThat(e.key()).isEqualTo("user-2"));
  }

  @Test
  void sendMspToken_7_1_4_oneThatNamesNoUser_writtenBeforeAccountIdsCarriedTheirs_is422Code11() {
    SendMspToken token = SendMspToken.newBuilder().setMspId("msp-a").setSid("sid-1").setAccountIdExpiresAt(NOW)
        .setMspToken("token-1").build();
    Route sid = new Route("user-1", "msp-a");
    Decision<Route> d = decider.decide(sid, inbound("sid-1", token), NOW);
    assertThat(d.state()).isSameAs(sid);
    assertThat(emitsTo(d, AidTopic.INTERNAL_USERS)).isEmpty();
    assertThat(emitsTo(d, AidTopic.INTERNAL_ROUTES)).isEmpty();
    RequestOutcome outcome = (RequestOutcome) emitted(d, Reply.class).get(0).getPayload();
    assertThat(outcome.getHttpStatus()).isEqualTo(422);
    assertThat(outcome.getError().getCode()).isEqualTo("11");
  }
}
