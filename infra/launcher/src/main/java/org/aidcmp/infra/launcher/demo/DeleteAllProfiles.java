package org.aidcmp.infra.launcher.demo;

import java.time.Instant;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;

/** §4.11 (numbered 4.2 in the spec) / §7.2.8: every profile of one car deleted, each MSP told of its own. */
final class DeleteAllProfiles implements Chapter {
  @Override
  public String section() {
    return "§4.11, §7.2.8";
  }

  @Override
  public String title() {
    return "Delete all profiles on a vehicle";
  }

  @Override
  public String story() {
    return "Carol (msp-sync) and Bob (msp-async) both log into the first car. The car is sold: the fleet "
        + "operator deletes every profile on it. The car empties its eUICC and reports it; each MSP hears of "
        + "its own subscriber's profile.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    SimulatedVehicle car = w.vehicle(0);
    World.User carol = w.user("carol");
    World.User bob = w.user("bob");
    String carols = Checks.needed(Flows.provision(w, c, car, carol), "carol's profile on the first car");
    String bobs = Checks.needed(Flows.provision(w, c, car, bob), "bob's profile on the first car");
    Flows.mspTold(c, carol.msp(), carols, "enabled");
    Flows.mspTold(c, bob.msp(), bobs, "enabled");
    Instant before = Instant.now();
    World.Answer all = w.asOperator("DELETE", "/api/v1/fleet/vehicles/" + car.vin() + "/profiles", "");
    c.that("the fleet operator deletes every profile on " + car.vin(), all.status() == 202, "HTTP " + all.status());
    c.eventually("the car deleted all its profiles (Request delete all profiles) and its eUICC is empty",
        () -> {
          Outcome o = w.seen(x -> x.flow() == Outcome.Flow.DELETE_ALL_PROFILES && x.vin().equals(car.vin())
              && x.result() == Outcome.Result.ALL_DELETED && !x.at().isBefore(before));
          return o != null && car.profiles().isEmpty() ? o : null;
        }, o -> "vehicle flow DELETE_ALL_PROFILES " + o.result() + "; eUICC " + Flows.iccids(car));
    Flows.deletedEvent(w, c, carols);
    Flows.deletedEvent(w, c, bobs);
    Flows.mspTold(c, carol.msp(), carols, "deleted");
    Flows.mspTold(c, bob.msp(), bobs, "deleted");
  }
}
