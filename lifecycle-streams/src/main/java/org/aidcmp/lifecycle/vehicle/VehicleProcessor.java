package org.aidcmp.lifecycle.vehicle;

import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.DecidingProcessor;
import org.aidcmp.lifecycle.Outputs;
import org.aidcmp.lifecycle.TouchpointCommands;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.internal.VehicleCommand;
import org.aidcmp.schemas.ref.VehicleReference;
import org.aidcmp.schemas.ref.VehicleRegistration;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.apache.avro.specific.SpecificRecord;

/** Applies {@link VehicleDecider} (key VIN). */
public final class VehicleProcessor extends DecidingProcessor<VehicleState> {
  public static final String NAME = "vehicle-lifecycle";
  public static final String STORE = "vehicles";

  private final VehicleDecider decider = new VehicleDecider();

  public VehicleProcessor() {
    super(NAME, STORE);
  }

  @Override
  protected boolean accepts(SpecificRecord value) {
    return !(value instanceof TouchpointCommand command) || TouchpointCommands.isFleetCommand(command);
  }

  @Override
  protected Decision<VehicleState> decide(String vin, VehicleState state, SpecificRecord value, Outputs out) {
    if (value instanceof TouchpointCommand command) {
      return decider.onFleetCommand(vin, state, command, out);
    }
    if (value instanceof Aid2Uplink uplink) {
      return decider.onUplink(vin, state, uplink, out);
    }
    if (value == null || value instanceof VehicleReference) {
      VehicleRegistration registration = value == null ? null : (VehicleRegistration) ((VehicleReference) value).getPayload();
      return decider.onRegistration(vin, state, registration, out);
    }
    if (value instanceof InternalMessage message && message.getPayload() instanceof VehicleCommand command) {
      return decider.onCommand(vin, state, command, out);
    }
    throw new IllegalArgumentException("the vehicle stage cannot take " + value.getSchema().getFullName());
  }
}
