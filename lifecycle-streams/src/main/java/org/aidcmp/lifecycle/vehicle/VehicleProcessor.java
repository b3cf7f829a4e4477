package org.aidcmp.lifecycle.vehicle;

import org.aidcmp.lifecycle.DecidingProcessor;
import org.aidcmp.lifecycle.Dispatch;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.profiles.ProfileLifecycleDecider;
import org.aidcmp.lifecycle.provisioning.CarProvisioningDecider;
import org.aidcmp.lifecycle.vehicleops.VehicleOperationsDecider;
import org.aidcmp.schemas.aid2.CsimInfoResult;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.VehiclePresence;
import org.aidcmp.schemas.internal.VehicleCommand;
import org.aidcmp.schemas.ref.VehicleRegistration;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.DeleteAllVehicleProfiles;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RequestVehicleCsimInfo;
import org.aidcmp.schemas.touchpoint.RetireVehicle;

/**
 * The Vehicle aggregate (key VIN): which procedure's decider takes each message ({@link #dispatch}). Only the
 * fleet registry's topic gives a tombstone a meaning; one on any other topic is a dead letter.
 */
public final class VehicleProcessor extends DecidingProcessor<VehicleState> {
  public static final String NAME = "vehicle-lifecycle";
  public static final String STORE = "vehicles";

  public VehicleProcessor(LifecycleSettings settings) {
    super(NAME, STORE, dispatch(settings));
  }

  /** Every message the vehicle stage takes, by source topic and payload type, and the procedure that decides it. */
  static Dispatch<VehicleState> dispatch(LifecycleSettings settings) {
    FleetRegistryDecider fleet = new FleetRegistryDecider();
    DownlinkDecider downlink = new DownlinkDecider();
    CarProvisioningDecider provisioning = new CarProvisioningDecider(settings);
    ProfileLifecycleDecider profiles = new ProfileLifecycleDecider(settings);
    VehicleOperationsDecider operations = new VehicleOperationsDecider(settings);
    return new Dispatch<VehicleState>()
        // fleet commands (the touchpoint dispatch passes only these)
        .on(AidTopic.TOUCHPOINT_COMMANDS, fleet, RegisterVehicle.class, RetireVehicle.class)
        .on(AidTopic.TOUCHPOINT_COMMANDS, operations::forVehicle, RequestVehicleCsimInfo.class,
            DeleteAllVehicleProfiles.class)
        // the fleet system's registry
        .on(AidTopic.REF_VEHICLES, fleet, VehicleRegistration.class)
        .onTombstone(AidTopic.REF_VEHICLES, fleet)
        // what the vehicle says (§7.2)
        .on(AidTopic.AID2_UPLINK, provisioning::forVehicle, RequestActivationCode.class,
            ProfileDownloadInstallInfo.class)
        .on(AidTopic.AID2_UPLINK, profiles::forVehicle, CsimStatus.class, EnableProfileError.class,
            DisableProfileError.class, DeleteProfileResult.class)
        .on(AidTopic.AID2_UPLINK, operations::forVehicle, CsimInfoResult.class, DeleteAllProfilesResult.class)
        .on(AidTopic.AID2_UPLINK, downlink, VehiclePresence.class)
        // commands the user stage decided for the vehicle
        .on(AidTopic.INTERNAL_VEHICLES, downlink, VehicleCommand.class);
  }
}
