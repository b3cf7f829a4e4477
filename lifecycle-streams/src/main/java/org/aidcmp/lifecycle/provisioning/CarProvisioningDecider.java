package org.aidcmp.lifecycle.provisioning;

import static org.aidcmp.lifecycle.user.UserQueries.inFlight;
import static org.aidcmp.lifecycle.user.UserQueries.profile;
import static org.aidcmp.lifecycle.user.UserQueries.ref;
import static org.aidcmp.lifecycle.user.UserQueries.subscriptionForVehicles;

import java.time.Instant;
import java.util.Optional;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Records;
import org.aidcmp.lifecycle.user.ProfileSteps;
import org.aidcmp.lifecycle.user.UserChange;
import org.aidcmp.lifecycle.vehicle.VehicleChange;
import org.aidcmp.lifecycle.vehicle.VehicleSteps;
import org.aidcmp.schemas.AidErrorCode;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.ActivationCodeRequestAccepted;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.MspCallRejected;
import org.aidcmp.schemas.aid1.SendActivationCode;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailure;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.aidcmp.schemas.lifecycle.DeleteReason;
import org.aidcmp.schemas.lifecycle.ProfileInstallFailed;
import org.aidcmp.schemas.lifecycle.ProfileInstalled;
import org.aidcmp.schemas.lifecycle.ProfileRef;
import org.aidcmp.schemas.lifecycle.ProfileSwapped;
import org.aidcmp.schemas.state.ActivationCodeInFlight;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.InventoryEntryState;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.ProfileState;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;

/**
 * Car provisioning (§4.3) with the profile swap (§4.3.1) and Request activation code (§7.1.8), the whole path
 * over both aggregates:
 *
 * <ol>
 *   <li>{@link #forVehicle}: the vehicle's Request activation code (§7.2.1) is checked against the fleet
 *       registry (UNKNOWN_VIN, UNKNOWN_EID, UNKNOWN_IMEI) and passed to its user;
 *   <li>{@link #forUser}: the user, subscription and terms are checked (UNKNOWN_USER, NO_SUBSCRIPTION_FOUND,
 *       TERMS_NOT_ACCEPTED), the §4.3.1 candidate chosen and the MSP asked (one request per user and vehicle in
 *       flight); its answer, synchronous (§7.1.8.1), accepted (§7.1.8.2) then sent (§7.1.8.2.1), refused or
 *       given up, or the deadline passing, ends the request: the AC, or NO_ACTIVATION_CODE_AVAILALE, to the
 *       vehicle; a swapped profile is invalidated and deleted;
 *   <li>the vehicle's download and install info (§7.2.3) ends it on both: the inventory, then the profile.
 * </ol>
 */
public final class CarProvisioningDecider {
  private final LifecycleSettings settings;

  public CarProvisioningDecider(LifecycleSettings settings) {
    this.settings = settings;
  }

  // ---------------------------------------------------------------------------------------------------
  // The Vehicle aggregate's part (key VIN)

  public Decision<VehicleState> forVehicle(VehicleState state, Message m, Instant now) {
    VehicleChange c = VehicleChange.of(state, m, now);
    Aid2Uplink uplink = (Aid2Uplink) m.envelope();
    if (m.payload() instanceof RequestActivationCode r) {
      checkVehicle(c, r, uplink);
    } else if (m.payload() instanceof ProfileDownloadInstallInfo info) {
      installInfo(c, info, uplink);
    } else {
      throw new IllegalArgumentException("car provisioning does not take " + m.describe() + " for a vehicle");
    }
    return c.decision();
  }

  /** §7.2.1: the vehicle's part of the checks; the user's part follows in the user stage. */
  private static void checkVehicle(VehicleChange c, RequestActivationCode r, Aid2Uplink uplink) {
    VehicleState s = c.s;
    Aid2Error error = null;
    if (!s.getRegistered() || !s.getAidEnabled()) {
      error = Aid2Error.UNKNOWN_VIN;
    } else if (!r.getEid().equals(s.getEid())) {
      error = Aid2Error.UNKNOWN_EID;
    } else if (r.getImei() != null && !r.getImei().isEmpty() && s.getImei() != null && !r.getImei().equals(s.getImei())) {
      error = Aid2Error.UNKNOWN_IMEI;
    }
    if (error != null) {
      c.out.downlink(c.vin(), new Aid2Downlink(c.out.nextHeader("downlink"),
          new VehicleRequestError(r.getRequestId(), r.getCmpUserId(), error, null)));
      return;
    }
    c.out.internal(AidTopic.INTERNAL_USERS, r.getCmpUserId(), uplink);
  }

