package org.aidcmp.lifecycle.profiles;

import static org.aidcmp.lifecycle.Messages.NOW;
import static org.aidcmp.lifecycle.Messages.emitted;
import static org.aidcmp.lifecycle.Messages.emitsTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Messages;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.aid1.MspProfileState;
import org.aidcmp.schemas.aid1.MspProfileStatus;
import org.aidcmp.schemas.aid1.ProfileInformation;
import org.aidcmp.schemas.aid1.ProfileStatusReceived;
import org.aidcmp.schemas.aid1.SendProfileInformation;
import org.aidcmp.schemas.aid2.CsimProfile;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.common.ProfileInformationStatus;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.lifecycle.ProfileDeleteRequested;
import org.aidcmp.schemas.lifecycle.ProfilesReconciled;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.FederationStatus;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.ProfileState;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.state.VehicleProfile;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;
import org.junit.jupiter.api.Test;

/** §4.5 - §4.9, §7.1.6, §7.1.7, §7.1.11, without Kafka. */
class ProfileLifecycleDeciderTest {
  private final ProfileLifecycleDecider decider = new ProfileLifecycleDecider(LifecycleSettings.defaults());

  private static UserState userWith(Profile... profiles) {
    return UserState.newBuilder().setCmpUserId("user-1").setAidTermsAccepted(true)
        .setFederations(new ArrayList<>(List.of(new Federation("token-1", "msp-a", "sid-1", FederationStatus.ACTIVE,
            SubscriptionType.PRIVATE, null, null))))
        .setProfiles(new ArrayList<>(List.of(profiles))).build();
  }

  private static Profile installed(String iccid, String vin) {
    return new Profile(iccid, "token-1", vin, "eid-" + vin, ProfileState.INSTALLED, false, null, null, NOW, null);
  }

  private static Message profileInformation(String requestId, ProfileInformation... profiles) {
    return Messages.internal(AidTopic.INTERNAL_USERS, "user-1", "m-" + requestId,
        Messages.mspCall("c-" + requestId, requestId, new SendProfileInformation("msp-a", "token-1", List.of(profiles))));
  }

  @Test
  void sendProfileInformation_7_1_6_invalidDeletesTheProfileFromItsVehicle() {
    Decision<UserState> d = decider.forUser(userWith(installed("8988239000000000001", "VIN1")),
        profileInformation("rq-1", new ProfileInformation("8988239000000000001", ProfileInformationStatus.INVALID, "x")),
        NOW);
    assertThat(d.state().getProfiles()).singleElement().satisfies(p -> {
      assertThat(p.getInvalid()).isTrue();
      assertThat(p.getState()).isEqualTo(ProfileState.DELETE_PENDING);
    });
    assertThat(emitted(d, RequestDeleteProfile.class)).hasSize(1);
    assertThat(emitsTo(d, AidTopic.INTERNAL_VEHICLES)).singleElement().satisfies(e -> assertThat(e.key()).isEqualTo("VIN1"));
  }

  @Test
  void sendProfileInformation_7_1_6_oneUnknownIccidRefusesTheWholeCallAndChangesNoProfile() {
    UserState state = userWith(installed("8988239000000000001", "VIN1"));
    Decision<UserState> d = decider.forUser(state, profileInformation("rq-2",
        new ProfileInformation("8988239000000000001", ProfileInformationStatus.INVALID, null),
        new ProfileInformation("8988239000000000999", ProfileInformationStatus.INVALID, null)), NOW);
    RequestOutcome outcome = (RequestOutcome) emitted(d, Reply.class).get(0).getPayload();
    assertThat(outcome.getHttpStatus()).isEqualTo(404);
    assertThat(d.state().getProfiles()).isEqualTo(state.getProfiles());
    assertThat(emitted(d, ProfileDeleteRequested.class)).isEmpty();
  }

