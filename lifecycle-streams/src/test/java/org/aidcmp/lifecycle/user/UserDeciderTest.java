package org.aidcmp.lifecycle.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Emit;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Outputs;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.FederationStatus;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.ProfileState;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.topics.AidTopic;
import org.junit.jupiter.api.Test;

/** The User aggregate's transitions as the pure functions they are: no Kafka, no driver. */
class UserDeciderTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private final UserDecider decider = new UserDecider(LifecycleSettings.defaults());

  private static UserState onboardedWithProfiles(Profile... profiles) {
    return UserState.newBuilder().setCmpUserId("user-1").setAidTermsAccepted(true)
        .setFederations(new ArrayList<>(List.of(new Federation("token-1", "msp-a", "sid-1", FederationStatus.ACTIVE,
            SubscriptionType.PRIVATE, null, null))))
        .setProfiles(new ArrayList<>(List.of(profiles))).build();
  }

  private static Profile profile(String iccid, String vin, ProfileState state, Instant lastUsed) {
    return new Profile(iccid, "token-1", vin, "eid-" + vin, state, false, null, null, lastUsed);
  }

  private static Outputs outputs(String messageId) {
    return new Outputs(Envelopes.header(messageId, "test", null, null, NOW), NOW);
  }

  private static Aid2Uplink vehicleAsks(String vin) {
    return new Aid2Uplink(Envelopes.header("m-" + vin, "ingress-aid2", null, null, NOW),
        new RequestActivationCode(new VehicleRequestId(vin, NOW.getEpochSecond()), "user-1", "", "eid-" + vin));
  }

  @Test
  void requestActivationCode_4_3_1_isAPureFunctionOfStateAndMessage() {
    UserState state = onboardedWithProfiles(profile("8988239000000000001", "VIN1", ProfileState.INSTALLED,
        NOW.minusSeconds(60)));
    UserState before = UserState.newBuilder(state).build();

    Decision<UserState> first = decider.onVehicleReport("user-1", state, vehicleAsks("VIN2"), outputs("m-1"));
    Decision<UserState> again = decider.onVehicleReport("user-1", state, vehicleAsks("VIN2"), outputs("m-1"));

    assertThat(state).as("the input state is left as it was").isEqualTo(before);
    assertThat(again).as("same state and message: same decision, same minted ids").isEqualTo(first);
    assertThat(first.state().getActivationCodesInFlight()).hasSize(1);
    Emit command = first.emits().stream().filter(e -> e.topic() == AidTopic.AID1_OUTBOUND).findFirst().orElseThrow();
    assertThat(command.key()).isEqualTo("token-1");
    ActivationCodeRequest request = (ActivationCodeRequest) ((Aid1Outbound) command.value()).getPayload();
    assertThat(request.getReplaceIccid()).isEqualTo("8988239000000000001");
    assertThat(request.getActivationCodeRequestId())
        .isEqualTo(first.state().getActivationCodesInFlight().get(0).getActivationCodeRequestId());
  }

  @Test
  void replaceCandidate_4_3_1_leastRecentlyUsedOnAnotherVehicleNeverOneBeingDeleted() {
    UserState state = onboardedWithProfiles(
        profile("8988239000000000001", "VIN1", ProfileState.DELETE_PENDING, NOW.minusSeconds(900)),
        profile("8988239000000000002", "VIN2", ProfileState.ENABLED, NOW.minusSeconds(10)),
        profile("8988239000000000003", "VIN3", ProfileState.INSTALL_FAILED, NOW.minusSeconds(300)),
        profile("8988239000000000004", "VIN4", ProfileState.DISABLED, NOW.minusSeconds(600)));

    assertThat(UserDecider.replaceCandidate(state, "token-1", "VIN4")).get()
        .extracting(Profile::getIccid).isEqualTo("8988239000000000003");
    assertThat(UserDecider.replaceCandidate(state, "token-1", "VIN9")).get()
        .extracting(Profile::getIccid).isEqualTo("8988239000000000004");
    assertThat(UserDecider.replaceCandidate(state, "token-2", "VIN9")).isEmpty();
  }

  @Test
  void anUnknownUserIsRefusedWithoutCreatingState() {
    Decision<UserState> decision = decider.onVehicleReport("user-1", null, vehicleAsks("VIN1"), outputs("m-2"));
    assertThat(decision.state()).isNull();
    assertThat(decision.emits()).singleElement().extracting(Emit::topic).isEqualTo(AidTopic.INTERNAL_VEHICLES);
  }
}
