package org.aidcmp.infra.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.vehicle.Euicc;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.schemas.common.ProfileInformationStatus;
import org.aidcmp.schemas.lifecycle.ProfileMspStatusChanged;

/** §4.7 / §7.1.6: the MSP says a profile is suspended (recorded for care), then invalid (deleted from the car). */
final class SendProfileInformation implements Chapter {
  @Override
  public String section() {
    return "§4.7, §7.1.6";
  }

  @Override
  public String title() {
    return "Send profile information: suspended, then invalid";
  }

  @Override
  public String story() {
    return "msp-sync suspends Alice's profile in the car that kept it (an unpaid bill): the CMP records it, "
        + "customer care sees it. Later the MSP declares it invalid: the CMP deletes it from the car and tells "
        + "the MSP it is gone.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    World.User alice = w.user("alice");
    SimulatedVehicle car = Checks.needed(carWithProfileOf(w, alice, 2), "a first or second car with alice's profile");
    String iccid = World.profileOf(car, alice).map(Euicc.Profile::iccid).orElseThrow();
    CmpClient.Answer suspended = alice.msp().cmp().sendProfileInformation(alice.mspToken(),
        List.of(new CmpClient.ProfileInformation(iccid, "suspended", "payment overdue")));
    c.that(alice.msp().id() + " reports " + iccid + " suspended", suspended.successful(),
        "HTTP " + suspended.status());
    c.eventually("the platform recorded the suspension (ProfileMspStatusChanged SUSPENDED)",
        () -> w.events.first(ProfileMspStatusChanged.class, e -> e.getProfile().getIccid().equals(iccid)
            && e.getStatus() == ProfileInformationStatus.SUSPENDED), e -> "aid.lifecycle.events: reason '"
            + e.getReason() + "'");
    c.eventually("customer care sees it suspended, with the reason, in the profile's history", () -> {
      JsonNode profile = w.asCare("/api/v1/care/profiles/" + iccid + "/history").body().path("profile");
      return profile.path("mspStatus").asText().equals("SUSPENDED") ? profile : null;
    }, p -> "GET /api/v1/care/profiles/{iccid}/history: mspStatus " + p.path("mspStatus").asText() + " ("
        + p.path("mspStatusReason").asText() + "), state " + p.path("state").asText());
    c.that("a suspended profile stays on the car", World.holds(car, iccid), "eUICC of " + car.vin() + ": "
        + Flows.iccids(car));

    Instant before = Instant.now();
    CmpClient.Answer invalid = alice.msp().cmp().sendProfileInformation(alice.mspToken(),
        List.of(new CmpClient.ProfileInformation(iccid, "invalid", "subscription line cancelled")));
    c.that(alice.msp().id() + " reports " + iccid + " invalid", invalid.successful(), "HTTP " + invalid.status());
    Flows.deletedFromCar(w, c, car, iccid, before);
    Flows.deletedEvent(w, c, iccid);
    Flows.mspTold(c, alice.msp(), iccid, "deleted");
  }

  /** The first of the first {@code count} cars that holds a profile of {@code user}; null if none. */
  static SimulatedVehicle carWithProfileOf(World w, World.User user, int count) {
    for (SimulatedVehicle v : w.vehicles.subList(0, count)) {
      if (World.profileOf(v, user).isPresent()) {
        return v;
      }
    }
    return null;
  }
}
