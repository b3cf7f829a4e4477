package org.aidcmp.lifecycle.onboarding;

import static org.aidcmp.lifecycle.user.UserQueries.activeFederationWith;
import static org.aidcmp.lifecycle.user.UserQueries.federation;
import static org.aidcmp.lifecycle.user.UserQueries.session;

import java.time.Instant;
import java.util.Optional;
import org.aidcmp.lifecycle.Decider;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.user.UserChange;
import org.aidcmp.schemas.AidErrorCode;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.internal.MspTokenClaim;
import org.aidcmp.schemas.internal.MspTokenClaimAnswer;
import org.aidcmp.schemas.internal.RouteKind;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.lifecycle.AccountIdIssued;
import org.aidcmp.schemas.lifecycle.AidTermsAccepted;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.OnboardingFailedAtMsp;
import org.aidcmp.schemas.lifecycle.OnboardingRejected;
import org.aidcmp.schemas.lifecycle.SubscriptionChosen;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.FederationStatus;
import org.aidcmp.schemas.state.OnboardingSession;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.AcceptAidTerms;
import org.aidcmp.schemas.touchpoint.ChooseSubscription;
import org.aidcmp.schemas.touchpoint.RequestAccountId;

/**
 * Onboarding (§4.1, §4.2) and Send MSP token (§7.1.4), over the User aggregate, the whole path: the account
 * id's session ({@link RequestAccountId}), the AiD terms, the subscription used in vehicles, and the MSP's
 * token. A Send MSP token comes here first, keyed by the user its account id names (ingress reads the account
 * id's CMP-only claim): the session (10, 11) and the user (24) are checked, then the token is claimed in its own
 * partition ({@code RoutesDecider}: unique to one user), and the claim's answer brings the call back, where
 * session, user and claim (23) are checked again, in that order, before the user federates. Three stages (user,
 * token, user). The session is in the user's state before the account id exists (ingress signs it only on this
 * stage's answer to {@link RequestAccountId}), so a Send MSP token can never arrive before its session.
 */
public final class OnboardingDecider implements Decider<UserState> {
  private final LifecycleSettings settings;

  public OnboardingDecider(LifecycleSettings settings) {
    this.settings = settings;
  }

  @Override
  public Decision<UserState> decide(UserState state, Message m, Instant now) {
    UserChange c = UserChange.of(state, m, now, settings);
    Object payload = m.payload();
    if (payload instanceof RequestAccountId r) {
      requestAccountId(c, r);
    } else if (payload instanceof AcceptAidTerms a) {
      c.s.setAidTermsAccepted(true);
      c.out.event(c.cmpUserId(), new AidTermsAccepted(c.cmpUserId(), a.getTermsVersion()));
      c.answer(200);
    } else if (payload instanceof ChooseSubscription choose) {
      chooseSubscription(c, choose.getMspToken());
    } else if (payload instanceof SendMspToken t) {
      if (state == null) {
        // The account id names a user this CMP does not have: no session of it can be found (10). No user made.
        c.out.reply(404, AidErrorCode.ACCOUNT_ID_NOT_FOUND.toErrorInfo(), null);
        return UserChange.unknownUser(c.out);
      }
      sendMspToken(c, t, (Aid1Inbound) m.envelope());
    } else if (payload instanceof MspTokenClaimAnswer answer) {
      tokenClaimAnswered(c, answer);
    } else {
      throw new IllegalArgumentException("onboarding does not take " + m.describe());
    }
    return c.decision();
  }

  /** §4.1 [3]-[4], §4.2 [5]-[6]: an account id (its sid) for an MSP. Ingress signs it once this is recorded. */
  private static void requestAccountId(UserChange c, RequestAccountId r) {
    UserState s = c.s;
    if (activeFederationWith(s, r.getMspId()).isPresent()) {
      c.answer(422, AidErrorCode.USER_ALREADY_HAS_MSP_TOKEN.toErrorInfo(), null);
      return;
    }
    s.getSessions().removeIf(session -> session.getUsed() || session.getExpiresAt().isBefore(c.now));
    s.getSessions().add(new OnboardingSession(r.getSid(), r.getMspId(), r.getExpiresAt(), false));
    c.out.event(s.getCmpUserId(), new AccountIdIssued(s.getCmpUserId(), r.getMspId(), r.getSid(), r.getExpiresAt()));
    c.answer(201);
  }

