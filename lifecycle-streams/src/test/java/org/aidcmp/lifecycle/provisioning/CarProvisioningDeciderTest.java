package org.aidcmp.lifecycle.provisioning;

import static org.aidcmp.lifecycle.Messages.NOW;
import static org.aidcmp.lifecycle.Messages.emitted;
import static org.aidcmp.lifecycle.Messages.emitsTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Emit;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Messages;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ProfileInstalled;
import org.aidcmp.schemas.lifecycle.ProfileSwapped;
import org.aidcmp.schemas.state.ActivationCodeInFlight;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.FederationStatus;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.ProfileState;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;
import org.junit.jupiter.api.Test;

/** §4.3, §4.3.1, §7.1.8, §7.2.1 over both aggregates, without Kafka. */
class CarProvisioningDeciderTest {
  private final CarProvisioningDecider decider = new CarProvisioningDecider(LifecycleSettings.defaults());

  private static UserState onboardedWithProfiles(Profile... profiles) {
    return UserState.newBuilder().setCmpUserId("user-1").setAidTermsAccepted(true)
        .setFederations(new ArrayList<>(List.of(new Federation("token-1", "msp-a", "sid-1", FederationStatus.ACTIVE,
            SubscriptionType.PRIVATE, null, null))))
        .setProfiles(new ArrayList<>(List.of(profiles))).build();
  }

  private static Profile profile(String iccid, String vin, ProfileState state, java.time.Instant lastUsed) {
    return new Profile(iccid, "token-1", vin, "eid-" + vin, state, false, null, null, lastUsed, null);
  }

  private static RequestActivationCode asks(String vin) {
    return new RequestActivationCode(new VehicleRequestId(vin, NOW.getEpochSecond()), "user-1", "", "eid-" + vin);
  }

  private static Message vehicleAsksTheUser(String vin) {
    return Messages.internal(AidTopic.INTERNAL_USERS, "user-1", "m-" + vin,
        Messages.uplinkEnvelope("u-" + vin, asks(vin)));
  }

  @Test
  void requestActivationCode_7_2_1_aVehicleNotRegisteredIsToldUnknownVinAndTheUserNeverHears() {
    Decision<VehicleState> d = decider.forVehicle(null, Messages.uplink("VIN1", "u-1", asks("VIN1")), NOW);
    assertThat(emitted(d, VehicleRequestError.class)).singleElement()
        .satisfies(e -> assertThat(e.getError()).isEqualTo(Aid2Error.UNKNOWN_VIN));
    assertThat(emitsTo(d, AidTopic.AID2_DOWNLINK)).hasSize(1);
    assertThat(emitsTo(d, AidTopic.INTERNAL_USERS)).isEmpty();
  }

  @Test
  void requestActivationCode_7_2_1_aRegisteredVehicleIsPassedToItsUser() {
    VehicleState vehicle = VehicleState.newBuilder().setVin("VIN1").setRegistered(true).setAidEnabled(true)
        .setEid("eid-VIN1").build();
    Decision<VehicleState> d = decider.forVehicle(vehicle, Messages.uplink("VIN1", "u-1", asks("VIN1")), NOW);
    assertThat(emitsTo(d, AidTopic.INTERNAL_USERS)).singleElement()
        .satisfies(e -> assertThat(e.key()).isEqualTo("user-1"));
    assertThat(d.state().getLastSeen()).isEqualTo(NOW);
  }

