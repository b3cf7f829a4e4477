package org.aidcmp.lifecycle.vehicle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Outputs;
import org.aidcmp.schemas.AidErrorCode;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.CsimInfoResult;
import org.aidcmp.schemas.aid2.CsimProfile;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestCsimInfoResult;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfiles;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehiclePresence;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.internal.ProfilesGoneFromVehicle;
import org.aidcmp.schemas.internal.VehicleCommand;
import org.aidcmp.schemas.ref.VehicleRegistration;
import org.aidcmp.schemas.state.InventoryEntryState;
import org.aidcmp.schemas.state.VehicleProfile;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.DeleteAllVehicleProfiles;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RequestVehicleCsimInfo;
import org.aidcmp.schemas.touchpoint.RetireVehicle;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.aidcmp.schemas.vehicle.DownlinkCommandAnswered;
import org.aidcmp.schemas.vehicle.InventoryEntry;
import org.aidcmp.schemas.vehicle.InventoryState;
import org.aidcmp.schemas.vehicle.VehicleInventoryChanged;
import org.aidcmp.schemas.vehicle.VehicleOffline;
import org.aidcmp.schemas.vehicle.VehicleOnline;
import org.aidcmp.schemas.vehicle.VehicleRegistered;
import org.aidcmp.schemas.vehicle.VehicleRetired;

/**
 * The Vehicle aggregate's transitions (key VIN): the fleet registry (VIN, EID, IMEI, AiD enabled), the
 * eUICC inventory as the vehicle reports it, and the downlink: every command for a vehicle goes out from
 * here and is kept until the vehicle answers, to be sent again whenever it comes back online (§4.4 end
 * condition c: a vehicle offline for weeks still gets its delete). It checks a vehicle's request for an AC
 * (§7.2.1 UNKNOWN_VIN / UNKNOWN_EID / UNKNOWN_IMEI) before the user stage decides the rest.
 */
public final class VehicleDecider {

  // ---------------------------------------------------------------------------------------------------
  // Fleet registry

  public Decision<VehicleState> onFleetCommand(String vin, VehicleState state, TouchpointCommand command,
      Outputs out) {
    VehicleState s = copyOrNew(vin, state);
    Object payload = command.getPayload();
    if (payload instanceof RegisterVehicle r) {
      register(s, r.getEid(), r.getImei(), r.getAidEnabled(), out);
      out.reply(201, null, null);
      return out.decide(s);
    }
    if (!s.getRegistered()) {
      out.reply(404, AidErrorCode.VEHICLE_NOT_REGISTERED.toErrorInfo(), null);
      return out.decide(state);
    }
    if (payload instanceof RetireVehicle) {
      retire(s, out);
      out.reply(200, null, null);
    } else if (payload instanceof RequestVehicleCsimInfo) {
      send(s, new Aid2Downlink(out.nextHeaderFor("downlink"), new RequestCsimInfo(requestId(vin, out))), out);
      out.reply(202, null, null);
    } else if (payload instanceof DeleteAllVehicleProfiles) {
      send(s, new Aid2Downlink(out.nextHeaderFor("downlink"), new RequestDeleteAllProfiles(requestId(vin, out))), out);
      out.reply(202, null, null);
    } else {
      out.reply(422, AidErrorCode.INVALID_REQUEST_SYNTAX.toErrorInfo(), null);
    }
    return out.decide(s);
  }

  /** aid.ref.vehicles.v1: the registry as a fleet system publishes it; a tombstone retires the vehicle. */
  public Decision<VehicleState> onRegistration(String vin, VehicleState state, VehicleRegistration registration,
      Outputs out) {
    VehicleState s = copyOrNew(vin, state);
    if (registration == null) {
      if (s.getRegistered()) {
        retire(s, out);
      }
      return out.decide(s);
    }
    register(s, registration.getEid(), registration.getImei(), registration.getAidEnabled(), out);
    return out.decide(s);
  }

  private static void register(VehicleState s, String eid, String imei, boolean aidEnabled, Outputs out) {
    s.setRegistered(true);
    s.setEid(eid);
    s.setImei(imei);
    s.setAidEnabled(aidEnabled);
    out.vehicleEvent(s.getVin(), new VehicleRegistered(s.getVin(), eid, imei, aidEnabled));
  }

  private static void retire(VehicleState s, Outputs out) {
    s.setRegistered(false);
    s.setAidEnabled(false);
    out.vehicleEvent(s.getVin(), new VehicleRetired(s.getVin()));
  }

  // ---------------------------------------------------------------------------------------------------
  // Commands from the user stage

  public Decision<VehicleState> onCommand(String vin, VehicleState state, VehicleCommand command, Outputs out) {
    VehicleState s = copyOrNew(vin, state);
    Aid2Downlink downlink = command.getDownlink();
    if (downlink.getPayload() instanceof VehicleRequestError) {
      out.downlink(vin, downlink); // an answer, not a command: nothing comes back to wait for
      return out.decide(s);
    }
    if (downlink.getPayload() instanceof RequestDeleteProfile d) {
      entry(s, d.getIccid()).ifPresent(e -> e.setState(InventoryEntryState.DELETE_PENDING));
    }
    send(s, downlink, out);
    return out.decide(s);
  }