  private static void chooseSubscription(UserChange c, String mspToken) {
    Optional<Federation> federation = federation(c.s, mspToken).filter(f -> f.getStatus() == FederationStatus.ACTIVE);
    if (federation.isEmpty()) {
      c.answer(404, AidErrorCode.MSP_TOKEN_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    c.s.setPreferredMspToken(mspToken);
    c.out.event(c.cmpUserId(), new SubscriptionChosen(c.cmpUserId(), mspToken));
    c.answer(200);
  }

  /** §7.1.4: check the onboarding session, then claim the token (unique across users, code 23). */
  private static void sendMspToken(UserChange c, SendMspToken t, Aid1Inbound call) {
    UserState s = c.s;
    Optional<ErrorInfo> sessionError = sessionError(s, t, c.now);
    if (sessionError.isPresent()) {
      reject(c, t, sessionStatus(sessionError.get()), sessionError.get());
      return;
    }
    OnboardingSession session = session(s, t.getSid()).orElseThrow();
    if (t.getError() != null) {
      session.setUsed(true);
      c.out.event(s.getCmpUserId(), new OnboardingFailedAtMsp(s.getCmpUserId(), t.getMspId(), t.getSid(), t.getError()));
      c.answer(201);
      return;
    }
    if (t.getMspToken() == null) {
      reject(c, t, 422, AidErrorCode.MSP_TOKEN_OTHER.toErrorInfo());
      return;
    }
    if (activeFederationWith(s, t.getMspId()).isPresent()) {
      reject(c, t, 422, AidErrorCode.USER_ALREADY_HAS_MSP_TOKEN.toErrorInfo());
      return;
    }
    c.out.internal(AidTopic.INTERNAL_ROUTES, t.getMspToken(),
        new MspTokenClaim(t.getMspToken(), t.getMspId(), s.getCmpUserId(), call));
  }

  /** §7.1.4: an account id not found (10: no such session of this MSP) is 404; one no longer valid (11) 422. */
  private static int sessionStatus(ErrorInfo sessionError) {
    return AidErrorCode.ACCOUNT_ID_NOT_FOUND.code().equals(sessionError.getCode()) ? 404 : 422;
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

  /**
   * §7.1.4 with the routes stage's answer to the token's claim: the session (10, 11), the user (24), the
   * claim (23), in that order; then the federation. A token granted to a call that is refused is released,
   * unless the user federated it (by an earlier Send MSP token of the same session).
   */
  private static void tokenClaimAnswered(UserChange c, MspTokenClaimAnswer answer) {
    UserState s = c.s;
    SendMspToken t = (SendMspToken) answer.getSendMspToken().getPayload();
    Optional<ErrorInfo> sessionError = sessionError(s, t, c.now);
    boolean hasOne = activeFederationWith(s, t.getMspId()).isPresent();
    if (sessionError.isPresent() || hasOne || !answer.getGranted()) {
      if (answer.getGranted() && federation(s, t.getMspToken()).isEmpty()) {
        c.out.internal(AidTopic.INTERNAL_ROUTES, t.getMspToken(),
            new RouteUpdate(t.getMspToken(), RouteKind.MSP_TOKEN, null, t.getMspId()));
      }
      if (sessionError.isPresent()) {
        reject(c, t, sessionStatus(sessionError.get()), sessionError.get());
      } else {
        reject(c, t, 422, (hasOne ? AidErrorCode.USER_ALREADY_HAS_MSP_TOKEN : AidErrorCode.MSP_TOKEN_ALREADY_ASSIGNED)
            .toErrorInfo());
      }
      return;
    }
    session(s, t.getSid()).orElseThrow().setUsed(true);
    SubscriptionType type = t.getSubscriptionType() == null ? SubscriptionType.UNKNOWN : t.getSubscriptionType();
    s.getFederations().add(new Federation(t.getMspToken(), t.getMspId(), t.getSid(), FederationStatus.ACTIVE, type,
        t.getCustomerGroup(), t.getPhoneNumber()));
    if (s.getPreferredMspToken() == null) {
      s.setPreferredMspToken(t.getMspToken());
    }
    c.out.event(c.cmpUserId(), new FederationEstablished(c.cmpUserId(), t.getMspId(), t.getMspToken(), t.getSid(),
        type, t.getCustomerGroup(), t.getPhoneNumber()));
    c.answer(201);
  }

  private static void reject(UserChange c, SendMspToken t, int status, ErrorInfo error) {
    c.out.event(c.cmpUserId(),
        new OnboardingRejected(c.cmpUserId(), t.getMspId(), t.getSid(), t.getMspToken(), error));
    c.answer(status, error, null);
  }
}
