package org.aidcmp.infra.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.msp.RecordedRequest;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.schemas.lifecycle.ProfileDeleted;
import org.aidcmp.schemas.lifecycle.ProfileInstalled;

/** The steps several chapters share, each with its checks. */
final class Flows {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Flows() {}

  /** §4.3: {@code user} logs into {@code car}, which has no profile of theirs: one is downloaded; its ICCID. */
  static String provision(World w, Checks c, SimulatedVehicle car, World.User user) throws Exception {
    Outcome login = w.outcome(car.login(user.cmpUserId()));
    c.that(user.name() + " logs into " + car.vin() + ": a profile is downloaded, installed and enabled",
        login.result() == Outcome.Result.PROVISIONED, "the vehicle's login flow ended " + login.result()
            + " in " + login.latency().toMillis() + " ms");
    String iccid = World.iccidOn(car, user);
    c.eventually("the platform recorded profile " + iccid + " installed on " + car.vin() + " (ProfileInstalled)",
        () -> w.events.first(ProfileInstalled.class, e -> e.getProfile().getIccid().equals(iccid)
            && car.vin().equals(e.getProfile().getVin())), e -> "aid.lifecycle.events: ProfileInstalled for "
            + e.getProfile().getCmpUserId());
    return iccid;
  }

  /** The vehicle answered a Request delete profile for {@code iccid} (after {@code since}) and no longer has it. */
  static Outcome deletedFromCar(World w, Checks c, SimulatedVehicle car, String iccid, Instant since)
      throws InterruptedException {
    return c.eventually("the vehicle " + car.vin() + " deleted " + iccid + " (§7.2.4) and its eUICC no longer holds it",
        () -> {
          Outcome o = w.seen(x -> x.flow() == Outcome.Flow.DELETE_PROFILE && x.vin().equals(car.vin())
              && x.result() == Outcome.Result.DELETED && !x.at().isBefore(since));
          return o != null && !World.holds(car, iccid) ? o : null;
        }, o -> "vehicle flow DELETE_PROFILE " + o.result() + "; eUICC now " + iccids(car));
  }

  /** The platform recorded the profile gone (ProfileDeleted). */
  static void deletedEvent(World w, Checks c, String iccid) throws InterruptedException {
    c.eventually("the platform recorded " + iccid + " deleted (ProfileDeleted)",
        () -> w.events.first(ProfileDeleted.class, e -> e.getProfile().getIccid().equals(iccid)),
        e -> "aid.lifecycle.events: ProfileDeleted for " + e.getProfile().getCmpUserId() + " on "
            + e.getProfile().getVin());
  }

  /** §7.1.9: the MSP was sent Send CSIM status {@code status} for {@code iccid}. */
  static void mspTold(Checks c, World.Msp msp, String iccid, String status) throws InterruptedException {
    c.eventually("the MSP " + msp.id() + " was told " + iccid + " is " + status + " (§7.1.9 Send CSIM status)",
        () -> msp.simulator().requests(r -> r.call() == MspCall.SEND_CSIM_STATUS
            && iccid.equals(field(r, "iccid")) && status.equals(field(r, "status"))).stream().findFirst()
            .orElse(null), r -> "the simulator's request log: " + r.method() + " " + r.path().replaceAll(
                "[0-9a-f-]{36}", "{msp_token}") + " answered " + r.status());
  }

  static String field(RecordedRequest r, String name) {
    try {
      JsonNode body = JSON.readTree(r.body());
      return body.hasNonNull(name) ? body.get(name).asText() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static String iccids(SimulatedVehicle car) {
    return car.profiles().stream().map(p -> p.iccid() + " " + p.status()).toList().toString();
  }
}
