package org.aidcmp.lifecycle.vehicle;

import static org.aidcmp.lifecycle.Messages.NOW;
import static org.aidcmp.lifecycle.Messages.emitsTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Messages;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.VehiclePresence;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.internal.VehicleCommand;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;
import org.junit.jupiter.api.Test;

/** The fleet registry and the vehicle's downlink, without Kafka. */
class FleetAndDownlinkDeciderTest {
  private final FleetRegistryDecider fleet = new FleetRegistryDecider();
  private final DownlinkDecider downlink = new DownlinkDecider();

  private static VehicleState registered() {
    return VehicleState.newBuilder().setVin("VIN1").setRegistered(true).setAidEnabled(true).setEid("eid").build();
  }

  private static Message tombstone(AidTopic topic) {
    return Message.of("VIN1", topic.topicName(), null, Messages.header("t-1", null));
  }

  @Test
  void aTombstoneOnTheFleetRegistryRetiresAndForAnUnknownVehicleCreatesNothing() {
    Decision<VehicleState> retired = fleet.decide(registered(), tombstone(AidTopic.REF_VEHICLES), NOW);
    assertThat(retired.state().getRegistered()).isFalse();
    assertThat(fleet.decide(null, tombstone(AidTopic.REF_VEHICLES), NOW).state()).isNull();
  }

  @Test
  void aTombstoneFromAnyOtherTopicIsNotTheFleetRegistrysToTake() {
    assertThatThrownBy(() -> fleet.decide(registered(), tombstone(AidTopic.AID2_UPLINK), NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Message command(String messageId, Object payload) {
    Aid2Downlink d = new Aid2Downlink(Envelopes.header("cmd-" + messageId, "test", null, null, NOW), payload);
    return Messages.internal(AidTopic.INTERNAL_VEHICLES, "VIN1", messageId, new VehicleCommand(d, false, null));
  }

  @Test
  void aCommandIsSentAndKeptAndSentAgainWithItsIdWhenTheVehicleIsBackOnline() {
    Decision<VehicleState> sent = downlink.decide(registered(), command("m-1",
        new RequestDeleteProfile(new VehicleRequestId("VIN1", 1L), "user-1", "8988239000000000001", "eid")), NOW);
    assertThat(emitsTo(sent, AidTopic.AID2_DOWNLINK)).hasSize(1);
    assertThat(sent.state().getPending()).hasSize(1);

    Decision<VehicleState> online = downlink.decide(sent.state(),
        Messages.uplink("VIN1", "u-2", new VehiclePresence("VIN1", true)), NOW);
    assertThat(emitsTo(online, AidTopic.AID2_DOWNLINK)).singleElement()
        .satisfies(e -> assertThat(((Aid2Downlink) e.value()).getHeader().getMessageId()).isEqualTo("cmd-m-1"));
  }

  @Test
  void anErrorAnsweringAVehicleIsSentNotKept() {
    VehicleState state = registered();
    Decision<VehicleState> d = downlink.decide(state, command("m-3",
        new VehicleRequestError(new VehicleRequestId("VIN1", 1L), "user-1", Aid2Error.UNKNOWN_USER, null)), NOW);
    assertThat(emitsTo(d, AidTopic.AID2_DOWNLINK)).hasSize(1);
    assertThat(d.state()).as("nothing kept, nothing to write").isSameAs(state);
    assertThat(state.getPending()).isEqualTo(new ArrayList<>(List.of()));
  }

  /**
   * §7.2.2 / §7.2.3: the AC the user stage sent (kept by this stage for re-sending) and the vehicle's install report
   * of it reach the vehicle stage in either order (two stages write). Either way the same state and the same ids:
   * keeping the AC is not counted as a decision, so the report is decided with the same count. (A replay takes the
   * two in time order, the AC first; the platform may have met the report first.)
   */
  @Test
  void theKeptAcAndTheInstallReportInEitherOrderEndTheSameAndMintTheSameIds() {
    org.aidcmp.lifecycle.provisioning.CarProvisioningDecider provisioning =
        new org.aidcmp.lifecycle.provisioning.CarProvisioningDecider(org.aidcmp.lifecycle.LifecycleSettings.defaults());
    String iccid = "8988239000000000001";
    Aid2Downlink ac = new Aid2Downlink(Envelopes.header("ac-1", "test", null, null, NOW),
        new org.aidcmp.schemas.aid2.SendActivationCodeToVehicle(new VehicleRequestId("VIN1", 1L), "user-1", null,
            "1$smdp.example$code"));
    Message kept = Messages.internal(AidTopic.INTERNAL_VEHICLES, "VIN1", "m-kept", new VehicleCommand(ac, true, iccid));
    Message installed = Messages.uplink("VIN1", "u-installed",
        org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo.newBuilder().setRequestId(new VehicleRequestId("VIN1", 2L))
            .setCmpUserId("user-1").setIccid(iccid).setEid("eid")
            .setDownloadInstallResult(org.aidcmp.schemas.common.DownloadInstallResult.SUCCESS).build());

    Decision<VehicleState> keptFirst = downlink.decide(registered(), kept, NOW);
    assertThat(keptFirst.state().getPending()).hasSize(1);
    Decision<VehicleState> thenInstalled = provisioning.forVehicle(keptFirst.state(), installed, NOW);

    Decision<VehicleState> installedFirst = provisioning.forVehicle(registered(), installed, NOW);
    Decision<VehicleState> thenKept = downlink.decide(installedFirst.state(), kept, NOW);

    assertThat(thenInstalled.state()).isEqualTo(thenKept.state());
    assertThat(thenKept.state().getPending()).isEmpty();
    assertThat(emitsTo(thenInstalled, AidTopic.INTERNAL_USERS)).singleElement().satisfies(e -> assertThat(
        ((org.aidcmp.schemas.internal.InternalMessage) e.value()).getHeader().getMessageId()).isEqualTo(
        ((org.aidcmp.schemas.internal.InternalMessage) emitsTo(installedFirst, AidTopic.INTERNAL_USERS).get(0)
            .value()).getHeader().getMessageId()));
  }
}
