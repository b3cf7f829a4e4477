package org.aidcmp.infra.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;

/** §4.10 (numbered 4.1 in the spec) / §7.2.7: the CMP asks a car what its eUICC holds. */
final class RequestCsimInfo implements Chapter {
  @Override
  public String section() {
    return "§4.10, §7.2.7";
  }

  @Override
  public String title() {
    return "Request CSIM info";
  }

  @Override
  public String story() {
    return "The fleet operator asks the third car for its CSIM info: the car answers with Send CSIM status for "
        + "every profile on its eUICC, and customer care's view of the car matches the eUICC.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    SimulatedVehicle car = w.vehicle(2);
    Instant before = Instant.now();
    World.Answer asked = w.asOperator("POST", "/api/v1/fleet/vehicles/" + car.vin() + "/csim-info-requests", "{}");
    c.that("the fleet operator asks for the car's CSIM info", asked.status() == 202, "HTTP " + asked.status());
    c.eventually("the car answered Request CSIM info with its inventory",
        () -> w.seen(o -> o.flow() == Outcome.Flow.CSIM_INFO && o.vin().equals(car.vin())
            && o.result() == Outcome.Result.REPORTED && !o.at().isBefore(before)),
        o -> "vehicle flow CSIM_INFO " + o.result() + "; eUICC " + Flows.iccids(car));
    Set<String> onCar = new TreeSet<>();
    car.profiles().forEach(p -> onCar.add(p.iccid()));
    c.eventually("customer care's inventory of the car is what the eUICC holds", () -> {
      JsonNode inventory = w.asCare("/api/v1/care/vehicles/" + car.vin() + "/inventory").body();
      Set<String> known = new TreeSet<>();
      inventory.path("inventory").path("items").forEach(i -> known.add(i.path("iccid").asText()));
      return known.equals(onCar) && !known.isEmpty() ? known : null;
    }, known -> "GET /api/v1/care/vehicles/{vin}/inventory: " + known);
  }
}