  @Test
  void requestActivationCode_4_3_1_asksTheMspWithTheCandidateAndIsAPureFunction() {
    UserState state = onboardedWithProfiles(profile("8988239000000000001", "VIN1", ProfileState.INSTALLED,
        NOW.minusSeconds(60)));
    UserState before = UserState.newBuilder(state).build();

    Decision<UserState> first = decider.forUser(state, vehicleAsksTheUser("VIN2"), NOW);
    Decision<UserState> again = decider.forUser(state, vehicleAsksTheUser("VIN2"), NOW);

    assertThat(state).as("the input state is left as it was").isEqualTo(before);
    assertThat(again).as("same state and message: same decision, same minted ids").isEqualTo(first);
    assertThat(first.state().getActivationCodesInFlight()).hasSize(1);
    Emit command = emitsTo(first, AidTopic.AID1_OUTBOUND).get(0);
    assertThat(command.key()).as("keyed by the user: its result comes back to this partition").isEqualTo(state.getCmpUserId());
    ActivationCodeRequest request = emitted(first, ActivationCodeRequest.class).get(0);
    assertThat(request.getReplaceIccid()).isEqualTo("8988239000000000001");
    assertThat(request.getActivationCodeRequestId())
        .isEqualTo(first.state().getActivationCodesInFlight().get(0).getActivationCodeRequestId());
  }

  @Test
  void requestActivationCode_7_2_1_anUnknownUserIsRefusedWithoutCreatingState() {
    Decision<UserState> d = decider.forUser(null, vehicleAsksTheUser("VIN1"), NOW);
    assertThat(d.state()).isNull();
    assertThat(emitted(d, VehicleRequestError.class)).singleElement()
        .satisfies(e -> assertThat(e.getError()).isEqualTo(Aid2Error.UNKNOWN_USER));
  }

  @Test
  void replaceCandidate_4_3_1_leastRecentlyUsedOnAnotherVehicleNeverOneBeingDeleted() {
    UserState state = onboardedWithProfiles(
        profile("8988239000000000001", "VIN1", ProfileState.DELETE_PENDING, NOW.minusSeconds(900)),
        profile("8988239000000000002", "VIN2", ProfileState.ENABLED, NOW.minusSeconds(10)),
        profile("8988239000000000003", "VIN3", ProfileState.INSTALL_FAILED, NOW.minusSeconds(300)),
        profile("8988239000000000004", "VIN4", ProfileState.DISABLED, NOW.minusSeconds(600)));

    assertThat(CarProvisioningDecider.replaceCandidate(state, "token-1", "VIN4")).get()
        .extracting(Profile::getIccid).isEqualTo("8988239000000000003");
    assertThat(CarProvisioningDecider.replaceCandidate(state, "token-1", "VIN9")).get()
        .extracting(Profile::getIccid).isEqualTo("8988239000000000004");
    assertThat(CarProvisioningDecider.replaceCandidate(state, "token-2", "VIN9")).isEmpty();
  }

  private static UserState inFlightFor(String vin, String replaceIccid, Profile... profiles) {
    UserState s = onboardedWithProfiles(profiles);
    s.setActivationCodesInFlight(new ArrayList<>(List.of(new ActivationCodeInFlight("acr-1", "cmd-1", "token-1",
        "msp-a", vin, "eid-" + vin, replaceIccid, new VehicleRequestId(vin, NOW.getEpochSecond()),
        NOW.plus(Duration.ofMinutes(15)), false))));
    return s;
  }

  @Test
  void activationCodeIssued_7_1_8_1_theAcGoesToTheVehicleAndTheSwappedProfileIsInvalidatedAndDeleted() {
    UserState state = inFlightFor("VIN2", "8988239000000000001",
        profile("8988239000000000001", "VIN1", ProfileState.INSTALLED, NOW.minusSeconds(60)));
    Message issued = Messages.internal(AidTopic.INTERNAL_USERS, "user-1", "m-r", Messages.result("r-1",
        new ActivationCodeIssued(new MspCallRef("cmd-1", "msp-a", "token-1", MspCall.REQUEST_ACTIVATION_CODE, 1, "user-1"),
            "acr-1", "8988239000000000002", "1$SMDP$2", "personal", "8988239000000000001")));

    Decision<UserState> d = decider.forUser(state, issued, NOW);

    assertThat(d.state().getActivationCodesInFlight()).isEmpty();
    assertThat(emitsTo(d, AidTopic.AID2_DOWNLINK)).as("the AC straight to the vehicle").singleElement()
        .satisfies(e -> assertThat(((SendActivationCodeToVehicle) ((org.aidcmp.schemas.aid2.Aid2Downlink) e.value())
            .getPayload()).getActivationCode()).isEqualTo("1$SMDP$2"));
    assertThat(emitsTo(d, AidTopic.INTERNAL_VEHICLES)).as("the vehicle stage keeps it, and deletes the swapped")
        .hasSize(2);
    assertThat(emitted(d, ProfileSwapped.class)).hasSize(1);
    assertThat(emitted(d, RequestDeleteProfile.class)).singleElement()
        .satisfies(r -> assertThat(r.getIccid()).isEqualTo("8988239000000000001"));
    assertThat(d.state().getProfiles()).filteredOn(p -> p.getIccid().endsWith("1")).singleElement()
        .satisfies(p -> {
          assertThat(p.getInvalid()).isTrue();
          assertThat(p.getState()).isEqualTo(ProfileState.DELETE_PENDING);
        });
  }

