package org.aidcmp.infra.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.schemas.lifecycle.ProfilesReconciled;

/** §4.6 / §7.1.11: a planted divergence between CMP and MSP, repaired by the profile status synchronisation. */
final class ProfileStatusSync implements Chapter {
  @Override
  public String section() {
    return "§4.6, §7.1.11, Annex A.5";
  }

  @Override
  public String title() {
    return "Profile status synchronisation repairs a planted divergence";
  }

  @Override
  public String story() {
    return "Alice logs into the second car and gets a new profile. Then we plant a divergence: msp-sync drops "
        + "that profile on its side and the CMP never hears of it. Customer care asks for a profile status sync: "
        + "the CMP asks the MSP for its list (Request profile status), and since the MSP's list decides which "
        + "profiles exist, it deletes the one the MSP no longer has and leaves the other alone.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    World.User alice = w.user("alice");
    SimulatedVehicle car = w.vehicle(1);
    String iccid = Checks.needed(Flows.provision(w, c, car, alice), "alice's new profile on the second car");
    String kept = World.profileOf(w.vehicle(2), alice).map(p -> p.iccid()).orElse(null);
    c.eventually("the CMP knows " + iccid + " as a live profile of the second car (query API)", () -> {
      for (JsonNode p : w.asCare("/api/v1/care/vehicles/" + car.vin() + "/inventory").body().path("profiles")) {
        if (p.path("iccid").asText().equals(iccid) && !p.path("state").asText().equals("DELETED")) {
          return p;
        }
      }
      return null;
    }, p -> "GET /api/v1/care/vehicles/{vin}/inventory: " + iccid + " " + p.path("state").asText());
    c.that("planted: msp-sync drops " + iccid + " without telling the CMP",
        alice.msp().simulator().dropProfile(alice.mspToken(), iccid), "the simulator no longer lists it");

    Instant before = Instant.now();
    World.Answer sync = w.asUser(alice, "POST", "/api/v1/subscriptions/" + alice.mspToken() + "/profile-status-sync",
        "{}");
    c.that("the profile status sync is asked for", sync.status() == 202, "HTTP " + sync.status());
    c.eventually("the CMP asked the MSP for its list (§7.1.11 Request profile status)",
        () -> alice.msp().simulator().requests(r -> r.call() == MspCall.REQUEST_PROFILE_STATUS
            && alice.mspToken().equals(r.mspToken()) && r.status() == 200).stream().findFirst().orElse(null),
        r -> "the simulator's request log: GET /v1/profiles/status/{msp_token} answered " + r.status());
    ProfilesReconciled reconciled = c.eventually("the platform reconciled: " + iccid + " is not in the MSP's list",
        () -> w.events.first(ProfilesReconciled.class, e -> e.getMspToken().equals(alice.mspToken())
            && e.getChanges().stream().anyMatch(x -> x.getIccid().equals(iccid) && x.getAfter() == null)),
        e -> "aid.lifecycle.events: ProfilesReconciled " + e.getChanges().stream()
            .map(x -> x.getIccid() + " " + x.getBefore() + " -> " + x.getAfter()).toList());
    Checks.needed(reconciled, "the reconciliation");
    c.that("nothing else had diverged: the planted profile is the only change",
        reconciled.getChanges().size() == 1, reconciled.getChanges().size() + " change(s)");
    Flows.deletedFromCar(w, c, car, iccid, before);
    c.that("the profile the MSP still lists stays where it is", kept != null && World.holds(w.vehicle(2), kept),
        "eUICC of the third car: " + Flows.iccids(w.vehicle(2)));
  }
}
