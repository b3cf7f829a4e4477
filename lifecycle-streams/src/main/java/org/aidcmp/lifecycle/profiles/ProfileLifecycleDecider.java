package org.aidcmp.lifecycle.profiles;

import static org.aidcmp.lifecycle.user.UserQueries.federation;
import static org.aidcmp.lifecycle.user.UserQueries.profile;
import static org.aidcmp.lifecycle.user.UserQueries.ref;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.user.ProfileSteps;
import org.aidcmp.lifecycle.user.UserChange;
import org.aidcmp.lifecycle.vehicle.VehicleChange;
import org.aidcmp.lifecycle.vehicle.VehicleSteps;
import org.aidcmp.schemas.AidErrorCode;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.MspProfileStatus;
import org.aidcmp.schemas.aid1.ProfileInformation;
import org.aidcmp.schemas.aid1.ProfileStatusReceived;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.aid1.SendProfileInformation;
import org.aidcmp.schemas.aid1.UpdateSubscriptionInfo;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.CsimProfile;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.common.ProfileInformationStatus;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.lifecycle.DeleteReason;
import org.aidcmp.schemas.lifecycle.ProfileDisableFailed;
import org.aidcmp.schemas.lifecycle.ProfileDisabled;
import org.aidcmp.schemas.lifecycle.ProfileEnableFailed;
import org.aidcmp.schemas.lifecycle.ProfileEnabled;
import org.aidcmp.schemas.lifecycle.ProfileMspStatusChanged;
import org.aidcmp.schemas.lifecycle.ProfileReconciliation;
import org.aidcmp.schemas.lifecycle.ProfilesReconciled;
import org.aidcmp.schemas.lifecycle.SubscriptionUpdated;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.InventoryEntryState;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.state.VehicleProfile;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.DeleteProfile;
import org.aidcmp.schemas.touchpoint.SyncProfileStatus;

/**
 * The profile lifecycle after provisioning, over both aggregates: delete one profile (§4.5, §7.2.4), status
 * synchronisation with the MSP (§4.6, §7.1.11), profile information from the MSP (§4.7, §7.1.6), subscription
 * info (§4.8, §7.1.7), enable / disable and what the vehicle reports of them (§4.9, §7.2.3 CSIM status,
 * §7.2.5, §7.2.6), each reported to the MSP as configured (§7.1.9).
 */
public final class ProfileLifecycleDecider {
  private final LifecycleSettings settings;

  public ProfileLifecycleDecider(LifecycleSettings settings) {
    this.settings = settings;
  }

  // ---------------------------------------------------------------------------------------------------
  // The Vehicle aggregate's part (key VIN): the inventory, and each user hears of theirs

  public Decision<VehicleState> forVehicle(VehicleState state, Message m, Instant now) {
    VehicleChange c = VehicleChange.of(state, m, now);
    Aid2Uplink uplink = (Aid2Uplink) m.envelope();
    Object payload = m.payload();
    if (payload instanceof CsimStatus status) {
      csimStatus(c, status, uplink);
    } else if (payload instanceof EnableProfileError e) {
      c.out.internal(AidTopic.INTERNAL_USERS, e.getProfile().getCmpUserId(), uplink);
    } else if (payload instanceof DisableProfileError e) {
      c.out.internal(AidTopic.INTERNAL_USERS, e.getProfile().getCmpUserId(), uplink);
    } else if (payload instanceof DeleteProfileResult result) {
      deleteProfileResult(c, result, uplink);
    } else {
      throw new IllegalArgumentException("the profile lifecycle does not take " + m.describe() + " for a vehicle");
    }
    return c.decision();
  }