  /** §7.2.3: the inventory learns the result; the AC sent is answered; the user records the profile. */
  private static void installInfo(VehicleChange c, ProfileDownloadInstallInfo info, Aid2Uplink uplink) {
    boolean success = info.getDownloadInstallResult() == DownloadInstallResult.SUCCESS;
    if (info.getIccid() != null) {
      VehicleSteps.upsert(c, info.getIccid(), info.getCmpUserId(),
          success ? InventoryEntryState.INSTALLED : InventoryEntryState.INSTALL_FAILED);
      VehicleSteps.inventoryChanged(c);
    }
    // Told to the user before the kept AC is answered: the kept AC may come after this report (two stages write it),
    // and what is minted first does not depend on it.
    c.out.internal(AidTopic.INTERNAL_USERS, info.getCmpUserId(), uplink);
    VehicleSteps.answered(c, d -> d.getPayload() instanceof SendActivationCodeToVehicle a
        && a.getCmpUserId().equals(info.getCmpUserId()));
  }

  // ---------------------------------------------------------------------------------------------------
  // The User aggregate's part (key cmpUserId)

  public Decision<UserState> forUser(UserState state, Message m, Instant now) {
    Object payload = m.payload();
    if (payload instanceof RequestActivationCode r && state == null) {
      Records out = new Records(m.cause(), now);
      UserChange.refuseVehicle(out, r.getRequestId().getVehicleId(), r.getRequestId(), m.key(), Aid2Error.UNKNOWN_USER);
      return UserChange.unknownUser(out);
    }
    if (state == null && !(payload instanceof SendActivationCode)) {
      return Decision.unchanged(null); // nothing to decide for a user that does not exist
    }
    UserChange c = UserChange.of(state, m, now, settings);
    if (payload instanceof RequestActivationCode r) {
      requestActivationCode(c, r);
    } else if (payload instanceof ActivationCodeIssued issued) {
      Optional<ActivationCodeInFlight> f = inFlight(c.s, x -> x.getCommandId().equals(issued.getCommand().getCommandId()));
      if (f.isPresent()) {
        activationCodeReceived(c, f.get(), issued.getIccid(), issued.getActivationCode(), issued.getProfileType(),
            issued.getSwappedIccid());
      } else {
        lateSwap(c, issued.getCommand().getMspToken(), issued.getSwappedIccid(), issued.getIccid());
      }
    } else if (payload instanceof ActivationCodeRequestAccepted accepted) {
      inFlight(c.s, f -> f.getCommandId().equals(accepted.getCommand().getCommandId()))
          .ifPresent(f -> f.setAccepted(true));
    } else if (payload instanceof MspCallRejected rejected) {
      if (rejected.getCommand().getCall() == MspCall.REQUEST_ACTIVATION_CODE) {
        inFlight(c.s, f -> f.getCommandId().equals(rejected.getCommand().getCommandId())).ifPresent(f ->
            failActivationCode(c, f, ActivationCodeFailure.MSP_REJECTED, rejected.getError()));
      }
    } else if (payload instanceof MspCallGaveUp gaveUp) {
      if (gaveUp.getCommand().getCall() == MspCall.REQUEST_ACTIVATION_CODE) {
        inFlight(c.s, f -> f.getCommandId().equals(gaveUp.getCommand().getCommandId())).ifPresent(f ->
            failActivationCode(c, f, ActivationCodeFailure.MSP_UNREACHABLE, null));
      }
    } else if (payload instanceof SendActivationCode ac) {
      sendActivationCode(c, ac);
    } else if (payload instanceof ActivationCodeDeadlinePassed passed) {
      inFlight(c.s, f -> f.getActivationCodeRequestId().equals(passed.activationCodeRequestId())
          && !f.getDeadline().isAfter(now))
          .ifPresent(f -> failActivationCode(c, f, ActivationCodeFailure.DEADLINE_PASSED, null));
    } else if (payload instanceof ProfileDownloadInstallInfo info) {
      installed(c, info);
    } else {
      throw new IllegalArgumentException("car provisioning does not take " + m.describe() + " for a user");
    }
    return c.decision();
  }

