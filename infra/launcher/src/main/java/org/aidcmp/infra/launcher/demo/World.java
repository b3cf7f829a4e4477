package org.aidcmp.infra.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.aidcmp.infra.msp.CmpActivationCodeSink;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.vehicle.Euicc;
import org.aidcmp.infra.vehicle.Fleet;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;

/**
 * Everything the story acts on and reads from: the platform's touchpoint API, two simulated MSPs (their
 * {@link CmpClient} calling the platform, their simulator answering egress), a simulated fleet over MQTT, the
 * lifecycle event topic, and the users the chapters onboard.
 */
public final class World {
  /** A simulated MSP; {@code activationCodes} is null when it answers synchronously. */
  public record Msp(String id, CmpClient cmp, MspSimulator simulator, CmpActivationCodeSink activationCodes,
                    String touchpointUrl, String redirectBase, String withdrawUrl) {}

  /** A user onboarded by a chapter: the CMP user id (their token's sub), the MSP and the msp_token. */
  public record User(String name, String cmpUserId, Msp msp, String mspToken) {}

  /** What the touchpoint API answered. */
  public record Answer(int status, JsonNode body) {}

  /** The CMP touchpoint API, called with a bearer token for {@code sub} with {@code roles}. */
  @FunctionalInterface
  public interface Touchpoint {
    Answer call(String sub, List<String> roles, String method, String path, String body)
        throws IOException, InterruptedException;
  }

  /** The roles the touchpoint API asks of fleet operations and of customer care (oidc.fleet-role, care-role). */
  public record Roles(String fleet, String care) {}

  public final String run;
  public final Touchpoint touchpoint;
  public final Roles roles;
  public final Msp sync;
  public final Msp async;
  public final Fleet fleet;
  public final List<SimulatedVehicle> vehicles;
  public final EventLog events;
  public final Duration wait;
  private final Map<String, User> users = new LinkedHashMap<>();

  public World(String run, Touchpoint touchpoint, Roles roles, Msp sync, Msp async, Fleet fleet,
               List<SimulatedVehicle> vehicles, EventLog events, Duration wait) {
    this.run = run;
    this.touchpoint = touchpoint;
    this.roles = roles;
    this.sync = sync;
    this.async = async;
    this.fleet = fleet;
    this.vehicles = List.copyOf(vehicles);
    this.events = events;
    this.wait = wait;
  }

  /** The CMP user id a chapter gives a user called {@code name} in this run. */
  public String cmpUserId(String name) {
    return name + "-" + run;
  }

  void onboarded(User user) {
    users.put(user.name(), user);
  }

  public User user(String name) {
    return Checks.needed(users.get(name), "user " + name + " onboarded");
  }

  public SimulatedVehicle vehicle(int i) {
    return vehicles.get(i);
  }

  // the touchpoint API as the user, the fleet operator, customer care ---------------------------------------

  public Answer asUser(User user, String method, String path, String body) throws IOException, InterruptedException {
    return touchpoint.call(user.cmpUserId(), List.of(), method, path, body);
  }

  public Answer asOperator(String method, String path, String body) throws IOException, InterruptedException {
    return touchpoint.call("fleet-operator", List.of(roles.fleet()), method, path, body);
  }

  public Answer asCare(String path) throws IOException, InterruptedException {
    return touchpoint.call("care-agent", List.of(roles.care()), "GET", path, "");
  }

  // the fleet ------------------------------------------------------------------------------------------

  /** A flow the vehicle started (login, logout), waited for. */
  public Outcome outcome(CompletableFuture<Outcome> flow) throws Exception {
    return flow.get(wait.toMillis() + 10_000, TimeUnit.MILLISECONDS);
  }

  /** A flow the platform started (a delete, CSIM info) as the vehicle recorded it; null if none yet. */
  public Outcome seen(Predicate<Outcome> which) {
    return fleet.outcomes().matching(which).stream().findFirst().orElse(null);
  }

  /** {@code user}'s profile on {@code vehicle}'s eUICC, if any. */
  public static Optional<Euicc.Profile> profileOf(SimulatedVehicle vehicle, User user) {
    return vehicle.profiles().stream().filter(p -> p.cmpUserId().equals(user.cmpUserId())).findFirst();
  }

  /** The ICCID of {@code user}'s profile on {@code vehicle}, which the story needs there (else it cannot go on). */
  static String iccidOn(SimulatedVehicle vehicle, User user) {
    return Checks.needed(profileOf(vehicle, user).map(Euicc.Profile::iccid).orElse(null),
        user.name() + "'s profile on the eUICC of " + vehicle.vin());
  }

  public static boolean holds(SimulatedVehicle vehicle, String iccid) {
    return vehicle.profiles().stream().anyMatch(p -> p.iccid().equals(iccid));
  }
}
