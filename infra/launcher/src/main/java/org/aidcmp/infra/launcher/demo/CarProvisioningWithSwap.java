package org.aidcmp.infra.launcher.demo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.ProfileSwapped;

/** §4.3 and §4.3.1: three cars, a subscription with room for two profiles, so the third login swaps one out. */
final class CarProvisioningWithSwap implements Chapter {
  @Override
  public String section() {
    return "§4.3, §4.3.1";
  }

  @Override
  public String title() {
    return "Car provisioning in three vehicles, with a profile swap";
  }

  @Override
  public String story() {
    return "Alice logs into three cars one after the other. Each car asks the CMP for an activation code "
        + "(over MQTT), the CMP asks msp-sync (Request activation code, answered at once), the car downloads "
        + "the profile from the MSP's SM-DP+ and reports it installed and enabled. msp-sync allows two live "
        + "profiles per subscription: for the third car the CMP suggests a profile to replace, and the MSP swaps "
        + "it out; the CMP then deletes it from the car that held it.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    World.User alice = w.user("alice");
    Instant start = Instant.now();
    List<String> iccids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      iccids.add(Checks.needed(Flows.provision(w, c, w.vehicle(i), alice), "alice's profile on car " + i));
    }
    SimulatedVehicle third = w.vehicle(2);
    ActivationCodeReceived swap = c.eventually("the MSP's answer for the third car swapped one of her profiles out",
        () -> w.events.first(ActivationCodeReceived.class, e -> e.getVin().equals(third.vin())
            && e.getCmpUserId().equals(alice.cmpUserId()) && e.getSwappedIccid() != null),
        e -> "ActivationCodeReceived with swappedIccid " + e.getSwappedIccid());
    String swapped = Checks.needed(swap, "a swap").getSwappedIccid();
    c.that("the swapped profile is one of the first two cars'", iccids.subList(0, 2).contains(swapped),
        "swapped " + swapped + " of " + iccids.subList(0, 2));
    c.eventually("the platform recorded the swap (ProfileSwapped)", () -> w.events.first(ProfileSwapped.class,
        e -> e.getSwapped().getIccid().equals(swapped)), e -> "ProfileSwapped: " + e.getSwapped().getIccid()
        + " for " + e.getNewIccid() + " (the CMP suggested " + e.getSuggestedIccid() + ")");
    SimulatedVehicle holder = w.vehicle(iccids.indexOf(swapped));
    Flows.deletedFromCar(w, c, holder, swapped, start);
    Flows.deletedEvent(w, c, swapped);
    long calls = alice.msp().simulator().requests(r -> r.call() == MspCall.REQUEST_ACTIVATION_CODE
        && alice.mspToken().equals(r.mspToken()) && r.status() == 200).size();
    c.that("msp-sync answered three Request activation code calls synchronously (§7.1.8.1, 200)", calls == 3,
        calls + " answered 200 in the simulator's request log");
  }
}