  @Test
  void profileStatus_4_6_aProfileTheMspNoLongerListsIsInvalidatedAndDeleted() {
    Message statuses = Messages.internal(AidTopic.INTERNAL_USERS, "user-1", "m-3", Messages.result("r-3",
        new ProfileStatusReceived(new MspCallRef("cmd-3", "msp-a", "token-1", MspCall.REQUEST_PROFILE_STATUS, 1, "user-1"), null,
            List.of(new MspProfileStatus("8988239000000000002", MspProfileState.INSTALLED)))));
    Decision<UserState> d = decider.forUser(userWith(installed("8988239000000000001", "VIN1"),
        installed("8988239000000000002", "VIN2")), statuses, NOW);
    assertThat(emitted(d, RequestDeleteProfile.class)).singleElement()
        .satisfies(r -> assertThat(r.getIccid()).isEqualTo("8988239000000000001"));
    assertThat(emitted(d, ProfilesReconciled.class)).singleElement()
        .satisfies(r -> assertThat(r.getChanges()).hasSize(1));
  }

  @Test
  void aResultForAUserThatDoesNotExistCreatesNothing() {
    Message statuses = Messages.internal(AidTopic.INTERNAL_USERS, "user-1", "m-4", Messages.result("r-4",
        new ProfileStatusReceived(new MspCallRef("cmd-4", "msp-a", "token-1", MspCall.REQUEST_PROFILE_STATUS, 1, "user-1"), null,
            List.of())));
    Decision<UserState> d = decider.forUser(null, statuses, NOW);
    assertThat(d.state()).isNull();
    assertThat(d.emits()).isEmpty();
  }

  @Test
  void csimStatus_7_2_3_eachUserHearsOfTheirOwnProfilesAndTheInventoryFollows() {
    VehicleState vehicle = VehicleState.newBuilder().setVin("VIN1").setRegistered(true).setEid("eid-VIN1").build();
    CsimStatus status = new CsimStatus(new VehicleRequestId("VIN1", NOW.getEpochSecond()), "eid-VIN1", null, null,
        null, List.of(new CsimProfile("8988239000000000001", "user-1", VehicleProfileStatus.ENABLED, null, null, null),
            new CsimProfile("8988239000000000002", "user-2", VehicleProfileStatus.DISABLED, null, null, null)));

    Decision<VehicleState> d = decider.forVehicle(vehicle, Messages.uplink("VIN1", "u-5", status), NOW);

    assertThat(emitsTo(d, AidTopic.INTERNAL_USERS)).extracting(e -> e.key()).containsExactly("user-1", "user-2");
    assertThat(emitted(d, CsimStatus.class)).filteredOn(s -> s.getProfiles().size() == 1).hasSize(2);
    assertThat(d.state().getInventory()).extracting(VehicleProfile::getIccid)
        .containsExactly("8988239000000000001", "8988239000000000002");
  }

  /**
   * §5.2.1: a related message keeps the old Timestamp, so a vehicle may report the same bytes twice (enabled,
   * disabled, enabled again within one second): one messageId. Each report is a decision with ids of its own, so
   * egress does not take the second "enabled" for a repeat of the first; deciding one report again mints the same.
   */
  @Test
  void csimStatus_7_2_3_theSameBytesReportedAgainAfterAChangeAreANewDecision_5_2_1() {
    ProfileLifecycleDecider forwarding = new ProfileLifecycleDecider(LifecycleSettings.defaults().withCsimStatuses(
        java.util.Map.of("msp-a", java.util.Set.of(org.aidcmp.schemas.aid1.CsimStatusValue.ENABLED,
            org.aidcmp.schemas.aid1.CsimStatusValue.DISABLED))));
    Message enabled = csimStatusForUser("m-same-bytes", VehicleProfileStatus.ENABLED);
    Message disabled = csimStatusForUser("m-other-bytes", VehicleProfileStatus.DISABLED);

    Decision<UserState> first = forwarding.forUser(userWith(installed("8988239000000000001", "VIN1")), enabled, NOW);
    Decision<UserState> between = forwarding.forUser(first.state(), disabled, NOW);
    Decision<UserState> again = forwarding.forUser(between.state(), enabled, NOW);

    List<org.aidcmp.schemas.aid1.Aid1Outbound> told = new ArrayList<>();
    for (Decision<UserState> d : List.of(first, between, again)) {
      emitsTo(d, AidTopic.AID1_OUTBOUND).forEach(e -> told.add((org.aidcmp.schemas.aid1.Aid1Outbound) e.value()));
    }
    assertThat(told).extracting(o -> ((org.aidcmp.schemas.aid1.SendCsimStatus) o.getPayload()).getStatus())
        .containsExactly(org.aidcmp.schemas.aid1.CsimStatusValue.ENABLED,
            org.aidcmp.schemas.aid1.CsimStatusValue.DISABLED, org.aidcmp.schemas.aid1.CsimStatusValue.ENABLED);
    assertThat(told).extracting(o -> o.getHeader().getMessageId()).doesNotHaveDuplicates();
    assertThat(again.state().getDecisions()).isEqualTo(3);
    // The same report against the same state (an EOS retry, a replay): the same command id.
    Decision<UserState> retried = forwarding.forUser(between.state(), enabled, NOW);
    assertThat(emitsTo(retried, AidTopic.AID1_OUTBOUND)).extracting(e -> ((org.aidcmp.schemas.aid1.Aid1Outbound)
        e.value()).getHeader().getMessageId()).containsExactly(told.get(2).getHeader().getMessageId());
  }

