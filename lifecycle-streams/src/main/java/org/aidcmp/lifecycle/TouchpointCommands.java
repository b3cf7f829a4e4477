package org.aidcmp.lifecycle;

import org.aidcmp.schemas.touchpoint.DeleteAllVehicleProfiles;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RequestVehicleCsimInfo;
import org.aidcmp.schemas.touchpoint.RetireVehicle;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;

/** The touchpoint topic carries user commands (key cmpUserId) and fleet commands (key VIN). */
public final class TouchpointCommands {
  private TouchpointCommands() {}

  public static boolean isFleetCommand(TouchpointCommand command) {
    Object p = command.getPayload();
    return p instanceof RegisterVehicle || p instanceof RetireVehicle || p instanceof RequestVehicleCsimInfo
        || p instanceof DeleteAllVehicleProfiles;
  }
}
