package org.aidcmp.lifecycle.user;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Outputs;
import org.aidcmp.schemas.AidErrorCode;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.ActivationCodeRequestAccepted;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.MspCallRejected;
import org.aidcmp.schemas.aid1.MspProfileStatus;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.ProfileInformation;
import org.aidcmp.schemas.aid1.ProfileStatusReceived;
import org.aidcmp.schemas.aid1.RequestInvalidateMspToken;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.aid1.SendActivationCode;
import org.aidcmp.schemas.aid1.SendCsimStatus;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.aid1.SendProfileInformation;
import org.aidcmp.schemas.aid1.UpdateSubscriptionInfo;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.CsimProfile;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.common.ProfileInformationStatus;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.internal.MspTokenClaim;
import org.aidcmp.schemas.internal.MspTokenClaimAnswer;
import org.aidcmp.schemas.internal.ProfilesGoneFromVehicle;
import org.aidcmp.schemas.internal.RouteKind;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.lifecycle.AccountIdIssued;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailure;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.aidcmp.schemas.lifecycle.AidTermsAccepted;
import org.aidcmp.schemas.lifecycle.DeleteReason;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.FederationInvalidated;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
import org.aidcmp.schemas.lifecycle.OnboardingFailedAtMsp;
import org.aidcmp.schemas.lifecycle.OnboardingRejected;
import org.aidcmp.schemas.lifecycle.ProfileDeleteRequested;
import org.aidcmp.schemas.lifecycle.ProfileDeleted;
import org.aidcmp.schemas.lifecycle.ProfileDisableFailed;
import org.aidcmp.schemas.lifecycle.ProfileDisabled;
import org.aidcmp.schemas.lifecycle.ProfileEnableFailed;
import org.aidcmp.schemas.lifecycle.ProfileEnabled;
import org.aidcmp.schemas.lifecycle.ProfileInstallFailed;
import org.aidcmp.schemas.lifecycle.ProfileInstalled;
import org.aidcmp.schemas.lifecycle.ProfileMspStatusChanged;
import org.aidcmp.schemas.lifecycle.ProfileReconciliation;
import org.aidcmp.schemas.lifecycle.ProfileRef;
import org.aidcmp.schemas.lifecycle.ProfileSwapped;
import org.aidcmp.schemas.lifecycle.ProfilesReconciled;
import org.aidcmp.schemas.lifecycle.SubscriptionChosen;
import org.aidcmp.schemas.lifecycle.SubscriptionUpdated;
import org.aidcmp.schemas.lifecycle.WithdrawInitiator;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.state.ActivationCodeInFlight;
import org.aidcmp.schemas.state.AnsweredRequest;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.FederationStatus;
import org.aidcmp.schemas.state.OnboardingSession;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.ProfileState;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.AcceptAidTerms;
import org.aidcmp.schemas.touchpoint.ChooseSubscription;
import org.aidcmp.schemas.touchpoint.DeleteProfile;
import org.aidcmp.schemas.touchpoint.RequestAccountId;
import org.aidcmp.schemas.touchpoint.SyncProfileStatus;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.aidcmp.schemas.touchpoint.WithdrawOnboarding;

/**
 * The User aggregate's transitions (key cmpUserId): onboarding and federations (§4.1, §4.2, §7.1.4), the
 * profile pool and car provisioning (§4.3, §4.3.1, §7.1.8), withdraw (§4.4), delete (§4.5), status
 * synchronisation (§4.6), profile information (§4.7), subscription info (§4.8) and what vehicles report
 * about the user's profiles (§4.9, §7.2.3). Every method is a pure function of (state, message) to
 * (new state, records to emit); {@link UserProcessor} only wraps them.
 */
public final class UserDecider {
  private final LifecycleSettings settings;

  public UserDecider(LifecycleSettings settings) {
    this.settings = settings;
  }

  // ---------------------------------------------------------------------------------------------------
  // Touchpoint commands

  public Decision<UserState> onTouchpoint(String cmpUserId, UserState state, TouchpointCommand command, Outputs out) {
    Optional<RequestOutcome> repeated = answeredBefore(state, out);
    if (repeated.isPresent()) {
      out.reply(repeated.get());
      return out.decide(state);
    }
    UserState s = copyOrNew(cmpUserId, state);
    Object payload = command.getPayload();
    if (payload instanceof RequestAccountId r) {
      requestAccountId(s, r, out);
    } else if (payload instanceof AcceptAidTerms a) {
      s.setAidTermsAccepted(true);
      out.event(cmpUserId, new AidTermsAccepted(cmpUserId, a.getTermsVersion()));
      answer(s, out, 200, null, null);
    } else if (payload instanceof ChooseSubscription c) {
      chooseSubscription(s, c.getMspToken(), out);
    } else if (payload instanceof WithdrawOnboarding w) {
      withdraw(s, w.getMspToken(), WithdrawInitiator.CMP_TOUCHPOINT, null, out);
    } else if (payload instanceof DeleteProfile d) {
      deleteProfile(s, d, out);
    } else if (payload instanceof SyncProfileStatus sync) {
      syncProfileStatus(s, sync, out);
    } else {
      answer(s, out, 422, AidErrorCode.INVALID_REQUEST_SYNTAX.toErrorInfo(), null);
    }
    return out.decide(s);
  }