  @Test
  void csimStatus_7_2_3_aVehicleReportingTheSameBytesAgainHandsEachUserANewMessage_5_2_1() {
    VehicleState vehicle = VehicleState.newBuilder().setVin("VIN1").setRegistered(true).setEid("eid-VIN1").build();
    CsimStatus status = new CsimStatus(new VehicleRequestId("VIN1", NOW.getEpochSecond()), "eid-VIN1", null, null,
        null, List.of(new CsimProfile("8988239000000000001", "user-1", VehicleProfileStatus.ENABLED, null, null, null)));
    Decision<VehicleState> first = decider.forVehicle(vehicle, Messages.uplink("VIN1", "u-same", status), NOW);
    Decision<VehicleState> again = decider.forVehicle(first.state(), Messages.uplink("VIN1", "u-same", status), NOW);
    assertThat(emitsTo(first, AidTopic.INTERNAL_USERS)).singleElement().satisfies(e -> assertThat(
        ((org.aidcmp.schemas.internal.InternalMessage) e.value()).getHeader().getMessageId()).isNotEqualTo(
        ((org.aidcmp.schemas.internal.InternalMessage) emitsTo(again, AidTopic.INTERNAL_USERS).get(0).value())
            .getHeader().getMessageId()));
  }

  private static final ProfileLifecycleDecider TELLS_ALL = new ProfileLifecycleDecider(LifecycleSettings.defaults()
      .withCsimStatuses(java.util.Map.of("msp-a", java.util.Set.of(org.aidcmp.schemas.aid1.CsimStatusValue.ENABLED,
          org.aidcmp.schemas.aid1.CsimStatusValue.DISABLED, org.aidcmp.schemas.aid1.CsimStatusValue.DELETED))));

  private static Decision<UserState> markedInvalid(UserState state) {
    Decision<UserState> invalid = TELLS_ALL.forUser(state, profileInformation("rq-9",
        new ProfileInformation("8988239000000000001", ProfileInformationStatus.INVALID, "x")), NOW);
    assertThat(invalid.state().getProfiles()).singleElement()
        .satisfies(p -> assertThat(p.getState()).isEqualTo(ProfileState.DELETE_PENDING));
    return invalid;
  }

  private static List<org.aidcmp.schemas.aid1.CsimStatusValue> toldMsp(Decision<UserState> d) {
    return emitsTo(d, AidTopic.AID1_OUTBOUND).stream().map(e -> ((org.aidcmp.schemas.aid1.SendCsimStatus)
        ((org.aidcmp.schemas.aid1.Aid1Outbound) e.value()).getPayload()).getStatus()).toList();
  }

