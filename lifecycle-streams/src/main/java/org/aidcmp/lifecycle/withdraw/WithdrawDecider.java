package org.aidcmp.lifecycle.withdraw;

import static org.aidcmp.lifecycle.user.UserQueries.federation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.aidcmp.lifecycle.Decider;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.provisioning.CarProvisioningDecider;
import org.aidcmp.lifecycle.user.ProfileSteps;
import org.aidcmp.lifecycle.user.UserChange;
import org.aidcmp.schemas.AidErrorCode;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.RequestInvalidateMspToken;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailure;
import org.aidcmp.schemas.lifecycle.DeleteReason;
import org.aidcmp.schemas.lifecycle.FederationInvalidated;
import org.aidcmp.schemas.lifecycle.WithdrawInitiator;
import org.aidcmp.schemas.state.ActivationCodeInFlight;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.FederationStatus;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.touchpoint.WithdrawOnboarding;

/**
 * Withdraw onboarding (§4.4) over the User aggregate: via the CMP touchpoint (§4.4.1, with Request invalidate
 * MSP token, §7.1.10) or via the MSP (§4.4.2, Notify MSP token invalid, §7.1.5). The token requests nothing new
 * from then on (in-flight AC requests fail), every vehicle holding one of its profiles gets a delete, and the
 * token stays until the last deletion is reported ({@link ProfileSteps#profileGone}, then
 * {@link ProfileSteps#removeFederationWhenEmpty}, Annex A.3).
 */
public final class WithdrawDecider implements Decider<UserState> {
  private final LifecycleSettings settings;

  public WithdrawDecider(LifecycleSettings settings) {
    this.settings = settings;
  }

  @Override
  public Decision<UserState> decide(UserState state, Message m, Instant now) {
    UserChange c = UserChange.of(state, m, now, settings);
    if (m.payload() instanceof WithdrawOnboarding w) {
      withdraw(c, w.getMspToken(), WithdrawInitiator.CMP_TOUCHPOINT, null);
    } else if (m.payload() instanceof NotifyMspTokenInvalid n) {
      withdraw(c, n.getMspToken(), WithdrawInitiator.MSP, n.getReason());
    } else {
      throw new IllegalArgumentException("withdraw does not take " + m.describe());
    }
    return c.decision();
  }

  private static void withdraw(UserChange c, String mspToken, WithdrawInitiator by, String reason) {
    UserState s = c.s;
    Optional<Federation> federation = federation(s, mspToken);
    int done = by == WithdrawInitiator.MSP ? 204 : 202;
    if (federation.isEmpty()) {
      c.answer(404, AidErrorCode.MSP_TOKEN_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    Federation f = federation.get();
    // The touchpoint needs the MSP to redirect the user to its withdraw page (§4.4.1 [4], [6]).
    String body = by == WithdrawInitiator.CMP_TOUCHPOINT ? mspIdBody(f.getMspId()) : null;
    if (f.getStatus() == FederationStatus.WITHDRAWING) {
      c.answer(done, null, body);
      return;
    }
    f.setStatus(FederationStatus.WITHDRAWING);
    c.out.event(c.cmpUserId(), new FederationInvalidated(c.cmpUserId(), f.getMspId(), mspToken, by, reason));
    if (by == WithdrawInitiator.CMP_TOUCHPOINT) {
      c.out.toMsp(c.cmpUserId(), mspToken, new RequestInvalidateMspToken(f.getMspId(), mspToken));
    }
    if (mspToken.equals(s.getPreferredMspToken())) {
      s.setPreferredMspToken(null);
    }
    for (ActivationCodeInFlight inFlight : List.copyOf(s.getActivationCodesInFlight())) {
      if (inFlight.getMspToken().equals(mspToken)) {
        CarProvisioningDecider.failActivationCode(c, inFlight, ActivationCodeFailure.FEDERATION_INVALIDATED, null);
      }
    }
    for (Profile p : List.copyOf(s.getProfiles())) {
      if (p.getMspToken().equals(mspToken)) {
        ProfileSteps.deleteUnlessPending(c, p, DeleteReason.WITHDRAW);
      }
    }
    ProfileSteps.removeFederationWhenEmpty(c, f);
    c.answer(done, null, body);
  }

  private static String mspIdBody(String mspId) {
    return "{\"mspId\":\"" + mspId.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
  }
}
