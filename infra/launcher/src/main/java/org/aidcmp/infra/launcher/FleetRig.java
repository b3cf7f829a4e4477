package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.infra.vehicle.Faults;
import org.aidcmp.infra.vehicle.Fleet;
import org.aidcmp.infra.vehicle.HttpsSmdp;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.infra.vehicle.Smdp;
import org.aidcmp.infra.vehicle.VehicleConnection;
import org.aidcmp.infra.vehicle.VehicleIdentities;

/**
 * A simulated fleet on a running platform, set up as {@code aid fleet run} and {@code aid bench} need it: users
 * onboarded at the MSPs ({@link FleetSetup}), vehicles registered with their own broker credentials, each vehicle
 * connected, downloading from the MSPs' SM-DP+ stubs. The platform is found from the configuration (its data
 * directory holds the local CA and the broker's credentials).
 */
final class FleetRig {

  /** What to set up: how many vehicles and users, at which MSPs, the eUICCs' room, failures, transport. */
  record Plan(int vehicles, int users, List<String> msps, int capacity, double installFailures,
              double enableFailures, double disableFailures, boolean tls, Duration deadline, int threads) {}

  /** The set-up fleet, online; closing it disconnects every vehicle. */
  record Rig(Fleet fleet, List<FleetSetup.User> federated, String runPrefix, String operatorToken,
             TouchpointClient touchpoint) implements AutoCloseable {
    /** The users' CMP user ids. */
    List<String> users() {
      return federated.stream().map(FleetSetup.User::cmpUserId).toList();
    }


    @Override
    public void close() {
      fleet.close();
    }
  }

  private final AidConfig config;
  private final Path data;
  private final MspRegistry msps;
  private final MspCommands mspCommands;
  private final PrintStream out;

  /** {@code base}: the configuration as loaded (the local credentials are filled in as {@code aid up} does). */
  FleetRig(AidConfig base, PrintStream out) {
    this.data = Path.of(base.get("aid.data.dir").orElse(".aid/data"));
    this.config = DevCredentials.fill(base, data);
    this.msps = MspRegistry.from(config);
    this.mspCommands = new MspCommands(base, out);
    this.out = out;
  }

  MspRegistry msps() {
    return msps;
  }

  /** Sets the fleet up and brings it online; {@code smdpWrapper} may observe every download (identity: none). */
  Rig setUp(Plan plan, UnaryOperator<Smdp> smdpWrapper) throws IOException, InterruptedException {
    List<X509Certificate> localCa = Pem.readCertificates(Pem.read(DevCredentials.localCa(data)));
    TouchpointClient touchpoint = new TouchpointClient(touchpointUrl(), tokenEndpoint(), localCa);
    Map<String, CmpClient> cmpClients = new ConcurrentHashMap<>();
    FleetSetup setup = new FleetSetup(touchpoint,
        id -> cmpClients.computeIfAbsent(id, unused -> mspCommands.cmpClient(id, null)),
        config.get("oidc.fleet-role").orElse("fleet"));
    VehicleIdentities ids = new VehicleIdentities(new SecureRandom());
    MqttCredentials brokerCredentials = config.get("mqtt.server.uri").isEmpty()
        ? DevCredentials.mqttCredentials(data) : null;

    long begin = System.nanoTime();
    out.printf("aid fleet: run %s: onboarding %d users at %s ...%n", ids.runPrefix(), plan.users(),
        String.join(", ", plan.msps()));
    List<FleetSetup.User> users = parallel(plan.users(), plan.threads(), i -> setup.onboard(
        "fleet-" + ids.runPrefix().toLowerCase() + "-" + i, plan.msps().get(i % plan.msps().size())));
    out.printf("aid fleet: registering %d vehicles ...%n", plan.vehicles());
    String operator = setup.operatorToken();
    List<VehicleCredentials> credentials = parallel(plan.vehicles(), plan.threads(),
        i -> setup.register(operator, ids.vin(i), ids.eid(i), ids.imei(i), brokerCredentials));
    out.printf("aid fleet: set up in %.1f s; vehicles connect to %s%n",
        (System.nanoTime() - begin) / 1e9, brokerUri(plan.tls()));

    Identity vehicleClient = DevCredentials.authority(data).issueClient("vehicle-fleet");
    Smdp smdp = smdpWrapper.apply(new HttpsSmdp(plan.msps().stream()
        .map(id -> FleetCommands.smdpUrl(msps.byId(id).orElseThrow())).toList(), vehicleClient, localCa));
    Fleet fleet = new Fleet(smdp, new Fleet.Settings(plan.threads(), plan.deadline()));
    try {
      for (int i = 0; i < plan.vehicles(); i++) {
        String vin = ids.vin(i);
        fleet.add(new SimulatedVehicle.Spec(vin, ids.eid(i), ids.imei(i), plan.capacity()),
            connection(vin, credentials.get(i), plan.tls()),
            new Faults().rates(plan.installFailures(), plan.enableFailures(), plan.disableFailures()));
      }
      try {
        fleet.goOnline().get(plan.deadline().toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("not every vehicle got online at " + brokerUri(plan.tls()) + ": "
            + (e.getCause() != null ? e.getCause() : e));
      }
      return new Rig(fleet, users, ids.runPrefix(), operator, touchpoint);
    } catch (RuntimeException | InterruptedException e) {
      fleet.close();
      throw e;
    }
  }

  private VehicleConnection connection(String vin, VehicleCredentials credentials, boolean tls) {
    VehicleConnection c = VehicleConnection.plain(brokerUri(false).toString(), vin);
    if (tls) {
      Path trusted = Path.of(config.get("mqtt.tls.trusted").orElse(DevCredentials.localCa(data).toString()));
      c = new VehicleConnection(brokerUri(true), vin, null, null, Pem.readCertificates(Pem.read(trusted)), null,
          null);
    }
    return credentials == null ? c : c.withCredentials(credentials.username(), credentials.password());
  }

  URI brokerUri(boolean tls) {
    if (tls) {
      return URI.create(config.get("mqtt.tls.server.uri")
          .orElse("ssl://127.0.0.1:" + config.getInt("mqtt.embedded.tls.port", 18883)));
    }
    return URI.create(config.get("mqtt.server.uri")
        .orElse("tcp://127.0.0.1:" + config.getInt("mqtt.embedded.port", 11883)));
  }

  private URI touchpointUrl() {
    return URI.create("https://127.0.0.1:" + config.getInt("ingress.aid1.touchpoint.port", 18444));
  }

  private URI tokenEndpoint() {
    return URI.create("http://127.0.0.1:" + config.getInt("oidc.local.port", 18090) + "/token");
  }

  @FunctionalInterface
  private interface Step<T> {
    T apply(int i) throws IOException, InterruptedException;
  }

  /** {@code count} steps on {@code threads} threads, results in order; the first failure ends it. */
  private static <T> List<T> parallel(int count, int threads, Step<T> step) throws IOException, InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, 16));
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        futures.add(pool.submit(() -> step.apply(n)));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        try {
          results.add(f.get(2, TimeUnit.MINUTES));
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException("the platform did not answer within 2 minutes");
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