  /**
   * §7.2.3 Send CSIM status. Each user's profiles go to that user. As the answer to Request CSIM info (§4.10)
   * it is the eUICC's whole inventory: what we believed there and is not listed is gone.
   */
  private static void csimStatus(VehicleChange c, CsimStatus status, Aid2Uplink uplink) {
    boolean fullInventory = VehicleSteps.answered(c, d -> d.getPayload() instanceof RequestCsimInfo);
    Map<String, List<CsimProfile>> byUser = new LinkedHashMap<>();
    for (CsimProfile p : status.getProfiles()) {
      byUser.computeIfAbsent(p.getCmpUserId(), u -> new ArrayList<>()).add(p);
      if (p.getProfileStatus() == VehicleProfileStatus.DELETED) {
        c.s.getInventory().removeIf(e -> e.getIccid().equals(p.getIccid()));
      } else {
        VehicleSteps.upsert(c, p.getIccid(), p.getCmpUserId(), p.getProfileStatus() == VehicleProfileStatus.ENABLED
            ? InventoryEntryState.ENABLED : InventoryEntryState.DISABLED);
      }
    }
    if (fullInventory) {
      List<VehicleProfile> missing = new ArrayList<>();
      for (VehicleProfile e : c.s.getInventory()) {
        if (status.getProfiles().stream().noneMatch(p -> p.getIccid().equals(e.getIccid()))) {
          missing.add(e);
        }
      }
      VehicleSteps.gone(c, missing);
    }
    byUser.forEach((cmpUserId, profiles) -> {
      CsimStatus mine = CsimStatus.newBuilder(status).setProfiles(profiles).build();
      c.out.internal(AidTopic.INTERNAL_USERS, cmpUserId, new Aid2Uplink(uplink.getHeader(), mine));
    });
    VehicleSteps.inventoryChanged(c);
  }