  /**
   * An enabled profile whose delete is on its way (§7.2.4) stays DELETE_PENDING whatever the car reports until it
   * deleted it; the car listing it enabled again (it lists every profile in every CSIM status) is no news, its
   * disable is.
   */
  @Test
  void csimStatus_7_2_3_aProfileWhoseDeleteIsOnItsWay_staysPendingAndIsNewsOnlyWhenTheCarChangesIt_7_2_4() {
    Decision<UserState> enabled = TELLS_ALL.forUser(userWith(installed("8988239000000000001", "VIN1")),
        csimStatusForUser("m-1", VehicleProfileStatus.ENABLED), NOW);
    Decision<UserState> invalid = markedInvalid(enabled.state());

    Decision<UserState> stillEnabled = TELLS_ALL.forUser(invalid.state(), csimStatusForUser("m-2",
        VehicleProfileStatus.ENABLED), NOW.plusSeconds(1));
    assertThat(stillEnabled.emits()).isEmpty();
    assertThat(stillEnabled.state().getProfiles()).singleElement()
        .satisfies(p -> assertThat(p.getState()).isEqualTo(ProfileState.DELETE_PENDING));

    Decision<UserState> disabled = TELLS_ALL.forUser(stillEnabled.state(), csimStatusForUser("m-3",
        VehicleProfileStatus.DISABLED), NOW.plusSeconds(2));
    assertThat(emitted(disabled, org.aidcmp.schemas.lifecycle.ProfileDisabled.class)).hasSize(1);
    assertThat(toldMsp(disabled)).containsExactly(org.aidcmp.schemas.aid1.CsimStatusValue.DISABLED);
    assertThat(disabled.state().getProfiles()).singleElement()
        .satisfies(p -> assertThat(p.getState()).isEqualTo(ProfileState.DELETE_PENDING));

    Decision<UserState> deleted = TELLS_ALL.forUser(disabled.state(), csimStatusForUser("m-4",
        VehicleProfileStatus.DELETED), NOW.plusSeconds(3));
    assertThat(deleted.state().getProfiles()).isEmpty();
    assertThat(emitted(deleted, org.aidcmp.schemas.lifecycle.ProfileDeleted.class)).hasSize(1);
    assertThat(toldMsp(deleted)).containsExactly(org.aidcmp.schemas.aid1.CsimStatusValue.DELETED);
  }

  /**
   * A profile swapped out (or found invalid) before its car enabled it: the car's enable is told once (the car did
   * enable it, §7.2.3), the delete stays on its way.
   */
  @Test
  void csimStatus_7_2_3_aProfileDeletedBeforeItsCarEnabledIt_isEnabledOnceAndStaysPending_7_2_4() {
    Decision<UserState> invalid = markedInvalid(userWith(installed("8988239000000000001", "VIN1")));
    Decision<UserState> enabled = TELLS_ALL.forUser(invalid.state(), csimStatusForUser("m-1",
        VehicleProfileStatus.ENABLED), NOW.plusSeconds(1));
    Decision<UserState> again = TELLS_ALL.forUser(enabled.state(), csimStatusForUser("m-2",
        VehicleProfileStatus.ENABLED), NOW.plusSeconds(2));
    assertThat(emitted(enabled, org.aidcmp.schemas.lifecycle.ProfileEnabled.class)).hasSize(1);
    assertThat(again.emits()).isEmpty();
    assertThat(again.state().getProfiles()).singleElement().satisfies(p -> {
      assertThat(p.getState()).isEqualTo(ProfileState.DELETE_PENDING);
      assertThat(p.getReportedStatus()).isEqualTo(VehicleProfileStatus.ENABLED);
    });
  }

  private static Message csimStatusForUser(String messageId, VehicleProfileStatus status) {
    return Messages.internal(AidTopic.INTERNAL_USERS, "user-1", messageId, Messages.uplinkEnvelope(messageId,
        new CsimStatus(new VehicleRequestId("VIN1", NOW.getEpochSecond()), "eid-VIN1", null, null, null,
            List.of(new CsimProfile("8988239000000000001", "user-1", status, null, null, null)))));
  }

  /** §7.2.3: every CSIM status lists every profile on the eUICC; one reported as it already was is no news. */
  @Test
  void csimStatus_7_2_3_aProfileReportedAsItAlreadyWasEmitsNothingAndTellsTheMspNothing() {
    ProfileLifecycleDecider forwarding = new ProfileLifecycleDecider(LifecycleSettings.defaults().withCsimStatuses(
        java.util.Map.of("msp-a", java.util.Set.of(org.aidcmp.schemas.aid1.CsimStatusValue.ENABLED))));
    Decision<UserState> enabled = forwarding.forUser(userWith(installed("8988239000000000001", "VIN1")),
        csimStatusForUser("m-1", VehicleProfileStatus.ENABLED), NOW);
    assertThat(emitted(enabled, org.aidcmp.schemas.lifecycle.ProfileEnabled.class)).hasSize(1);

    Decision<UserState> again = forwarding.forUser(enabled.state(), csimStatusForUser("m-2",
        VehicleProfileStatus.ENABLED), NOW.plusSeconds(60));
    assertThat(again.emits()).isEmpty();
    assertThat(again.state()).isSameAs(enabled.state());
  }
}
