package org.aidcmp.infra.launcher.demo;

import java.time.Instant;
import org.aidcmp.infra.msp.CmpActivationCodeSink;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.vehicle.SimulatedVehicle;

/** §4.5: a user deletes their profile from one car at the touchpoint. */
final class DeleteProfile implements Chapter {
  @Override
  public String section() {
    return "§4.5, §7.2.4";
  }

  @Override
  public String title() {
    return "Delete one profile";
  }

  @Override
  public String story() {
    return "Bob logs into the first car; his MSP, msp-async, accepts the request (201) and sends the activation "
        + "code a moment later (Send activation code). Then he removes his profile from that car in the app: "
        + "the CMP sends the car Request delete profile, the car deletes it, and the MSP is told.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    World.User bob = w.user("bob");
    SimulatedVehicle car = w.vehicle(0);
    String iccid = Checks.needed(Flows.provision(w, c, car, bob), "bob's profile on the first car");
    c.that("msp-async answered Request activation code with 201 and sent the code by Send activation code "
            + "(§7.1.8.2), which the platform took (200)",
        !bob.msp().simulator().requests(r -> r.call() == MspCall.REQUEST_ACTIVATION_CODE
            && bob.mspToken().equals(r.mspToken()) && r.status() == 201).isEmpty()
            && bob.msp().activationCodes().deliveries().stream().map(CmpActivationCodeSink.Delivery::status)
            .anyMatch(s -> s == 200),
        "simulator: " + bob.msp().simulator().requests(r -> r.call() == MspCall.REQUEST_ACTIVATION_CODE
            && bob.mspToken().equals(r.mspToken())).stream().map(r -> "Request activation code -> " + r.status())
            .toList() + ", Send activation code answers " + bob.msp().activationCodes().deliveries().stream()
            .map(CmpActivationCodeSink.Delivery::status).toList());
    Flows.mspTold(c, bob.msp(), iccid, "enabled");
    Instant before = Instant.now();
    World.Answer deleted = w.asUser(bob, "DELETE", "/api/v1/vehicles/" + car.vin() + "/profiles/" + iccid, "");
    c.that("Bob asks the CMP to delete it", deleted.status() == 202, "HTTP " + deleted.status());
    Flows.deletedFromCar(w, c, car, iccid, before);
    Flows.deletedEvent(w, c, iccid);
    Flows.mspTold(c, bob.msp(), iccid, "deleted");
  }
}
