package org.aidcmp.lifecycle.withdraw;

import static org.aidcmp.lifecycle.Messages.NOW;
import static org.aidcmp.lifecycle.Messages.emitted;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Messages;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.RequestInvalidateMspToken;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.lifecycle.FederationInvalidated;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.FederationStatus;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.ProfileState;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.WithdrawOnboarding;
import org.junit.jupiter.api.Test;

/** §4.4.1, §4.4.2, §7.1.5, §7.1.10, Annex A.3, without Kafka. */
class WithdrawDeciderTest {
  private final WithdrawDecider decider = new WithdrawDecider(LifecycleSettings.defaults());

  private static UserState federated(Profile... profiles) {
    return UserState.newBuilder().setCmpUserId("user-1").setPreferredMspToken("token-1")
        .setFederations(new ArrayList<>(List.of(new Federation("token-1", "msp-a", "sid-1", FederationStatus.ACTIVE,
            SubscriptionType.PRIVATE, null, null))))
        .setProfiles(new ArrayList<>(List.of(profiles))).build();
  }

  @Test
  void withdraw_4_4_1_viaTheTouchpointInvalidatesAtTheMspDeletesEveryProfileAndKeepsTheTokenUntilThen() {
    UserState state = federated(new Profile("8988239000000000001", "token-1", "VIN1", "eid", ProfileState.ENABLED,
        false, null, null, NOW, null));
    Decision<UserState> d = decider.decide(state,
        Messages.touchpoint("user-1", "m-1", "rq-1", new WithdrawOnboarding("user-1", "token-1")), NOW);

    assertThat(emitted(d, FederationInvalidated.class)).hasSize(1);
    assertThat(emitted(d, RequestInvalidateMspToken.class)).hasSize(1);
    assertThat(emitted(d, RequestDeleteProfile.class)).hasSize(1);
    assertThat(emitted(d, FederationRemoved.class)).as("a profile is left to delete").isEmpty();
    assertThat(d.state().getFederations()).singleElement()
        .satisfies(f -> assertThat(f.getStatus()).isEqualTo(FederationStatus.WITHDRAWING));
    assertThat(d.state().getPreferredMspToken()).isNull();
    RequestOutcome outcome = (RequestOutcome) emitted(d, Reply.class).get(0).getPayload();
    assertThat(outcome.getHttpStatus()).isEqualTo(202);
    assertThat(outcome.getBody()).contains("msp-a");
  }

  @Test
  void withdraw_4_4_2_viaTheMspWithNoProfilesRemovesTheFederationAndItsRouteAtOnce() {
    Decision<UserState> d = decider.decide(federated(), Messages.internal(AidTopic.INTERNAL_USERS, "user-1", "m-2",
        Messages.mspCall("c-2", "rq-2", new NotifyMspTokenInvalid("msp-a", "token-1", "ended"))), NOW);

    assertThat(emitted(d, RequestInvalidateMspToken.class)).as("the MSP knows already").isEmpty();
    assertThat(emitted(d, FederationRemoved.class)).hasSize(1);
    assertThat(emitted(d, RouteUpdate.class)).singleElement()
        .satisfies(r -> assertThat(r.getCmpUserId()).isNull());
    assertThat(d.state().getFederations()).isEmpty();
    assertThat(((RequestOutcome) emitted(d, Reply.class).get(0).getPayload()).getHttpStatus()).isEqualTo(204);
  }
}
