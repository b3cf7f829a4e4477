package org.aidcmp.lifecycle.vehicleops;

import static org.aidcmp.lifecycle.Messages.NOW;
import static org.aidcmp.lifecycle.Messages.emitted;
import static org.aidcmp.lifecycle.Messages.emitsTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Messages;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfilesResult;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.internal.ProfilesGoneFromVehicle;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.state.InventoryEntryState;
import org.aidcmp.schemas.state.VehicleProfile;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.RequestVehicleCsimInfo;
import org.junit.jupiter.api.Test;

/** §4.10, §4.11, §7.2.7, §7.2.8, without Kafka. */
class VehicleOperationsDeciderTest {
  private final VehicleOperationsDecider decider = new VehicleOperationsDecider(LifecycleSettings.defaults());

  @Test
  void requestCsimInfo_4_10_forAVehicleNotRegisteredIs404AndCreatesNothing() {
    Decision<VehicleState> d = decider.forVehicle(null,
        Messages.touchpoint("VIN1", "m-1", "rq-1", new RequestVehicleCsimInfo("VIN1")), NOW);
    assertThat(d.state()).isNull();
    assertThat(((RequestOutcome) emitted(d, Reply.class).get(0).getPayload()).getHttpStatus()).isEqualTo(404);
  }

  @Test
  void requestCsimInfo_4_10_isSentAndKeptUntilAnswered() {
    VehicleState vehicle = VehicleState.newBuilder().setVin("VIN1").setRegistered(true).setEid("eid").build();
    Decision<VehicleState> d = decider.forVehicle(vehicle,
        Messages.touchpoint("VIN1", "m-2", "rq-2", new RequestVehicleCsimInfo("VIN1")), NOW);
    assertThat(emitted(d, RequestCsimInfo.class)).hasSize(1);
    assertThat(d.state().getPending()).hasSize(1);
  }

  @Test
  void deleteAllProfiles_4_11_everyUserHearsOfTheirProfilesGone() {
    VehicleState vehicle = VehicleState.newBuilder().setVin("VIN1").setRegistered(true).setEid("eid")
        .setInventory(new ArrayList<>(List.of(new VehicleProfile("8988239000000000001", "user-1", InventoryEntryState.ENABLED),
            new VehicleProfile("8988239000000000002", "user-2", InventoryEntryState.DISABLED)))).build();
    Decision<VehicleState> d = decider.forVehicle(vehicle, Messages.uplink("VIN1", "u-3",
        new DeleteAllProfilesResult(new VehicleRequestId("VIN1", 1L), RequestDeleteAllProfilesResult.SUCCESS, null)), NOW);
    assertThat(d.state().getInventory()).isEmpty();
    assertThat(emitsTo(d, AidTopic.INTERNAL_USERS)).extracting(e -> e.key()).containsExactly("user-1", "user-2");
    assertThat(emitted(d, ProfilesGoneFromVehicle.class)).hasSize(2);
  }
}