  private static void send(VehicleState s, Aid2Downlink downlink, Outputs out) {
    s.getPending().add(downlink);
    out.downlink(s.getVin(), downlink);
  }

  // ---------------------------------------------------------------------------------------------------
  // What the vehicle says (§7.2)

  public Decision<VehicleState> onUplink(String vin, VehicleState state, Aid2Uplink uplink, Outputs out) {
    VehicleState s = copyOrNew(vin, state);
    s.setLastSeen(out.at());
    Object payload = uplink.getPayload();
    if (payload instanceof VehiclePresence presence) {
      presence(s, presence.getOnline(), out);
    } else if (payload instanceof RequestActivationCode r) {
      requestActivationCode(s, r, uplink, out);
    } else if (payload instanceof ProfileDownloadInstallInfo info) {
      boolean success = info.getDownloadInstallResult() == DownloadInstallResult.SUCCESS;
      if (info.getIccid() != null) {
        upsert(s, info.getIccid(), info.getCmpUserId(),
            success ? InventoryEntryState.INSTALLED : InventoryEntryState.INSTALL_FAILED);
        inventoryChanged(s, out);
      }
      answered(s, d -> d.getPayload() instanceof SendActivationCodeToVehicle a
          && a.getCmpUserId().equals(info.getCmpUserId()), out);
      out.internal(AidTopic.INTERNAL_USERS, info.getCmpUserId(), uplink);
    } else if (payload instanceof CsimStatus status) {
      csimStatus(s, status, uplink, out);
    } else if (payload instanceof EnableProfileError e) {
      out.internal(AidTopic.INTERNAL_USERS, e.getProfile().getCmpUserId(), uplink);
    } else if (payload instanceof DisableProfileError e) {
      out.internal(AidTopic.INTERNAL_USERS, e.getProfile().getCmpUserId(), uplink);
    } else if (payload instanceof DeleteProfileResult result) {
      deleteProfileResult(s, result, uplink, out);
    } else if (payload instanceof CsimInfoResult result) {
      if (result.getRequestCsimInfoResult() != RequestCsimInfoResult.SUCCESS) {
        answered(s, d -> d.getPayload() instanceof RequestCsimInfo, out);
      }
    } else if (payload instanceof DeleteAllProfilesResult result) {
      answered(s, d -> d.getPayload() instanceof RequestDeleteAllProfiles, out);
      if (result.getRequestDeleteProfileResult() != RequestDeleteAllProfilesResult.FAILED) {
        gone(s, List.copyOf(s.getInventory()), out);
      }
    }
    return out.decide(s);
  }

  /** Online: every command still unanswered goes out again, with its own id, so the vehicle can spot a repeat. */
  private static void presence(VehicleState s, boolean online, Outputs out) {
    s.setOnline(online);
    if (!online) {
      out.vehicleEvent(s.getVin(), new VehicleOffline(s.getVin()));
      return;
    }
    out.vehicleEvent(s.getVin(), new VehicleOnline(s.getVin()));
    s.getPending().forEach(command -> out.downlink(s.getVin(), command));
  }

  /** §7.2.1: the vehicle's part of the checks; the user's part is the user stage's. */
  private static void requestActivationCode(VehicleState s, RequestActivationCode r, Aid2Uplink uplink, Outputs out) {
    Aid2Error error = null;
    if (!s.getRegistered() || !s.getAidEnabled()) {
      error = Aid2Error.UNKNOWN_VIN;
    } else if (!r.getEid().equals(s.getEid())) {
      error = Aid2Error.UNKNOWN_EID;
    } else if (r.getImei() != null && !r.getImei().isEmpty() && s.getImei() != null && !r.getImei().equals(s.getImei())) {
      error = Aid2Error.UNKNOWN_IMEI;
    }
    if (error != null) {
      out.downlink(s.getVin(), new Aid2Downlink(out.nextHeaderFor("downlink"),
          new VehicleRequestError(r.getRequestId(), r.getCmpUserId(), error, null)));
      return;
    }
    out.internal(AidTopic.INTERNAL_USERS, r.getCmpUserId(), uplink);
  }