  /**
   * §4.3 [2]-[3], §7.2.1: the vehicle asks for an AC for the user. The vehicle stage has checked VIN, EID and
   * IMEI; here the user, subscription and terms. One MSP request per (user, vehicle) in flight.
   */
  private void requestActivationCode(UserChange c, RequestActivationCode r) {
    UserState s = c.s;
    String vin = r.getRequestId().getVehicleId();
    Optional<Federation> federation = subscriptionForVehicles(s);
    if (federation.isEmpty()) {
      c.refuseVehicle(vin, r.getRequestId(), Aid2Error.NO_SUBSCRIPTION_FOUND);
      return;
    }
    if (!s.getAidTermsAccepted()) {
      c.refuseVehicle(vin, r.getRequestId(), Aid2Error.TERMS_NOT_ACCEPTED);
      return;
    }
    if (inFlight(s, f -> f.getVin().equals(vin)).isPresent()) {
      return; // asked already: the AC that comes answers this request too
    }
    Federation f = federation.get();
    String replaceIccid = replaceCandidate(s, f.getMspToken(), vin).map(Profile::getIccid).orElse(null);
    String activationCodeRequestId = c.out.derivedId("activationCodeRequestId");
    Instant deadline = c.now.plus(settings.activationCodeDeadline());
    String commandId = c.out.toMsp(c.cmpUserId(), f.getMspToken(), new ActivationCodeRequest(f.getMspId(), f.getMspToken(),
        settings.profileType(), settings.deviceType(), "", r.getEid(), activationCodeRequestId, replaceIccid));
    s.getActivationCodesInFlight().add(new ActivationCodeInFlight(activationCodeRequestId, commandId,
        f.getMspToken(), f.getMspId(), vin, r.getEid(), replaceIccid, r.getRequestId(), deadline, false));
    c.out.event(c.cmpUserId(), new ActivationCodeRequested(c.cmpUserId(), f.getMspId(), f.getMspToken(), vin,
        r.getEid(), activationCodeRequestId, replaceIccid, deadline));
  }

  /**
   * §4.3.1, the candidate table: none for the first vehicle; otherwise a profile of the same subscription on
   * another vehicle that is not deleted (download failed ones included), the least recently used first.
   * Profiles being deleted or known invalid are no candidates: the MSP could not swap them usefully.
   */
  public static Optional<Profile> replaceCandidate(UserState s, String mspToken, String vin) {
    Profile best = null;
    for (Profile p : s.getProfiles()) {
      boolean candidate = p.getMspToken().equals(mspToken) && !p.getVin().equals(vin)
          && p.getState() != ProfileState.DELETE_PENDING && p.getState() != ProfileState.DELETED && !p.getInvalid();
      if (candidate && (best == null || p.getLastUsed().isBefore(best.getLastUsed())
          || (p.getLastUsed().equals(best.getLastUsed()) && p.getIccid().compareTo(best.getIccid()) < 0))) {
        best = p;
      }
    }
    return Optional.ofNullable(best);
  }

