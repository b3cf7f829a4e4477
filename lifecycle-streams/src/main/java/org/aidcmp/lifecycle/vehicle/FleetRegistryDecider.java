package org.aidcmp.lifecycle.vehicle;

import java.time.Instant;
import org.aidcmp.lifecycle.Decider;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.schemas.AidErrorCode;
import org.aidcmp.schemas.ref.VehicleRegistration;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RetireVehicle;
import org.aidcmp.schemas.vehicle.VehicleRegistered;
import org.aidcmp.schemas.vehicle.VehicleRetired;

/**
 * The fleet registry on the Vehicle aggregate (VIN, EID, IMEI, AiD enabled), fed by touchpoint fleet commands
 * (which get replies) and by aid.ref.vehicles.v1, a fleet system's compacted registry, where a tombstone
 * retires the vehicle. A tombstone anywhere else means nothing and never gets here.
 */
public final class FleetRegistryDecider implements Decider<VehicleState> {

  @Override
  public Decision<VehicleState> decide(VehicleState state, Message m, Instant now) {
    VehicleChange c = VehicleChange.of(state, m, now);
    Object payload = m.payload();
    if (payload instanceof RegisterVehicle r) {
      register(c, r.getEid(), r.getImei(), r.getAidEnabled());
      c.out.reply(201, null, null);
    } else if (payload instanceof RetireVehicle) {
      if (!registeredOrRefused(c)) {
        return c.unchanged();
      }
      retire(c);
      c.out.reply(200, null, null);
    } else if (payload instanceof VehicleRegistration registration) {
      register(c, registration.getEid(), registration.getImei(), registration.getAidEnabled());
    } else if (payload == null && AidTopic.REF_VEHICLES.topicName().equals(m.topic())) {
      if (!c.s.getRegistered()) {
        return c.unchanged();
      }
      retire(c);
    } else {
      throw new IllegalArgumentException("the fleet registry does not take " + m.describe() + " from " + m.topic());
    }
    return c.decision();
  }

  /** A fleet command for a vehicle not registered is refused 404 and changes nothing. */
  public static boolean registeredOrRefused(VehicleChange c) {
    if (c.s.getRegistered()) {
      return true;
    }
    c.out.reply(404, AidErrorCode.VEHICLE_NOT_REGISTERED.toErrorInfo(), null);
    return false;
  }

  private static void register(VehicleChange c, String eid, String imei, boolean aidEnabled) {
    c.s.setRegistered(true);
    c.s.setEid(eid);
    c.s.setImei(imei);
    c.s.setAidEnabled(aidEnabled);
    c.out.vehicleEvent(c.vin(), new VehicleRegistered(c.vin(), eid, imei, aidEnabled));
  }

  private static void retire(VehicleChange c) {
    c.s.setRegistered(false);
    c.s.setAidEnabled(false);
    c.out.vehicleEvent(c.vin(), new VehicleRetired(c.vin()));
  }
}