  /**
   * §7.2.3 Send CSIM status. Each user's profiles go to that user. As the answer to Request CSIM info (§4.10)
   * it is the eUICC's whole inventory: what we believed there and is not listed is gone.
   */
  private static void csimStatus(VehicleState s, CsimStatus status, Aid2Uplink uplink, Outputs out) {
    boolean fullInventory = answered(s, d -> d.getPayload() instanceof RequestCsimInfo, out);
    Map<String, List<CsimProfile>> byUser = new LinkedHashMap<>();
    for (CsimProfile p : status.getProfiles()) {
      byUser.computeIfAbsent(p.getCmpUserId(), u -> new ArrayList<>()).add(p);
      if (p.getProfileStatus() == VehicleProfileStatus.DELETED) {
        s.getInventory().removeIf(e -> e.getIccid().equals(p.getIccid()));
      } else {
        upsert(s, p.getIccid(), p.getCmpUserId(), p.getProfileStatus() == VehicleProfileStatus.ENABLED
            ? InventoryEntryState.ENABLED : InventoryEntryState.DISABLED);
      }
    }
    if (fullInventory) {
      List<VehicleProfile> missing = s.getInventory().stream()
          .filter(e -> status.getProfiles().stream().noneMatch(p -> p.getIccid().equals(e.getIccid())))
          .toList();
      gone(s, missing, out);
    }
    byUser.forEach((cmpUserId, profiles) -> {
      CsimStatus mine = CsimStatus.newBuilder(status).setProfiles(profiles).build();
      out.internal(AidTopic.INTERNAL_USERS, cmpUserId, new Aid2Uplink(uplink.getHeader(), mine));
    });
    inventoryChanged(s, out);
  }

  private static void deleteProfileResult(VehicleState s, DeleteProfileResult result, Aid2Uplink uplink,
      Outputs out) {
    answered(s, d -> d.getPayload() instanceof RequestDeleteProfile r && r.getIccid().equals(result.getIccid()), out);
    Optional<VehicleProfile> entry = entry(s, result.getIccid());
    String cmpUserId = result.getCmpUserId() != null
        ? result.getCmpUserId()
        : entry.map(VehicleProfile::getCmpUserId).orElse(null);
    if (result.getRequestDeleteProfileResult() != RequestDeleteProfileResult.FAILED) {
      s.getInventory().removeIf(e -> e.getIccid().equals(result.getIccid()));
      inventoryChanged(s, out);
    }
    if (cmpUserId != null) {
      out.internal(AidTopic.INTERNAL_USERS, cmpUserId, uplink);
    }
  }

  /** Profiles no longer on the eUICC: each user hears of theirs, to report to the MSP (§4.11). */
  private static void gone(VehicleState s, List<VehicleProfile> entries, Outputs out) {
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    for (VehicleProfile e : entries) {
      byUser.computeIfAbsent(e.getCmpUserId(), u -> new ArrayList<>()).add(e.getIccid());
      s.getInventory().remove(e);
    }
    byUser.forEach((cmpUserId, iccids) -> out.internal(AidTopic.INTERNAL_USERS, cmpUserId,
        new ProfilesGoneFromVehicle(cmpUserId, s.getVin(), s.getEid() == null ? "" : s.getEid(), iccids)));
    if (!entries.isEmpty()) {
      inventoryChanged(s, out);
    }
  }

  /** The first pending command that matches got its answer; true if there was one. */
  private static boolean answered(VehicleState s, Predicate<Aid2Downlink> which, Outputs out) {
    Optional<Aid2Downlink> command = s.getPending().stream().filter(which).findFirst();
    command.ifPresent(c -> {
      s.getPending().remove(c);
      out.vehicleEvent(s.getVin(), new DownlinkCommandAnswered(s.getVin(), c.getHeader().getMessageId(),
          c.getPayload().getClass().getSimpleName()));
    });
    return command.isPresent();
  }

  private static void upsert(VehicleState s, String iccid, String cmpUserId, InventoryEntryState state) {
    Optional<VehicleProfile> entry = entry(s, iccid);
    if (entry.isPresent()) {
      entry.get().setState(state);
      entry.get().setCmpUserId(cmpUserId);
    } else {
      s.getInventory().add(new VehicleProfile(iccid, cmpUserId, state));
    }
  }

  private static void inventoryChanged(VehicleState s, Outputs out) {
    List<InventoryEntry> entries = s.getInventory().stream()
        .map(e -> new InventoryEntry(e.getIccid(), e.getCmpUserId(), InventoryState.valueOf(e.getState().name())))
        .toList();
    out.vehicleEvent(s.getVin(), new VehicleInventoryChanged(s.getVin(), s.getEid() == null ? "" : s.getEid(), entries));
  }

  private static Optional<VehicleProfile> entry(VehicleState s, String iccid) {
    return s.getInventory().stream().filter(e -> e.getIccid().equals(iccid)).findFirst();
  }

  private static VehicleRequestId requestId(String vin, Outputs out) {
    return new VehicleRequestId(vin, out.at().getEpochSecond());
  }

  /** A copy to change (Avro's defaults and decoded arrays are not all mutable): the input state stays as it was. */
  static VehicleState copyOrNew(String vin, VehicleState state) {
    VehicleState s = state == null
        ? VehicleState.newBuilder().setVin(vin).build()
        : VehicleState.newBuilder(state).build();
    s.setInventory(new ArrayList<>(s.getInventory()));
    s.setPending(new ArrayList<>(s.getPending()));
    return s;
  }
}