  /** §7.1.8.2.1: the asynchronous AC, matched by activationCodeRequestID (422 when nothing matches). */
  private static void sendActivationCode(UserChange c, SendActivationCode ac) {
    Optional<ActivationCodeInFlight> inFlight = inFlight(c.s, f ->
        f.getActivationCodeRequestId().equals(ac.getActivationCodeRequestId()) && f.getMspToken().equals(ac.getMspToken()));
    if (inFlight.isEmpty()) {
      lateSwap(c, ac.getMspToken(), ac.getSwappedIccid(), ac.getIccid());
      c.answer(422, AidErrorCode.REQUEST_ID_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    if (ac.getError() != null || ac.getActivationCode() == null || ac.getIccid() == null) {
      failActivationCode(c, inFlight.get(), ActivationCodeFailure.MSP_ERROR,
          ac.getError() == null ? null : AidErrorCode.ACTIVATION_CODE_OTHER.toErrorInfo());
    } else {
      activationCodeReceived(c, inFlight.get(), ac.getIccid(), ac.getActivationCode(), ac.getProfileType(),
          ac.getSwappedIccid());
    }
    c.answer(200);
  }

  /** The AC came (§7.1.8.1 sync or §7.1.8.2.1 async): the profile joins the pool, the vehicle gets the AC. */
  private static void activationCodeReceived(UserChange c, ActivationCodeInFlight f, String iccid,
      String activationCode, String profileType, String swappedIccid) {
    UserState s = c.s;
    s.getActivationCodesInFlight().remove(f);
    Profile profile = new Profile(iccid, f.getMspToken(), f.getVin(), f.getEid(), ProfileState.AC_SENT, false,
        null, null, c.now, null);
    s.getProfiles().removeIf(p -> p.getIccid().equals(iccid));
    s.getProfiles().add(profile);
    c.out.event(c.cmpUserId(), new ActivationCodeReceived(c.cmpUserId(), f.getMspId(), f.getMspToken(),
        f.getVin(), f.getActivationCodeRequestId(), iccid, profileType, swappedIccid));
    if (swappedIccid != null && !swappedIccid.equals(iccid)) {
      profileSwapped(c, f, swappedIccid, iccid);
    }
    // Straight to the downlink: the AC's way to the vehicle is the critical path (§4.3); the vehicle stage keeps
    // it until the vehicle answers.
    c.out.toVehicleNow(f.getVin(),
        new SendActivationCodeToVehicle(f.getVehicleRequestId(), c.cmpUserId(), profileType, activationCode), iccid);
  }

  /**
   * §4.3.1 2c: the MSP swapped a profile out, the one we suggested or (fallback) another: either way it is
   * invalid now and its vehicle gets a delete.
   */
  private static void profileSwapped(UserChange c, ActivationCodeInFlight f, String swappedIccid, String newIccid) {
    Optional<Profile> swapped = profile(c.s, swappedIccid);
    ProfileRef ref = swapped.map(p -> ref(c.s, p))
        .orElse(new ProfileRef(c.cmpUserId(), f.getMspToken(), swappedIccid, null, null));
    c.out.event(c.cmpUserId(), new ProfileSwapped(ref, f.getReplaceIccid(), newIccid));
    swapped.ifPresent(p -> ProfileSteps.invalidateAndDelete(c, p, DeleteReason.SWAPPED));
  }

  /**
   * An AC that came after we gave up on it (its deadline passed) still tells a fact: if the MSP swapped a
   * profile out for it, that profile no longer works, wherever it is (§4.3.1 2c). The AC itself is not sent:
   * the vehicle was already told NO_ACTIVATION_CODE_AVAILALE and may ask again.
   */
  private static void lateSwap(UserChange c, String mspToken, String swappedIccid, String newIccid) {
    if (swappedIccid == null) {
      return;
    }
    profile(c.s, swappedIccid).filter(p -> p.getMspToken().equals(mspToken)).ifPresent(p -> {
      c.out.event(c.cmpUserId(), new ProfileSwapped(ref(c.s, p), null, newIccid == null ? "" : newIccid));
      ProfileSteps.invalidateAndDelete(c, p, DeleteReason.SWAPPED);
    });
  }

  /** The request ends without an AC: the vehicle is told NO_ACTIVATION_CODE_AVAILALE and may ask again. */
  public static void failActivationCode(UserChange c, ActivationCodeInFlight f, ActivationCodeFailure failure,
      ErrorInfo error) {
    c.s.getActivationCodesInFlight().remove(f);
    c.out.event(c.cmpUserId(), new ActivationCodeFailed(c.cmpUserId(), f.getMspId(), f.getMspToken(), f.getVin(),
        f.getActivationCodeRequestId(), failure, error));
    c.refuseVehicle(f.getVin(), f.getVehicleRequestId(), Aid2Error.NO_ACTIVATION_CODE_AVAILALE);
  }

  /** §7.2.3: success or any failure of download and installation. */
  private static void installed(UserChange c, ProfileDownloadInstallInfo info) {
    String vin = info.getRequestId().getVehicleId();
    Optional<Profile> profile = info.getIccid() != null ? profile(c.s, info.getIccid()) : Optional.empty();
    if (info.getIccid() == null) {
      for (Profile p : c.s.getProfiles()) {
        if (p.getVin().equals(vin) && p.getState() == ProfileState.AC_SENT) {
          profile = Optional.of(p);
          break;
        }
      }
    }
    if (profile.isEmpty()) {
      return;
    }
    Profile p = profile.get();
    if (p.getState() != ProfileState.AC_SENT && p.getState() != ProfileState.INSTALL_FAILED) {
      // A repeat (the car re-sends what it does not know arrived, §7.2.3 (2)) or a report overtaken by the
      // car's CSIM status: the profile is past its installation, so it is no news and must not be set back.
      return;
    }
    boolean success = info.getDownloadInstallResult() == DownloadInstallResult.SUCCESS;
    p.setState(success ? ProfileState.INSTALLED : ProfileState.INSTALL_FAILED);
    if (success) {
      c.out.event(c.cmpUserId(), new ProfileInstalled(ref(c.s, p)));
    } else {
      c.out.event(c.cmpUserId(), new ProfileInstallFailed(ref(c.s, p), info.getDownloadInstallResult(),
          info.getFunctionExecutionStatus(), info.getCsimErrorCode()));
    }
    ProfileSteps.tellMsp(c, p, success ? CsimStatusValue.INSTALLED : CsimStatusValue.INSTALLATION_FAILED);
  }
}
