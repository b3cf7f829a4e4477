package org.aidcmp.lifecycle.vehicle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.internal.ProfilesGoneFromVehicle;
import org.aidcmp.schemas.state.InventoryEntryState;
import org.aidcmp.schemas.state.VehicleProfile;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.vehicle.DownlinkCommandAnswered;
import org.aidcmp.schemas.vehicle.InventoryEntry;
import org.aidcmp.schemas.vehicle.InventoryState;
import org.aidcmp.schemas.vehicle.VehicleInventoryChanged;

/**
 * Steps on a vehicle that several procedures take: the downlink it owns (every command kept until
 * answered), its eUICC inventory, profiles gone from it. Written once.
 */
public final class VehicleSteps {
  private VehicleSteps() {}

  /** Sent now and kept until the vehicle answers, to be sent again whenever it comes back online. */
  public static void send(VehicleChange c, Aid2Downlink downlink) {
    c.s.getPending().add(downlink);
    c.out.downlink(c.vin(), downlink);
  }

  /** The first pending command that matches got its answer; true if there was one. */
  public static boolean answered(VehicleChange c, Predicate<Aid2Downlink> which) {
    for (Aid2Downlink command : c.s.getPending()) {
      if (which.test(command)) {
        c.s.getPending().remove(command);
        c.out.vehicleEvent(c.vin(), new DownlinkCommandAnswered(c.vin(), command.getHeader().getMessageId(),
            command.getPayload().getClass().getSimpleName()));
        return true;
      }
    }
    return false;
  }

  public static void upsert(VehicleChange c, String iccid, String cmpUserId, InventoryEntryState state) {
    Optional<VehicleProfile> entry = entry(c, iccid);
    if (entry.isPresent()) {
      entry.get().setState(state);
      entry.get().setCmpUserId(cmpUserId);
    } else {
      c.s.getInventory().add(new VehicleProfile(iccid, cmpUserId, state));
    }
  }

  public static void inventoryChanged(VehicleChange c) {
    List<InventoryEntry> entries = new ArrayList<>(c.s.getInventory().size());
    for (VehicleProfile e : c.s.getInventory()) {
      entries.add(new InventoryEntry(e.getIccid(), e.getCmpUserId(), InventoryState.valueOf(e.getState().name())));
    }
    c.out.vehicleEvent(c.vin(), new VehicleInventoryChanged(c.vin(), eid(c), entries));
  }

  /** Profiles no longer on the eUICC: each user hears of theirs, to report to the MSP (§4.10, §4.11). */
  public static void gone(VehicleChange c, List<VehicleProfile> entries) {
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    for (VehicleProfile e : entries) {
      byUser.computeIfAbsent(e.getCmpUserId(), u -> new ArrayList<>()).add(e.getIccid());
      c.s.getInventory().remove(e);
    }
    byUser.forEach((cmpUserId, iccids) -> c.out.internal(AidTopic.INTERNAL_USERS, cmpUserId,
        new ProfilesGoneFromVehicle(cmpUserId, c.vin(), eid(c), iccids)));
    if (!entries.isEmpty()) {
      inventoryChanged(c);
    }
  }

  public static Optional<VehicleProfile> entry(VehicleChange c, String iccid) {
    for (VehicleProfile e : c.s.getInventory()) {
      if (e.getIccid().equals(iccid)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  public static VehicleRequestId requestId(VehicleChange c) {
    return new VehicleRequestId(c.vin(), c.now.getEpochSecond());
  }

  private static String eid(VehicleChange c) {
    return c.s.getEid() == null ? "" : c.s.getEid();
  }
}
