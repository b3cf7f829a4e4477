package org.aidcmp.infra.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.schemas.lifecycle.FederationInvalidated;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
import org.aidcmp.schemas.lifecycle.WithdrawInitiator;

/** §4.4.2 / §7.1.5: the MSP ends the federation with Notify MSP token invalid. */
final class WithdrawViaMsp implements Chapter {
  @Override
  public String section() {
    return "§4.4.2, §7.1.5";
  }

  @Override
  public String title() {
    return "Withdraw via the MSP touchpoint";
  }

  @Override
  public String story() {
    return "Carol logs into the second car, then ends her AiD option at msp-sync's portal: the MSP notifies the "
        + "CMP that her msp_token is invalid, the CMP deletes her profile from the car and removes the "
        + "federation; customer care sees the withdrawal with its reason.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    World.User carol = w.user("carol");
    SimulatedVehicle car = w.vehicle(1);
    String iccid = Checks.needed(Flows.provision(w, c, car, carol), "carol's profile on the second car");
    Instant before = Instant.now();
    CmpClient.Answer notified = carol.msp().cmp().notifyMspTokenInvalid(carol.mspToken(), "customer ended AiD");
    c.that(carol.msp().id() + " notifies that Carol's msp_token is invalid", notified.successful(),
        "HTTP " + notified.status());
    c.eventually("the platform recorded the withdraw (FederationInvalidated by the MSP, with the reason)",
        () -> w.events.first(FederationInvalidated.class, e -> e.getMspToken().equals(carol.mspToken())
            && e.getInitiatedBy() == WithdrawInitiator.MSP), e -> "aid.lifecycle.events: FederationInvalidated, "
            + e.getInitiatedBy() + ", reason '" + e.getReason() + "'");
    Flows.deletedFromCar(w, c, car, iccid, before);
    Flows.deletedEvent(w, c, iccid);
    c.eventually("her federation is removed (FederationRemoved)",
        () -> w.events.first(FederationRemoved.class, e -> e.getMspToken().equals(carol.mspToken())),
        e -> "aid.lifecycle.events: FederationRemoved for " + e.getMspId());
    c.eventually("her withdrawals in the query API: removed, initiated by the MSP, no profile left", () -> {
      for (JsonNode x : w.asUser(carol, "GET", "/api/v1/me/withdrawals", "").body().path("items")) {
        if (x.path("mspToken").asText().equals(carol.mspToken()) && x.path("initiatedBy").asText().equals("MSP")
            && x.path("state").asText().equals("REMOVED") && x.path("profilesRemaining").asLong(-1) == 0) {
          return x;
        }
      }
      return null;
    }, x -> "GET /api/v1/me/withdrawals: " + x.path("state").asText() + ", " + x.path("initiatedBy").asText()
        + ", " + x.path("profilesRemaining").asText() + " profiles remaining");
  }
}