  /** §4.1 [3]-[4], §4.2 [5]-[6]: an account id (its sid) for an MSP. Ingress signs it once this is recorded. */
  private void requestAccountId(UserState s, RequestAccountId r, Outputs out) {
    if (activeFederationWith(s, r.getMspId()).isPresent()) {
      answer(s, out, 422, AidErrorCode.USER_ALREADY_HAS_MSP_TOKEN.toErrorInfo(), null);
      return;
    }
    s.getSessions().removeIf(session -> session.getUsed() || session.getExpiresAt().isBefore(out.at()));
    s.getSessions().add(new OnboardingSession(r.getSid(), r.getMspId(), r.getExpiresAt(), false));
    out.internal(AidTopic.INTERNAL_ROUTES, r.getSid(),
        new RouteUpdate(r.getSid(), RouteKind.SID, s.getCmpUserId(), r.getMspId()));
    out.event(s.getCmpUserId(), new AccountIdIssued(s.getCmpUserId(), r.getMspId(), r.getSid(), r.getExpiresAt()));
    answer(s, out, 201, null, null);
  }

  private void chooseSubscription(UserState s, String mspToken, Outputs out) {
    Optional<Federation> federation = federation(s, mspToken).filter(f -> f.getStatus() == FederationStatus.ACTIVE);
    if (federation.isEmpty()) {
      answer(s, out, 404, AidErrorCode.MSP_TOKEN_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    s.setPreferredMspToken(mspToken);
    out.event(s.getCmpUserId(), new SubscriptionChosen(s.getCmpUserId(), mspToken));
    answer(s, out, 200, null, null);
  }

  /** §4.5 [3]-[4]: delete one profile on one vehicle. */
  private void deleteProfile(UserState s, DeleteProfile d, Outputs out) {
    Optional<Profile> profile = profile(s, d.getIccid()).filter(p -> p.getVin().equals(d.getVin()));
    if (profile.isEmpty()) {
      answer(s, out, 404, AidErrorCode.PROFILE_NOT_FOUND.toErrorInfo(d.getIccid()), null);
      return;
    }
    if (profile.get().getState() != ProfileState.DELETE_PENDING) {
      requestDelete(s, profile.get(), DeleteReason.USER_REQUEST, out);
    }
    answer(s, out, 202, null, null);
  }

  /** §4.6 [1]: ask the MSP for its view of the token's profiles. */
  private void syncProfileStatus(UserState s, SyncProfileStatus sync, Outputs out) {
    Optional<Federation> federation = federation(s, sync.getMspToken());
    if (federation.isEmpty()) {
      answer(s, out, 404, AidErrorCode.MSP_TOKEN_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    out.toMsp(sync.getMspToken(),
        new RequestProfileStatus(federation.get().getMspId(), sync.getMspToken(), sync.getIccid()));
    answer(s, out, 202, null, null);
  }

  // ---------------------------------------------------------------------------------------------------
  // MSP -> CMP calls (§7.1.4 - §7.1.8.2.1), routed here by msp_token or sid

  public Decision<UserState> onMspCall(String cmpUserId, UserState state, Aid1Inbound call, Outputs out) {
    Optional<RequestOutcome> repeated = answeredBefore(state, out);
    if (repeated.isPresent()) {
      out.reply(repeated.get());
      return out.decide(state);
    }
    UserState s = copyOrNew(cmpUserId, state);
    Object payload = call.getPayload();
    if (payload instanceof SendMspToken t) {
      sendMspToken(s, t, call, out);
    } else if (payload instanceof NotifyMspTokenInvalid n) {
      withdraw(s, n.getMspToken(), WithdrawInitiator.MSP, n.getReason(), out);
    } else if (payload instanceof SendProfileInformation info) {
      sendProfileInformation(s, info, out);
    } else if (payload instanceof UpdateSubscriptionInfo u) {
      updateSubscriptionInfo(s, u, out);
    } else if (payload instanceof SendActivationCode ac) {
      sendActivationCode(s, ac, out);
    }
    return out.decide(s);
  }

  /** §7.1.4: check the onboarding session, then claim the token (unique across users, code 23). */
  private void sendMspToken(UserState s, SendMspToken t, Aid1Inbound call, Outputs out) {
    Optional<ErrorInfo> sessionError = sessionError(s, t, out.at());
    if (sessionError.isPresent()) {
      reject(s, t, sessionError.get().getCode().equals("11") ? 422 : sessionStatus(s, t), sessionError.get(), out);
      return;
    }
    OnboardingSession session = session(s, t.getSid()).orElseThrow();
    if (t.getError() != null) {
      session.setUsed(true);
      out.event(s.getCmpUserId(), new OnboardingFailedAtMsp(s.getCmpUserId(), t.getMspId(), t.getSid(), t.getError()));
      answer(s, out, 201, null, null);
      return;
    }
    if (t.getMspToken() == null) {
      reject(s, t, 422, AidErrorCode.MSP_TOKEN_OTHER.toErrorInfo(), out);
      return;
    }
    if (activeFederationWith(s, t.getMspId()).isPresent()) {
      reject(s, t, 422, AidErrorCode.USER_ALREADY_HAS_MSP_TOKEN.toErrorInfo(), out);
      return;
    }
    out.internal(AidTopic.INTERNAL_ROUTES, t.getMspToken(),
        new MspTokenClaim(t.getMspToken(), t.getMspId(), s.getCmpUserId(), call));
  }

  private static int sessionStatus(UserState s, SendMspToken t) {
    return session(s, t.getSid()).isPresent() ? 422 : 404;
  }

  private static Optional<ErrorInfo> sessionError(UserState s, SendMspToken t, Instant now) {
    Optional<OnboardingSession> session = session(s, t.getSid()).filter(x -> x.getMspId().equals(t.getMspId()));
    if (session.isEmpty()) {
      return Optional.of(AidErrorCode.ACCOUNT_ID_NOT_FOUND.toErrorInfo());
    }
    // §5.1.5: a sid the CMP minted was found; used once already, it is no longer valid (11), as when expired.
    if (session.get().getUsed() || session.get().getExpiresAt().isBefore(now)) {
      return Optional.of(AidErrorCode.ACCOUNT_ID_NO_LONGER_VALID.toErrorInfo());
    }
    return Optional.empty();
  }

  /** The routes stage answered the claim of §7.1.4's token: federate, or refuse with code 23. */
  public Decision<UserState> onTokenClaimAnswer(String cmpUserId, UserState state, MspTokenClaimAnswer answer,
      Outputs out) {
    UserState s = copyOrNew(cmpUserId, state);
    SendMspToken t = (SendMspToken) answer.getSendMspToken().getPayload();
    if (!answer.getGranted()) {
      reject(s, t, 422, AidErrorCode.MSP_TOKEN_ALREADY_ASSIGNED.toErrorInfo(), out);
      return out.decide(s);
    }
    Optional<ErrorInfo> sessionError = sessionError(s, t, out.at());
    if (sessionError.isPresent() || activeFederationWith(s, t.getMspId()).isPresent()) {
      // Another Send MSP token of the same session got there first: this one is refused, the token released
      // unless that first one federated it.
      if (federation(s, t.getMspToken()).isEmpty()) {
        out.internal(AidTopic.INTERNAL_ROUTES, t.getMspToken(),
            new RouteUpdate(t.getMspToken(), RouteKind.MSP_TOKEN, null, t.getMspId()));
      }
      reject(s, t, 422, sessionError.orElse(AidErrorCode.USER_ALREADY_HAS_MSP_TOKEN.toErrorInfo()), out);
      return out.decide(s);
    }
    session(s, t.getSid()).orElseThrow().setUsed(true);
    SubscriptionType type = t.getSubscriptionType() == null ? SubscriptionType.UNKNOWN : t.getSubscriptionType();
    s.getFederations().add(new Federation(t.getMspToken(), t.getMspId(), t.getSid(), FederationStatus.ACTIVE, type,
        t.getCustomerGroup(), t.getPhoneNumber()));
    if (s.getPreferredMspToken() == null) {
      s.setPreferredMspToken(t.getMspToken());
    }
    out.event(cmpUserId, new FederationEstablished(cmpUserId, t.getMspId(), t.getMspToken(), t.getSid(), type,
        t.getCustomerGroup(), t.getPhoneNumber()));
    answer(s, out, 201, null, null);
    return out.decide(s);
  }

  private void reject(UserState s, SendMspToken t, int status, ErrorInfo error, Outputs out) {
    out.event(s.getCmpUserId(),
        new OnboardingRejected(s.getCmpUserId(), t.getMspId(), t.getSid(), t.getMspToken(), error));
    answer(s, out, status, error, null);
  }

  /** §7.1.6 / §4.7: invalid -> delete from the vehicle; suspended / valid -> recorded for customer care. */
  private void sendProfileInformation(UserState s, SendProfileInformation info, Outputs out) {
    for (ProfileInformation p : info.getProfiles()) {
      if (profile(s, p.getIccid()).filter(x -> x.getMspToken().equals(info.getMspToken())).isEmpty()) {
        // Nothing half-done: one unknown ICCID refuses the whole call.
        answer(s, out, 404, AidErrorCode.PROFILE_NOT_FOUND.toErrorInfo(p.getIccid()), null);
        return;
      }
    }
    for (ProfileInformation p : info.getProfiles()) {
      Profile profile = profile(s, p.getIccid()).orElseThrow();
      profile.setMspStatus(p.getStatus());
      profile.setMspStatusReason(p.getReason());
      out.event(s.getCmpUserId(), new ProfileMspStatusChanged(ref(s, profile), p.getStatus(), p.getReason()));
      if (p.getStatus() == ProfileInformationStatus.INVALID) {
        profile.setInvalid(true);
        if (profile.getState() != ProfileState.DELETE_PENDING) {
          requestDelete(s, profile, DeleteReason.MSP_INVALID, out);
        }
      }
    }
    answer(s, out, 200, null, null);
  }

  /** §7.1.7 / §4.8. */
  private void updateSubscriptionInfo(UserState s, UpdateSubscriptionInfo u, Outputs out) {
    Optional<Federation> federation = federation(s, u.getMspToken());
    if (federation.isEmpty()) {
      answer(s, out, 404, AidErrorCode.MSP_TOKEN_NOT_FOUND.toErrorInfo(), null);
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
    out.event(s.getCmpUserId(), new SubscriptionUpdated(s.getCmpUserId(), u.getMspToken(), u.getPhoneNumber(),
        u.getSubscriptionType(), u.getCustomerGroup()));
    answer(s, out, 201, null, null);
  }

  /** §7.1.8.2.1: the asynchronous AC, matched by activationCodeRequestID (422 when nothing matches). */
  private void sendActivationCode(UserState s, SendActivationCode ac, Outputs out) {
    Optional<ActivationCodeInFlight> inFlight = inFlight(s, f ->
        f.getActivationCodeRequestId().equals(ac.getActivationCodeRequestId()) && f.getMspToken().equals(ac.getMspToken()));
    if (inFlight.isEmpty()) {
      lateSwap(s, ac.getMspToken(), ac.getSwappedIccid(), ac.getIccid(), out);
      answer(s, out, 422, AidErrorCode.REQUEST_ID_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    if (ac.getError() != null || ac.getActivationCode() == null || ac.getIccid() == null) {
      failActivationCode(s, inFlight.get(), ActivationCodeFailure.MSP_ERROR,
          ac.getError() == null ? null : AidErrorCode.ACTIVATION_CODE_OTHER.toErrorInfo(), out);
    } else {
      activationCodeReceived(s, inFlight.get(), ac.getIccid(), ac.getActivationCode(), ac.getProfileType(),
          ac.getSwappedIccid(), out);
    }
    answer(s, out, 200, null, null);
  }

  // ---------------------------------------------------------------------------------------------------
  // Results of calls to MSPs (egress)

  public Decision<UserState> onMspResult(String cmpUserId, UserState state, Aid1Result result, Outputs out) {
    if (state == null) {
      return out.decide(null);
    }
    UserState s = copyOrNew(cmpUserId, state);
    Object payload = result.getPayload();
    if (payload instanceof ActivationCodeIssued issued) {
      Optional<ActivationCodeInFlight> f = inFlight(s, x -> x.getCommandId().equals(issued.getCommand().getCommandId()));
      if (f.isPresent()) {
        activationCodeReceived(s, f.get(), issued.getIccid(), issued.getActivationCode(), issued.getProfileType(),
            issued.getSwappedIccid(), out);
      } else {
        lateSwap(s, issued.getCommand().getMspToken(), issued.getSwappedIccid(), issued.getIccid(), out);
      }
    } else if (payload instanceof ActivationCodeRequestAccepted accepted) {
      inFlight(s, f -> f.getCommandId().equals(accepted.getCommand().getCommandId()))
          .ifPresent(f -> f.setAccepted(true));
    } else if (payload instanceof MspCallRejected rejected && rejected.getCommand().getCall() == MspCall.REQUEST_ACTIVATION_CODE) {
      inFlight(s, f -> f.getCommandId().equals(rejected.getCommand().getCommandId())).ifPresent(f ->
          failActivationCode(s, f, ActivationCodeFailure.MSP_REJECTED, rejected.getError(), out));
    } else if (payload instanceof MspCallGaveUp gaveUp && gaveUp.getCommand().getCall() == MspCall.REQUEST_ACTIVATION_CODE) {
      inFlight(s, f -> f.getCommandId().equals(gaveUp.getCommand().getCommandId())).ifPresent(f ->
          failActivationCode(s, f, ActivationCodeFailure.MSP_UNREACHABLE, null, out));
    } else if (payload instanceof ProfileStatusReceived statuses) {
      reconcile(s, statuses, out);
    }
    return out.decide(s);
  }

  /**
   * §4.6 [3], the rule chosen: the MSP's list is the truth about which profiles exist. A live profile of ours
   * that the MSP no longer lists (for the ICCID asked, or at all) can never give service: it becomes invalid
   * and is deleted from its vehicle. A profile the MSP lists and we do not know (e.g. "prepared", not yet
   * downloaded) is reported, not acted on. The MSP's enabled/disabled states are recorded in the event only:
   * the vehicle's own Send CSIM status stays authoritative for those (§7.1.11 remark).
   */
  private void reconcile(UserState s, ProfileStatusReceived statuses, Outputs out) {
    String token = statuses.getCommand().getMspToken();
    if (federation(s, token).isEmpty()) {
      return;
    }
    Map<String, MspProfileStatus> msp = statuses.getProfiles().stream()
        .collect(Collectors.toMap(MspProfileStatus::getIccid, Function.identity(), (a, b) -> b));
    List<ProfileReconciliation> changes = new ArrayList<>();
    for (Profile p : List.copyOf(s.getProfiles())) {
      boolean asked = statuses.getRequestedIccid() == null || statuses.getRequestedIccid().equals(p.getIccid());
      if (!p.getMspToken().equals(token) || !asked) {
        continue;
      }
      MspProfileStatus theirs = msp.get(p.getIccid());
      if (theirs == null) {
        changes.add(new ProfileReconciliation(p.getIccid(), p.getState().name(), null));
        p.setInvalid(true);
        if (p.getState() != ProfileState.DELETE_PENDING) {
          requestDelete(s, p, DeleteReason.RECONCILIATION, out);
        }
      } else if (!theirs.getStatus().name().equals(p.getState().name())) {
        changes.add(new ProfileReconciliation(p.getIccid(), p.getState().name(), theirs.getStatus().name()));
      }
    }
    for (MspProfileStatus theirs : statuses.getProfiles()) {
      if (profile(s, theirs.getIccid()).isEmpty()) {
        changes.add(new ProfileReconciliation(theirs.getIccid(), null, theirs.getStatus().name()));
      }
    }
    out.event(s.getCmpUserId(), new ProfilesReconciled(s.getCmpUserId(), token, changes));
  }

  // ---------------------------------------------------------------------------------------------------
  // What vehicles report (§7.2), after the vehicle stage checked the vehicle

  public Decision<UserState> onVehicleReport(String cmpUserId, UserState state, Aid2Uplink uplink, Outputs out) {
    Object payload = uplink.getPayload();
    if (payload instanceof RequestActivationCode request) {
      return requestActivationCode(cmpUserId, state, request, out);
    }
    if (state == null) {
      return out.decide(null);
    }
    UserState s = copyOrNew(cmpUserId, state);
    if (payload instanceof ProfileDownloadInstallInfo info) {
      installInfo(s, info, out);
    } else if (payload instanceof CsimStatus status) {
      for (CsimProfile p : status.getProfiles()) {
        if (cmpUserId.equals(p.getCmpUserId())) {
          csimStatus(s, p, status.getRequestId().getVehicleId(), out);
        }
      }
    } else if (payload instanceof EnableProfileError e) {
      profile(s, e.getProfile().getIccid()).ifPresent(p ->
          out.event(cmpUserId, new ProfileEnableFailed(ref(s, p), e.getCsimErrorCode())));
    } else if (payload instanceof DisableProfileError e) {
      profile(s, e.getProfile().getIccid()).ifPresent(p ->
          out.event(cmpUserId, new ProfileDisableFailed(ref(s, p), e.getCsimErrorCode())));
    } else if (payload instanceof DeleteProfileResult result) {
      // Not found on the eUICC, or not for this user there: either way the profile is not in that vehicle.
      if (result.getRequestDeleteProfileResult() != RequestDeleteProfileResult.FAILED) {
        profileGone(s, result.getIccid(), out);
      }
    }
    return out.decide(s);
  }

  public Decision<UserState> onProfilesGone(String cmpUserId, UserState state, ProfilesGoneFromVehicle gone,
      Outputs out) {
    if (state == null) {
      return out.decide(null);
    }
    UserState s = copyOrNew(cmpUserId, state);
    gone.getIccids().forEach(iccid -> profileGone(s, iccid, out));
    return out.decide(s);
  }

  /**
   * §4.3 [2]-[3], §7.2.1: the vehicle asks for an AC for the user. The vehicle stage has checked VIN, EID and
   * IMEI; here the user, subscription and terms. One MSP request per (user, vehicle) in flight.
   */
  private Decision<UserState> requestActivationCode(String cmpUserId, UserState state, RequestActivationCode r,
      Outputs out) {
    String vin = r.getRequestId().getVehicleId();
    if (state == null) {
      refuseVehicle(vin, r.getRequestId(), cmpUserId, Aid2Error.UNKNOWN_USER, out);
      return out.decide(null);
    }
    UserState s = copyOrNew(cmpUserId, state);
    Optional<Federation> federation = subscriptionForVehicles(s);
    if (federation.isEmpty()) {
      refuseVehicle(vin, r.getRequestId(), cmpUserId, Aid2Error.NO_SUBSCRIPTION_FOUND, out);
      return out.decide(s);
    }
    if (!s.getAidTermsAccepted()) {
      refuseVehicle(vin, r.getRequestId(), cmpUserId, Aid2Error.TERMS_NOT_ACCEPTED, out);
      return out.decide(s);
    }
    if (inFlight(s, f -> f.getVin().equals(vin)).isPresent()) {
      return out.decide(s); // asked already: the AC that comes answers this request too
    }
    Federation f = federation.get();
    String replaceIccid = replaceCandidate(s, f.getMspToken(), vin).map(Profile::getIccid).orElse(null);
    String activationCodeRequestId = out.derivedId("activationCodeRequestId");
    Instant deadline = out.at().plus(settings.activationCodeDeadline());
    String commandId = out.toMsp(f.getMspToken(), new ActivationCodeRequest(f.getMspId(), f.getMspToken(),
        settings.profileType(), settings.deviceType(), "", r.getEid(), activationCodeRequestId, replaceIccid));
    s.getActivationCodesInFlight().add(new ActivationCodeInFlight(activationCodeRequestId, commandId,
        f.getMspToken(), f.getMspId(), vin, r.getEid(), replaceIccid, r.getRequestId(), deadline, false));
    out.event(cmpUserId, new ActivationCodeRequested(cmpUserId, f.getMspId(), f.getMspToken(), vin, r.getEid(),
        activationCodeRequestId, replaceIccid, deadline));
    return out.decide(s);
  }

  /**
   * §4.3.1, the candidate table: none for the first vehicle; otherwise a profile of the same subscription on
   * another vehicle that is not deleted (download failed ones included), the least recently used first.
   * Profiles being deleted or known invalid are no candidates: the MSP could not swap them usefully.
   */
  public static Optional<Profile> replaceCandidate(UserState s, String mspToken, String vin) {
    return s.getProfiles().stream()
        .filter(p -> p.getMspToken().equals(mspToken))
        .filter(p -> !p.getVin().equals(vin))
        .filter(p -> p.getState() != ProfileState.DELETE_PENDING && p.getState() != ProfileState.DELETED)
        .filter(p -> !p.getInvalid())
        .min(Comparator.comparing(Profile::getLastUsed).thenComparing(Profile::getIccid));
  }

  /** The AC came (§7.1.8.1 sync or §7.1.8.2.1 async): the profile joins the pool, the vehicle gets the AC. */
  private void activationCodeReceived(UserState s, ActivationCodeInFlight f, String iccid, String activationCode,
      String profileType, String swappedIccid, Outputs out) {
    s.getActivationCodesInFlight().remove(f);
    Profile profile = new Profile(iccid, f.getMspToken(), f.getVin(), f.getEid(), ProfileState.AC_SENT, false,
        null, null, out.at());
    s.getProfiles().removeIf(p -> p.getIccid().equals(iccid));
    s.getProfiles().add(profile);
    out.event(s.getCmpUserId(), new ActivationCodeReceived(s.getCmpUserId(), f.getMspId(), f.getMspToken(),
        f.getVin(), f.getActivationCodeRequestId(), iccid, profileType, swappedIccid));
    if (swappedIccid != null && !swappedIccid.equals(iccid)) {
      profileSwapped(s, f, swappedIccid, iccid, out);
    }
    out.toVehicle(f.getVin(),
        new SendActivationCodeToVehicle(f.getVehicleRequestId(), s.getCmpUserId(), profileType, activationCode));
  }

  /**
   * §4.3.1 2c: the MSP swapped a profile out, the one we suggested or (fallback) another: either way it is
   * invalid now and its vehicle gets a delete.
   */
  private void profileSwapped(UserState s, ActivationCodeInFlight f, String swappedIccid, String newIccid,
      Outputs out) {
    Optional<Profile> swapped = profile(s, swappedIccid);
    ProfileRef ref = swapped.map(p -> ref(s, p))
        .orElse(new ProfileRef(s.getCmpUserId(), f.getMspToken(), swappedIccid, null, null));
    out.event(s.getCmpUserId(), new ProfileSwapped(ref, f.getReplaceIccid(), newIccid));
    swapped.ifPresent(p -> {
      p.setInvalid(true);
      if (p.getState() != ProfileState.DELETE_PENDING) {
        requestDelete(s, p, DeleteReason.SWAPPED, out);
      }
    });
  }

  /**
   * An AC that came after we gave up on it (its deadline passed) still tells a fact: if the MSP swapped a
   * profile out for it, that profile no longer works, wherever it is (§4.3.1 2c). The AC itself is not sent:
   * the vehicle was already told NO_ACTIVATION_CODE_AVAILALE and may ask again.
   */
  private void lateSwap(UserState s, String mspToken, String swappedIccid, String newIccid, Outputs out) {
    if (swappedIccid == null) {
      return;
    }
    profile(s, swappedIccid).filter(p -> p.getMspToken().equals(mspToken)).ifPresent(p -> {
      out.event(s.getCmpUserId(), new ProfileSwapped(ref(s, p), null, newIccid == null ? "" : newIccid));
      p.setInvalid(true);
      if (p.getState() != ProfileState.DELETE_PENDING) {
        requestDelete(s, p, DeleteReason.SWAPPED, out);
      }
    });
  }

  private void failActivationCode(UserState s, ActivationCodeInFlight f, ActivationCodeFailure failure,
      ErrorInfo error, Outputs out) {
    s.getActivationCodesInFlight().remove(f);
    out.event(s.getCmpUserId(), new ActivationCodeFailed(s.getCmpUserId(), f.getMspId(), f.getMspToken(), f.getVin(),
        f.getActivationCodeRequestId(), failure, error));
    refuseVehicle(f.getVin(), f.getVehicleRequestId(), s.getCmpUserId(), Aid2Error.NO_ACTIVATION_CODE_AVAILALE, out);
  }

  /** An async AC that never came: past its deadline the vehicle is told (§7.1.8.2). */
  public Decision<UserState> onDeadline(String cmpUserId, UserState state, String activationCodeRequestId,
      Outputs out) {
    if (state == null) {
      return out.decide(null);
    }
    UserState s = copyOrNew(cmpUserId, state);
    inFlight(s, f -> f.getActivationCodeRequestId().equals(activationCodeRequestId)
        && !f.getDeadline().isAfter(out.at()))
        .ifPresent(f -> failActivationCode(s, f, ActivationCodeFailure.DEADLINE_PASSED, null, out));
    return out.decide(s);
  }

  /** §7.2.3: success or any failure of download and installation. */
  private void installInfo(UserState s, ProfileDownloadInstallInfo info, Outputs out) {
    String vin = info.getRequestId().getVehicleId();
    Optional<Profile> profile = info.getIccid() != null
        ? profile(s, info.getIccid())
        : s.getProfiles().stream().filter(p -> p.getVin().equals(vin) && p.getState() == ProfileState.AC_SENT).findFirst();
    if (profile.isEmpty()) {
      return;
    }
    Profile p = profile.get();
    boolean success = info.getDownloadInstallResult() == DownloadInstallResult.SUCCESS;
    p.setState(success ? ProfileState.INSTALLED : ProfileState.INSTALL_FAILED);
    if (success) {
      out.event(s.getCmpUserId(), new ProfileInstalled(ref(s, p)));
    } else {
      out.event(s.getCmpUserId(), new ProfileInstallFailed(ref(s, p), info.getDownloadInstallResult(),
          info.getFunctionExecutionStatus(), info.getCsimErrorCode()));
    }
    tellMsp(s, p, success ? CsimStatusValue.INSTALLED : CsimStatusValue.INSTALLATION_FAILED, out);
  }

  /** §7.2.3 (vehicle) / §4.9: enabled, disabled, deleted. */
  private void csimStatus(UserState s, CsimProfile reported, String vin, Outputs out) {
    Optional<Profile> profile = profile(s, reported.getIccid()).filter(p -> p.getVin().equals(vin));
    if (profile.isEmpty()) {
      return;
    }
    Profile p = profile.get();
    switch (reported.getProfileStatus()) {
      case ENABLED -> {
        p.setState(ProfileState.ENABLED);
        p.setLastUsed(out.at());
        out.event(s.getCmpUserId(), new ProfileEnabled(ref(s, p)));
        tellMsp(s, p, CsimStatusValue.ENABLED, out);
      }
      case DISABLED -> {
        if (p.getState() == ProfileState.ENABLED) {
          p.setLastUsed(out.at());
        }
        p.setState(ProfileState.DISABLED);
        out.event(s.getCmpUserId(), new ProfileDisabled(ref(s, p)));
        tellMsp(s, p, CsimStatusValue.DISABLED, out);
      }
      case DELETED -> profileGone(s, p.getIccid(), out);
      default -> { }
    }
  }

  /**
   * A profile is gone from its vehicle: reported to its MSP (always while the token is withdrawn, §4.4.1
   * [12]; otherwise as configured, §4.5 [8]) and, if it was the token's last one during withdraw, the
   * federation is removed (§4.4.1 [13]).
   */
  private void profileGone(UserState s, String iccid, Outputs out) {
    Optional<Profile> profile = profile(s, iccid);
    if (profile.isEmpty()) {
      return;
    }
    Profile p = profile.get();
    ProfileRef ref = ref(s, p);
    s.getProfiles().remove(p);
    out.event(s.getCmpUserId(), new ProfileDeleted(ref));
    Optional<Federation> federation = federation(s, p.getMspToken());
    if (federation.isEmpty()) {
      return;
    }
    boolean withdrawing = federation.get().getStatus() == FederationStatus.WITHDRAWING;
    if (withdrawing || settings.forwards(federation.get().getMspId(), CsimStatusValue.DELETED)) {
      out.toMsp(p.getMspToken(), new SendCsimStatus(federation.get().getMspId(), p.getMspToken(), p.getIccid(),
          p.getEid(), CsimStatusValue.DELETED));
    }
    if (withdrawing) {
      removeFederationWhenEmpty(s, federation.get(), out);
    }
  }

  private void tellMsp(UserState s, Profile p, CsimStatusValue status, Outputs out) {
    federation(s, p.getMspToken())
        .filter(f -> settings.forwards(f.getMspId(), status))
        .ifPresent(f -> out.toMsp(p.getMspToken(),
            new SendCsimStatus(f.getMspId(), p.getMspToken(), p.getIccid(), p.getEid(), status)));
  }

  // ---------------------------------------------------------------------------------------------------
  // Withdraw (§4.4)

  /**
   * §4.4.1 / §4.4.2: the token requests nothing new from now on (in-flight AC requests fail), every vehicle
   * holding one of its profiles gets a delete, and the token stays until the last deletion is reported.
   */
  private void withdraw(UserState s, String mspToken, WithdrawInitiator by, String reason, Outputs out) {
    Optional<Federation> federation = federation(s, mspToken);
    int done = by == WithdrawInitiator.MSP ? 204 : 202;
    if (federation.isEmpty()) {
      answer(s, out, 404, AidErrorCode.MSP_TOKEN_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    Federation f = federation.get();
    if (f.getStatus() == FederationStatus.WITHDRAWING) {
      answer(s, out, done, null, by == WithdrawInitiator.CMP_TOUCHPOINT ? mspIdBody(f.getMspId()) : null);
      return;
    }
    f.setStatus(FederationStatus.WITHDRAWING);
    out.event(s.getCmpUserId(), new FederationInvalidated(s.getCmpUserId(), f.getMspId(), mspToken, by, reason));
    if (by == WithdrawInitiator.CMP_TOUCHPOINT) {
      out.toMsp(mspToken, new RequestInvalidateMspToken(f.getMspId(), mspToken));
    }
    if (mspToken.equals(s.getPreferredMspToken())) {
      s.setPreferredMspToken(null);
    }
    for (ActivationCodeInFlight inFlight : List.copyOf(s.getActivationCodesInFlight())) {
      if (inFlight.getMspToken().equals(mspToken)) {
        failActivationCode(s, inFlight, ActivationCodeFailure.FEDERATION_INVALIDATED, null, out);
      }
    }
    for (Profile p : List.copyOf(s.getProfiles())) {
      if (p.getMspToken().equals(mspToken) && p.getState() != ProfileState.DELETE_PENDING) {
        requestDelete(s, p, DeleteReason.WITHDRAW, out);
      }
    }
    removeFederationWhenEmpty(s, f, out);
    // The touchpoint needs the MSP to redirect the user to its withdraw page (§4.4.1 [4], [6]).
    answer(s, out, done, null, by == WithdrawInitiator.CMP_TOUCHPOINT ? mspIdBody(f.getMspId()) : null);
  }

  private static String mspIdBody(String mspId) {
    return "{\"mspId\":\"" + mspId.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
  }

  /** Annex A.3: once its last profile is deleted the token is gone, and onboarding again starts afresh. */
  private static void removeFederationWhenEmpty(UserState s, Federation f, Outputs out) {
    boolean profilesLeft = s.getProfiles().stream().anyMatch(p -> p.getMspToken().equals(f.getMspToken()));
    if (profilesLeft) {
      return;
    }
    s.getFederations().remove(f);
    out.event(s.getCmpUserId(), new FederationRemoved(s.getCmpUserId(), f.getMspId(), f.getMspToken()));
    out.internal(AidTopic.INTERNAL_ROUTES, f.getMspToken(),
        new RouteUpdate(f.getMspToken(), RouteKind.MSP_TOKEN, null, f.getMspId()));
  }

  /** A delete to the vehicle holding the profile (§7.2.4). */
  private static void requestDelete(UserState s, Profile p, DeleteReason reason, Outputs out) {
    p.setState(ProfileState.DELETE_PENDING);
    out.toVehicle(p.getVin(), new RequestDeleteProfile(new VehicleRequestId(p.getVin(), out.at().getEpochSecond()),
        s.getCmpUserId(), p.getIccid(), p.getEid()));
    out.event(s.getCmpUserId(), new ProfileDeleteRequested(ref(s, p), reason));
  }

  private static void refuseVehicle(String vin, VehicleRequestId requestId, String cmpUserId, Aid2Error error,
      Outputs out) {
    out.toVehicle(vin, new VehicleRequestError(requestId, cmpUserId, error, null));
  }

  // ---------------------------------------------------------------------------------------------------
  // Replies and the memory of answered requests

  private void answer(UserState s, Outputs out, int status, ErrorInfo error, String body) {
    out.reply(status, error, body);
    String requestId = out.cause().getRequestId();
    if (requestId == null) {
      return;
    }
    List<AnsweredRequest> answered = s.getAnsweredRequests();
    answered.add(new AnsweredRequest(requestId, new RequestOutcome(status, error, body)));
    while (answered.size() > settings.answeredRequestsKept()) {
      answered.remove(0);
    }
  }

  private static Optional<RequestOutcome> answeredBefore(UserState state, Outputs out) {
    String requestId = out.cause().getRequestId();
    if (state == null || requestId == null) {
      return Optional.empty();
    }
    return state.getAnsweredRequests().stream()
        .filter(a -> a.getRequestId().equals(requestId))
        .map(AnsweredRequest::getOutcome)
        .findFirst();
  }

  // ---------------------------------------------------------------------------------------------------
  // Reading the state

  /** A copy to change (Avro's defaults and decoded arrays are not all mutable): the input state stays as it was. */
  static UserState copyOrNew(String cmpUserId, UserState state) {
    UserState s = state == null
        ? UserState.newBuilder().setCmpUserId(cmpUserId).build()
        : UserState.newBuilder(state).build();
    s.setSessions(new ArrayList<>(s.getSessions()));
    s.setFederations(new ArrayList<>(s.getFederations()));
    s.setProfiles(new ArrayList<>(s.getProfiles()));
    s.setActivationCodesInFlight(new ArrayList<>(s.getActivationCodesInFlight()));
    s.setAnsweredRequests(new ArrayList<>(s.getAnsweredRequests()));
    return s;
  }

  private static Optional<OnboardingSession> session(UserState s, String sid) {
    return s.getSessions().stream().filter(x -> x.getSid().equals(sid)).findFirst();
  }

  static Optional<Federation> federation(UserState s, String mspToken) {
    return s.getFederations().stream().filter(f -> f.getMspToken().equals(mspToken)).findFirst();
  }

  private static Optional<Federation> activeFederationWith(UserState s, String mspId) {
    return s.getFederations().stream()
        .filter(f -> f.getMspId().equals(mspId) && f.getStatus() == FederationStatus.ACTIVE)
        .findFirst();
  }

  /** The subscription used in vehicles: the one the user chose, else the first active one. */
  private static Optional<Federation> subscriptionForVehicles(UserState s) {
    List<Federation> active = s.getFederations().stream()
        .filter(f -> f.getStatus() == FederationStatus.ACTIVE).toList();
    return active.stream().filter(f -> f.getMspToken().equals(s.getPreferredMspToken())).findFirst()
        .or(() -> active.stream().findFirst());
  }

  static Optional<Profile> profile(UserState s, String iccid) {
    return s.getProfiles().stream().filter(p -> p.getIccid().equals(iccid)).findFirst();
  }

  private static Optional<ActivationCodeInFlight> inFlight(UserState s,
      java.util.function.Predicate<ActivationCodeInFlight> which) {
    return s.getActivationCodesInFlight().stream().filter(which).findFirst();
  }

  private static ProfileRef ref(UserState s, Profile p) {
    return new ProfileRef(s.getCmpUserId(), p.getMspToken(), p.getIccid(), p.getVin(), p.getEid());
  }

  /** Ids of in-flight AC requests and their deadlines, for the processor's deadline index. */
  public static Map<String, Instant> deadlines(UserState s) {
    return s == null ? Map.of() : s.getActivationCodesInFlight().stream()
        .collect(Collectors.toMap(ActivationCodeInFlight::getActivationCodeRequestId,
            ActivationCodeInFlight::getDeadline));
  }
}