  @Test
  void deadline_7_1_8_2_aPassedDeadlineArrivesAsAMessageAndTellsTheVehicle() {
    UserState state = inFlightFor("VIN2", null);
    Message passed = Message.own("user-1", Envelopes.header("deadline-1", "test", null, null, NOW),
        new ActivationCodeDeadlinePassed("acr-1"));

    Decision<UserState> early = decider.forUser(state, passed, NOW.plus(Duration.ofMinutes(14)));
    Decision<UserState> due = decider.forUser(state, passed, NOW.plus(Duration.ofMinutes(15)));

    assertThat(early.state()).as("not due yet: nothing changes, nothing to write").isSameAs(state);
    assertThat(early.emits()).isEmpty();
    assertThat(due.state().getActivationCodesInFlight()).isEmpty();
    assertThat(emitted(due, ActivationCodeFailed.class)).hasSize(1);
    assertThat(emitted(due, VehicleRequestError.class)).singleElement()
        .satisfies(e -> assertThat(e.getError()).isEqualTo(Aid2Error.NO_ACTIVATION_CODE_AVAILALE));
  }

  private static Message installInfo(String iccid, String vin, DownloadInstallResult result) {
    return Messages.internal(AidTopic.INTERNAL_USERS, "user-1", "m-install-" + vin,
        Messages.uplinkEnvelope("u-install-" + vin, new ProfileDownloadInstallInfo(
            new VehicleRequestId(vin, NOW.getEpochSecond()), "user-1", iccid, "eid-" + vin, null, result, null, null)));
  }

  @Test
  void installInfo_7_2_3_aProfilePastItsInstallationIsNotSetBackByARepeatedOrLateReport() {
    for (ProfileState past : List.of(ProfileState.INSTALLED, ProfileState.ENABLED, ProfileState.DISABLED,
        ProfileState.DELETE_PENDING)) {
      UserState state = onboardedWithProfiles(profile("8988239000000000001", "VIN1", past, NOW.minusSeconds(60)));
      for (DownloadInstallResult result : List.of(DownloadInstallResult.SUCCESS,
          DownloadInstallResult.FAILED)) {
        Decision<UserState> d = decider.forUser(state, installInfo("8988239000000000001", "VIN1", result), NOW);

        assertThat(d.state().getProfiles()).singleElement()
            .satisfies(p -> assertThat(p.getState()).as("%s after a %s report", past, result).isEqualTo(past));
        assertThat(d.emits()).as("%s: no event, nothing told to the MSP", past).isEmpty();
      }
    }
  }

  @Test
  void installInfo_7_2_3_theProfileTheAcWasSentForIsInstalled() {
    UserState state = onboardedWithProfiles(
        profile("8988239000000000001", "VIN1", ProfileState.AC_SENT, NOW.minusSeconds(60)));

    Decision<UserState> d =
        decider.forUser(state, installInfo("8988239000000000001", "VIN1", DownloadInstallResult.SUCCESS), NOW);

    assertThat(d.state().getProfiles()).singleElement()
        .satisfies(p -> assertThat(p.getState()).isEqualTo(ProfileState.INSTALLED));
    assertThat(emitted(d, ProfileInstalled.class)).hasSize(1);
  }
}
