package org.aidcmp.lifecycle.user;

import static org.aidcmp.lifecycle.user.UserQueries.federation;
import static org.aidcmp.lifecycle.user.UserQueries.profile;
import static org.aidcmp.lifecycle.user.UserQueries.ref;

import java.util.Optional;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.SendCsimStatus;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.internal.RouteKind;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.lifecycle.DeleteReason;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
import org.aidcmp.schemas.lifecycle.ProfileDeleteRequested;
import org.aidcmp.schemas.lifecycle.ProfileDeleted;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.FederationStatus;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.ProfileState;
import org.aidcmp.schemas.topics.AidTopic;

/**
 * Steps on the user's profiles that several procedures take (swap, §4.6 reconciliation, §4.7 invalid, withdraw,
 * delete, a vehicle's report), written once.
 */
public final class ProfileSteps {
  private ProfileSteps() {}

  /** A delete to the vehicle holding the profile (§7.2.4). */
  public static void requestDelete(UserChange c, Profile p, DeleteReason reason) {
    p.setState(ProfileState.DELETE_PENDING);
    c.out.toVehicle(p.getVin(), new RequestDeleteProfile(new VehicleRequestId(p.getVin(), c.now.getEpochSecond()),
        c.cmpUserId(), p.getIccid(), p.getEid()));
    c.out.event(c.cmpUserId(), new ProfileDeleteRequested(ref(c.s, p), reason));
  }

  /** A delete, unless one is on its way already. */
  public static void deleteUnlessPending(UserChange c, Profile p, DeleteReason reason) {
    if (p.getState() != ProfileState.DELETE_PENDING) {
      requestDelete(c, p, reason);
    }
  }

  /** The profile can never give service again (swapped out, invalid at the MSP, unknown to it): deleted. */
  public static void invalidateAndDelete(UserChange c, Profile p, DeleteReason reason) {
    p.setInvalid(true);
    deleteUnlessPending(c, p, reason);
  }

  /**
   * A profile is gone from its vehicle: reported to its MSP (always while the token is withdrawn, §4.4.1
   * [12]; otherwise as configured, §4.5 [8], §7.1.9) and, if it was the token's last one during withdraw, the
   * federation is removed (§4.4.1 [13]).
   */
  public static void profileGone(UserChange c, String iccid) {
    Optional<Profile> profile = profile(c.s, iccid);
    if (profile.isEmpty()) {
      return;
    }
    Profile p = profile.get();
    c.s.getProfiles().remove(p);
    c.out.event(c.cmpUserId(), new ProfileDeleted(ref(c.s, p)));
    Optional<Federation> federation = federation(c.s, p.getMspToken());
    if (federation.isEmpty()) {
      return;
    }
    boolean withdrawing = federation.get().getStatus() == FederationStatus.WITHDRAWING;
    if (withdrawing || c.settings.forwards(federation.get().getMspId(), CsimStatusValue.DELETED)) {
      c.out.toMsp(c.cmpUserId(), p.getMspToken(), new SendCsimStatus(federation.get().getMspId(), p.getMspToken(), p.getIccid(),
          p.getEid(), CsimStatusValue.DELETED));
    }
    if (withdrawing) {
      removeFederationWhenEmpty(c, federation.get());
    }
  }

  /** §7.1.9: the profile's status to its MSP, if that MSP gets this status. */
  public static void tellMsp(UserChange c, Profile p, CsimStatusValue status) {
    federation(c.s, p.getMspToken())
        .filter(f -> c.settings.forwards(f.getMspId(), status))
        .ifPresent(f -> c.out.toMsp(c.cmpUserId(), p.getMspToken(),
            new SendCsimStatus(f.getMspId(), p.getMspToken(), p.getIccid(), p.getEid(), status)));
  }

  /** Annex A.3: once its last profile is deleted the token is gone, and onboarding again starts afresh. */
  public static void removeFederationWhenEmpty(UserChange c, Federation f) {
    for (Profile p : c.s.getProfiles()) {
      if (p.getMspToken().equals(f.getMspToken())) {
        return;
      }
    }
    c.s.getFederations().remove(f);
    c.out.event(c.cmpUserId(), new FederationRemoved(c.cmpUserId(), f.getMspId(), f.getMspToken()));
    c.out.internal(AidTopic.INTERNAL_ROUTES, f.getMspToken(),
        new RouteUpdate(f.getMspToken(), RouteKind.MSP_TOKEN, null, f.getMspId()));
  }
}
