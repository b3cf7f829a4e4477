package org.aidcmp.projections;

import java.time.OffsetDateTime;
import org.aidcmp.schemas.vehicle.DownlinkCommandAnswered;
import org.aidcmp.schemas.vehicle.DownlinkCommandExpired;
import org.aidcmp.schemas.vehicle.InventoryEntry;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.aidcmp.schemas.vehicle.VehicleInventoryChanged;
import org.aidcmp.schemas.vehicle.VehicleOffline;
import org.aidcmp.schemas.vehicle.VehicleOnline;
import org.aidcmp.schemas.vehicle.VehicleRegistered;
import org.aidcmp.schemas.vehicle.VehicleRetired;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** aid.vehicle.events.v1 into vehicles and their eUICC inventories; the timeline is {@link Timeline}'s. */
final class VehicleProjection {
  private VehicleProjection() {}

  static void apply(Handle h, VehicleEvent event) {
    OffsetDateTime at = LifecycleProjection.at(event.getHeader().getOccurredAt());
    Object p = event.getPayload();
    if (p instanceof VehicleRegistered e) {
      h.createUpdate("INSERT INTO vehicles (vin, eid, imei, aid_enabled, registered, updated_at)"
              + " VALUES (:vin, :eid, :imei, :aid, true, :at)"
              + " ON CONFLICT (vin) DO UPDATE SET eid = EXCLUDED.eid, imei = EXCLUDED.imei,"
              + " aid_enabled = EXCLUDED.aid_enabled, registered = true, updated_at = EXCLUDED.updated_at")
          .bind("vin", e.getVin()).bind("eid", e.getEid()).bind("imei", e.getImei()).bind("aid", e.getAidEnabled())
          .bind("at", at).execute();
    } else if (p instanceof VehicleRetired e) {
      vehicle(h, e.getVin(), at);
      h.createUpdate("UPDATE vehicles SET registered = false WHERE vin = :vin").bind("vin", e.getVin()).execute();
    } else if (p instanceof VehicleInventoryChanged e) {
      vehicle(h, e.getVin(), at);
      h.createUpdate("UPDATE vehicles SET eid = :eid WHERE vin = :vin").bind("vin", e.getVin()).bind("eid", e.getEid())
          .execute();
      h.createUpdate("DELETE FROM vehicle_inventory WHERE vin = :vin").bind("vin", e.getVin()).execute();
      if (!e.getProfiles().isEmpty()) {
        PreparedBatch batch = h.prepareBatch("INSERT INTO vehicle_inventory (vin, iccid, cmp_user_id, state)"
            + " VALUES (:vin, :iccid, :u, :state) ON CONFLICT (vin, iccid) DO UPDATE SET"
            + " cmp_user_id = EXCLUDED.cmp_user_id, state = EXCLUDED.state");
        for (InventoryEntry entry : e.getProfiles()) {
          batch.bind("vin", e.getVin()).bind("iccid", entry.getIccid()).bind("u", entry.getCmpUserId())
              .bind("state", entry.getState().name()).add();
        }
        batch.execute();
      }
    } else if (p instanceof VehicleOnline e) {
      presence(h, e.getVin(), true, at);
    } else if (p instanceof VehicleOffline e) {
      presence(h, e.getVin(), false, at);
    } else if (p instanceof DownlinkCommandAnswered || p instanceof DownlinkCommandExpired) {
      return; // the timeline's alone
    } else {
      throw new IllegalArgumentException("no projection for " + p.getClass().getName());
    }
  }

  private static void vehicle(Handle h, String vin, OffsetDateTime at) {
    h.createUpdate("INSERT INTO vehicles (vin, registered, updated_at) VALUES (:vin, false, :at)"
            + " ON CONFLICT (vin) DO UPDATE SET updated_at = EXCLUDED.updated_at")
        .bind("vin", vin).bind("at", at).execute();
  }

  private static void presence(Handle h, String vin, boolean online, OffsetDateTime at) {
    vehicle(h, vin, at);
    h.createUpdate("UPDATE vehicles SET online = :online, presence_at = :at WHERE vin = :vin")
        .bind("vin", vin).bind("online", online).bind("at", at).execute();
  }
}
