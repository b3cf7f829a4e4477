package org.aidcmp.lifecycle.vehicleops;

import java.time.Instant;
import java.util.List;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.user.ProfileSteps;
import org.aidcmp.lifecycle.user.UserChange;
import org.aidcmp.lifecycle.vehicle.FleetRegistryDecider;
import org.aidcmp.lifecycle.vehicle.VehicleChange;
import org.aidcmp.lifecycle.vehicle.VehicleSteps;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.CsimInfoResult;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestCsimInfoResult;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfiles;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfilesResult;
import org.aidcmp.schemas.internal.ProfilesGoneFromVehicle;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.touchpoint.DeleteAllVehicleProfiles;
import org.aidcmp.schemas.touchpoint.RequestVehicleCsimInfo;

/**
 * Vehicle operations of the fleet: Request CSIM info (§4.10, numbered 4.1 in the spec, §7.2.7; its Send CSIM
 * status answer is the whole inventory, {@code ProfileLifecycleDecider.forVehicle}) and Delete all profiles
 * (§4.11, numbered 4.2, §7.2.8), each profile gone reported to its user and so to its MSP.
 */
public final class VehicleOperationsDecider {
  private final LifecycleSettings settings;

  public VehicleOperationsDecider(LifecycleSettings settings) {
    this.settings = settings;
  }

  public Decision<VehicleState> forVehicle(VehicleState state, Message m, Instant now) {
    VehicleChange c = VehicleChange.of(state, m, now);
    Object payload = m.payload();
    if (payload instanceof RequestVehicleCsimInfo || payload instanceof DeleteAllVehicleProfiles) {
      if (!FleetRegistryDecider.registeredOrRefused(c)) {
        return c.unchanged();
      }
      Object command = payload instanceof RequestVehicleCsimInfo
          ? new RequestCsimInfo(VehicleSteps.requestId(c))
          : new RequestDeleteAllProfiles(VehicleSteps.requestId(c));
      VehicleSteps.send(c, new Aid2Downlink(c.out.nextHeader("downlink"), command));
      c.out.reply(202, null, null);
    } else if (payload instanceof CsimInfoResult result) {
      if (result.getRequestCsimInfoResult() != RequestCsimInfoResult.SUCCESS) {
        VehicleSteps.answered(c, d -> d.getPayload() instanceof RequestCsimInfo);
      }
    } else if (payload instanceof DeleteAllProfilesResult result) {
      VehicleSteps.answered(c, d -> d.getPayload() instanceof RequestDeleteAllProfiles);
      if (result.getRequestDeleteProfileResult() != RequestDeleteAllProfilesResult.FAILED) {
        VehicleSteps.gone(c, List.copyOf(c.s.getInventory()));
      }
    } else {
      throw new IllegalArgumentException("vehicle operations do not take " + m.describe() + " for a vehicle");
    }
    return c.decision();
  }

  /** §4.11: the vehicle stage found the user's profiles gone from a vehicle; each is reported to its MSP. */
  public Decision<UserState> forUser(UserState state, Message m, Instant now) {
    if (!(m.payload() instanceof ProfilesGoneFromVehicle gone)) {
      throw new IllegalArgumentException("vehicle operations do not take " + m.describe() + " for a user");
    }
    if (state == null) {
      return Decision.unchanged(null);
    }
    UserChange c = UserChange.of(state, m, now, settings);
    gone.getIccids().forEach(iccid -> ProfileSteps.profileGone(c, iccid));
    return c.decision();
  }
}
