package org.aidcmp.infra.launcher.demo;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.schemas.lifecycle.FederationInvalidated;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
import org.aidcmp.schemas.lifecycle.WithdrawInitiator;

/** §4.4.1 / §7.1.10, with end condition c: the car holding the profile is offline and gets the delete later. */
final class WithdrawViaCmp implements Chapter {
  @Override
  public String section() {
    return "§4.4.1, §7.1.10, §4.4 end condition c";
  }

  @Override
  public String title() {
    return "Withdraw via the CMP touchpoint, with the car offline";
  }

  @Override
  public String story() {
    return "The third car, which holds Alice's last profile, is parked in a garage without coverage. Alice "
        + "withdraws from AiD in the app: the CMP invalidates her msp_token at the MSP at once and sends her to "
        + "the MSP's withdraw page. The car gets the delete when it is back online.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    World.User alice = w.user("alice");
    SimulatedVehicle car = w.vehicle(2);
    String iccid = World.iccidOn(car, alice);
    car.goOffline().get(w.wait.toMillis(), TimeUnit.MILLISECONDS);
    c.that("the third car is offline", !car.online(), "holding " + Flows.iccids(car));

    Instant before = Instant.now();
    World.Answer withdrawn = w.asUser(alice, "POST", "/api/v1/subscriptions/" + alice.mspToken() + "/withdraw", "{}");
    String redirect = withdrawn.body().path("redirect_url").asText("");
    c.that("Alice withdraws and is sent to the MSP's withdraw page",
        withdrawn.status() / 100 == 2 && redirect.equals(alice.msp().withdrawUrl()),
        "HTTP " + withdrawn.status() + ", redirect to " + redirect);
    c.eventually("the CMP invalidated her msp_token at " + alice.msp().id() + " (§7.1.10)",
        () -> alice.msp().simulator().requests(r -> r.call() == MspCall.REQUEST_INVALIDATE_MSP_TOKEN
            && alice.mspToken().equals(r.mspToken())).stream().findFirst().orElse(null),
        r -> "the simulator's request log: DELETE /v1/users/{msp_token} answered " + r.status()
            + "; the MSP now " + (alice.msp().simulator().userValid(alice.mspToken()) ? "still valid" : "invalid"));
    c.eventually("the platform recorded the withdraw (FederationInvalidated by the CMP touchpoint)",
        () -> w.events.first(FederationInvalidated.class, e -> e.getMspToken().equals(alice.mspToken())
            && e.getInitiatedBy() == WithdrawInitiator.CMP_TOUCHPOINT), e -> "aid.lifecycle.events: "
            + "FederationInvalidated, " + e.getInitiatedBy());
    c.that("nothing reached the offline car: it still holds " + iccid, World.holds(car, iccid),
        "eUICC " + Flows.iccids(car));

    car.goOnline().get(w.wait.toMillis(), TimeUnit.MILLISECONDS);
    c.that("the third car is back online", car.online(), "connected to the broker again");
    Flows.deletedFromCar(w, c, car, iccid, before);
    Flows.deletedEvent(w, c, iccid);
    c.eventually("her federation is gone once its last profile is (FederationRemoved)",
        () -> w.events.first(FederationRemoved.class, e -> e.getMspToken().equals(alice.mspToken())),
        e -> "aid.lifecycle.events: FederationRemoved for " + e.getMspId());
  }
}
