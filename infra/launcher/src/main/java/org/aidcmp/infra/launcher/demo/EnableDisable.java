package org.aidcmp.infra.launcher.demo;

import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.infra.vehicle.StatusWord;
import org.aidcmp.schemas.lifecycle.ProfileDisabled;
import org.aidcmp.schemas.lifecycle.ProfileEnableFailed;
import org.aidcmp.schemas.lifecycle.ProfileEnabled;

/** §4.9: logout disables, login enables; one enable fails on the eUICC and the CMP is told so. */
final class EnableDisable implements Chapter {
  @Override
  public String section() {
    return "§4.9, §7.2.5";
  }

  @Override
  public String title() {
    return "Enable and disable, with one failure";
  }

  @Override
  public String story() {
    return "Alice locks the third car (logout): her profile is disabled and the car reports it. She comes back, "
        + "but this time the eUICC refuses the enable (status word 6985): the car sends Enable profile error. "
        + "She tries again and the profile is enabled.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    World.User alice = w.user("alice");
    SimulatedVehicle car = w.vehicle(2);
    String iccid = World.iccidOn(car, alice);
    Outcome logout = w.outcome(car.logout(alice.cmpUserId()));
    c.that("logout disables her profile on the eUICC", logout.result() == Outcome.Result.DISABLED,
        "the vehicle's logout flow ended " + logout.result());
    c.eventually("the platform recorded it disabled (Send CSIM status -> ProfileDisabled)",
        () -> w.events.first(ProfileDisabled.class, e -> e.getProfile().getIccid().equals(iccid)),
        e -> "aid.lifecycle.events: ProfileDisabled on " + e.getProfile().getVin());
    Flows.mspTold(c, alice.msp(), iccid, "disabled");

    car.faults().failNextEnable(StatusWord.CONDITIONS_NOT_SATISFIED);
    Outcome refused = w.outcome(car.login(alice.cmpUserId()));
    c.that("the next login's enable fails on the eUICC (planted: 6985)",
        refused.result() == Outcome.Result.ENABLE_FAILED, "the vehicle's login flow ended " + refused.result()
            + " " + refused.detail());
    c.eventually("the platform was told of the failure (Send enable profile error -> ProfileEnableFailed)",
        () -> w.events.first(ProfileEnableFailed.class, e -> e.getProfile().getIccid().equals(iccid)),
        e -> "aid.lifecycle.events: ProfileEnableFailed, csimErrorCode " + Integer.toHexString(
            e.getCsimErrorCode() == null ? 0 : e.getCsimErrorCode()).toUpperCase());

    Outcome enabled = w.outcome(car.login(alice.cmpUserId()));
    c.that("she logs in again: the profile already on the eUICC is enabled (no new download)",
        enabled.result() == Outcome.Result.ENABLED, "the vehicle's login flow ended " + enabled.result());
    c.eventually("the platform recorded it enabled again (ProfileEnabled after the ProfileEnableFailed)", () -> {
      java.util.List<Object> all = w.events.all();
      int failedAt = -1;
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i) instanceof ProfileEnableFailed f && f.getProfile().getIccid().equals(iccid)) {
          failedAt = i;
        } else if (failedAt >= 0 && all.get(i) instanceof ProfileEnabled e && e.getProfile().getIccid().equals(iccid)) {
          return e;
        }
      }
      return null;
    }, e -> "aid.lifecycle.events: ProfileEnabled on " + e.getProfile().getVin());
    c.eventually(alice.msp().id() + " knows it enabled again (§7.1.9 Send CSIM status)",
        () -> alice.msp().simulator().profileState(alice.mspToken(), iccid)
            .filter(s -> s == org.aidcmp.infra.msp.ProfileState.ENABLED).orElse(null),
        s -> "the simulator's state of " + iccid + ": " + s);
  }
}