  private static void deleteProfileResult(VehicleChange c, DeleteProfileResult result, Aid2Uplink uplink) {
    VehicleSteps.answered(c, d -> d.getPayload() instanceof RequestDeleteProfile r
        && r.getIccid().equals(result.getIccid()));
    Optional<VehicleProfile> entry = VehicleSteps.entry(c, result.getIccid());
    String cmpUserId = result.getCmpUserId() != null
        ? result.getCmpUserId()
        : entry.map(VehicleProfile::getCmpUserId).orElse(null);
    if (result.getRequestDeleteProfileResult() != RequestDeleteProfileResult.FAILED) {
      c.s.getInventory().removeIf(e -> e.getIccid().equals(result.getIccid()));
      VehicleSteps.inventoryChanged(c);
    }
    if (cmpUserId != null) {
      c.out.internal(AidTopic.INTERNAL_USERS, cmpUserId, uplink);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // The User aggregate's part (key cmpUserId)

  public Decision<UserState> forUser(UserState state, Message m, Instant now) {
    Object payload = m.payload();
    boolean request = payload instanceof DeleteProfile || payload instanceof SyncProfileStatus
        || payload instanceof SendProfileInformation || payload instanceof UpdateSubscriptionInfo;
    if (state == null && !request) {
      return Decision.unchanged(null); // a result or a vehicle's report about a user that does not exist
    }
    UserChange c = UserChange.of(state, m, now, settings);
    if (payload instanceof DeleteProfile d) {
      deleteProfile(c, d);
    } else if (payload instanceof SyncProfileStatus sync) {
      syncProfileStatus(c, sync);
    } else if (payload instanceof SendProfileInformation info) {
      sendProfileInformation(c, info);
    } else if (payload instanceof UpdateSubscriptionInfo u) {
      updateSubscriptionInfo(c, u);
    } else if (payload instanceof ProfileStatusReceived statuses) {
      reconcile(c, statuses);
    } else if (payload instanceof CsimStatus status) {
      for (CsimProfile p : status.getProfiles()) {
        if (c.cmpUserId().equals(p.getCmpUserId())) {
          reported(c, p, status.getRequestId().getVehicleId());
        }
      }
    } else if (payload instanceof EnableProfileError e) {
      profile(c.s, e.getProfile().getIccid()).ifPresent(p ->
          c.out.event(c.cmpUserId(), new ProfileEnableFailed(ref(c.s, p), e.getCsimErrorCode())));
    } else if (payload instanceof DisableProfileError e) {
      profile(c.s, e.getProfile().getIccid()).ifPresent(p ->
          c.out.event(c.cmpUserId(), new ProfileDisableFailed(ref(c.s, p), e.getCsimErrorCode())));
    } else if (payload instanceof DeleteProfileResult result) {
      // Not found on the eUICC, or not for this user there: either way the profile is not in that vehicle.
      if (result.getRequestDeleteProfileResult() != RequestDeleteProfileResult.FAILED) {
        ProfileSteps.profileGone(c, result.getIccid());
      }
    } else {
      throw new IllegalArgumentException("the profile lifecycle does not take " + m.describe() + " for a user");
    }
    return c.decision();
  }

  /** §4.5 [3]-[4]: delete one profile on one vehicle. */
  private static void deleteProfile(UserChange c, DeleteProfile d) {
    Optional<Profile> profile = profile(c.s, d.getIccid()).filter(p -> p.getVin().equals(d.getVin()));
    if (profile.isEmpty()) {
      c.answer(404, AidErrorCode.PROFILE_NOT_FOUND.toErrorInfo(d.getIccid()), null);
      return;
    }
    ProfileSteps.deleteUnlessPending(c, profile.get(), DeleteReason.USER_REQUEST);
    c.answer(202);
  }

  /** §4.6 [1]: ask the MSP for its view of the token's profiles. */
  private static void syncProfileStatus(UserChange c, SyncProfileStatus sync) {
    Optional<Federation> federation = federation(c.s, sync.getMspToken());
    if (federation.isEmpty()) {
      c.answer(404, AidErrorCode.MSP_TOKEN_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    c.out.toMsp(c.cmpUserId(), sync.getMspToken(),
        new RequestProfileStatus(federation.get().getMspId(), sync.getMspToken(), sync.getIccid()));
    c.answer(202);
  }

  /** §7.1.6 / §4.7: invalid -> delete from the vehicle; suspended / valid -> recorded for customer care. */
  private static void sendProfileInformation(UserChange c, SendProfileInformation info) {
    for (ProfileInformation p : info.getProfiles()) {
      if (profile(c.s, p.getIccid()).filter(x -> x.getMspToken().equals(info.getMspToken())).isEmpty()) {
        // Nothing half-done: one unknown ICCID refuses the whole call.
        c.answer(404, AidErrorCode.PROFILE_NOT_FOUND.toErrorInfo(p.getIccid()), null);
        return;
      }
    }
    for (ProfileInformation p : info.getProfiles()) {
      Profile profile = profile(c.s, p.getIccid()).orElseThrow();
      profile.setMspStatus(p.getStatus());
      profile.setMspStatusReason(p.getReason());
      c.out.event(c.cmpUserId(), new ProfileMspStatusChanged(ref(c.s, profile), p.getStatus(), p.getReason()));
      if (p.getStatus() == ProfileInformationStatus.INVALID) {
        ProfileSteps.invalidateAndDelete(c, profile, DeleteReason.MSP_INVALID);
      }
    }
    c.answer(200);
  }

  /** §7.1.7 / §4.8. */
  private static void updateSubscriptionInfo(UserChange c, UpdateSubscriptionInfo u) {
    Optional<Federation> federation = federation(c.s, u.getMspToken());
    if (federation.isEmpty()) {
      c.answer(404, AidErrorCode.MSP_TOKEN_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    Federation f = federation.get();
    if (u.getPhoneNumber() != null) {
      f.setPhoneNumber(u.getPhoneNumber());
    }
    if (u.getSubscriptionType() != null) {
      f.setSubscriptionType(u.getSubscriptionType());
    }
    if (u.getCustomerGroup() != null) {
      f.setCustomerGroup(u.getCustomerGroup());
    }
    c.out.event(c.cmpUserId(), new SubscriptionUpdated(c.cmpUserId(), u.getMspToken(), u.getPhoneNumber(),
        u.getSubscriptionType(), u.getCustomerGroup()));
    c.answer(201);
  }

  /**
   * §4.6 [3], the rule chosen: the MSP's list is the truth about which profiles exist. A live profile of ours
   * that the MSP no longer lists (for the ICCID asked, or at all) can never give service: it becomes invalid
   * and is deleted from its vehicle. A profile the MSP lists and we do not know (e.g. "prepared", not yet
   * downloaded) is reported, not acted on. The MSP's enabled/disabled states are recorded in the event only:
   * the vehicle's own Send CSIM status stays authoritative for those (§7.1.11 remark).
   */
  private static void reconcile(UserChange c, ProfileStatusReceived statuses) {
    String token = statuses.getCommand().getMspToken();
    if (federation(c.s, token).isEmpty()) {
      return;
    }
    Map<String, MspProfileStatus> msp = new HashMap<>();
    statuses.getProfiles().forEach(p -> msp.put(p.getIccid(), p));
    List<ProfileReconciliation> changes = new ArrayList<>();
    for (Profile p : List.copyOf(c.s.getProfiles())) {
      boolean asked = statuses.getRequestedIccid() == null || statuses.getRequestedIccid().equals(p.getIccid());
      if (!p.getMspToken().equals(token) || !asked) {
        continue;
      }
      MspProfileStatus theirs = msp.get(p.getIccid());
      if (theirs == null) {
        changes.add(new ProfileReconciliation(p.getIccid(), p.getState().name(), null));
        ProfileSteps.invalidateAndDelete(c, p, DeleteReason.RECONCILIATION);
      } else if (!theirs.getStatus().name().equals(p.getState().name())) {
        changes.add(new ProfileReconciliation(p.getIccid(), p.getState().name(), theirs.getStatus().name()));
      }
    }
    for (MspProfileStatus theirs : statuses.getProfiles()) {
      if (profile(c.s, theirs.getIccid()).isEmpty()) {
        changes.add(new ProfileReconciliation(theirs.getIccid(), null, theirs.getStatus().name()));
      }
    }
    c.out.event(c.cmpUserId(), new ProfilesReconciled(c.cmpUserId(), token, changes));
  }

  /**
   * §7.2.3 (vehicle) / §4.9: enabled, disabled, deleted. A CSIM status lists every profile on the eUICC, so a
   * profile reported as it already was is no news: no event, nothing told to its MSP. While a delete is on its way
   * (§7.2.4: swapped out, invalid, withdrawn, deleted by its user; DELETE_PENDING) the car still enables and
   * disables the profile until it deleted it: that is news against what the car reported last
   * ({@code reportedStatus}), and the state stays DELETE_PENDING. Setting it back to ENABLED there, as this did,
   * lost the pending delete and made the car's next listing of the profile a second ProfileEnabled (the
   * streams-kill and msp-down drills).
   */
  private static void reported(UserChange c, CsimProfile reported, String vin) {
    Optional<Profile> profile = profile(c.s, reported.getIccid()).filter(p -> p.getVin().equals(vin));
    if (profile.isEmpty()) {
      return;
    }
    Profile p = profile.get();
    VehicleProfileStatus status = reported.getProfileStatus();
    boolean deletePending = p.getState() == org.aidcmp.schemas.state.ProfileState.DELETE_PENDING;
    String known = !deletePending ? p.getState().name()
        : p.getReportedStatus() == null ? null : p.getReportedStatus().name();
    if (status.name().equals(known)) {
      return;
    }
    boolean wasEnabled = deletePending ? p.getReportedStatus() == VehicleProfileStatus.ENABLED
        : p.getState() == org.aidcmp.schemas.state.ProfileState.ENABLED;
    switch (status) {
      case ENABLED -> {
        if (!deletePending) {
          p.setState(org.aidcmp.schemas.state.ProfileState.ENABLED);
        }
        p.setReportedStatus(VehicleProfileStatus.ENABLED);
        p.setLastUsed(c.now);
        c.out.event(c.cmpUserId(), new ProfileEnabled(ref(c.s, p)));
        ProfileSteps.tellMsp(c, p, CsimStatusValue.ENABLED);
      }
      case DISABLED -> {
        if (wasEnabled) {
          p.setLastUsed(c.now);
        }
        if (!deletePending) {
          p.setState(org.aidcmp.schemas.state.ProfileState.DISABLED);
        }
        p.setReportedStatus(VehicleProfileStatus.DISABLED);
        c.out.event(c.cmpUserId(), new ProfileDisabled(ref(c.s, p)));
        ProfileSteps.tellMsp(c, p, CsimStatusValue.DISABLED);
      }
      case DELETED -> ProfileSteps.profileGone(c, p.getIccid());
      default -> { }
    }
  }
}
