package org.aidcmp.infra.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.launcher.demo.EventLog;
import org.aidcmp.infra.launcher.demo.World;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.infra.vehicle.Fleet;
import org.aidcmp.infra.vehicle.HttpsSmdp;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.infra.vehicle.VehicleConnection;
import org.aidcmp.infra.vehicle.VehicleIdentities;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * What the demo's story runs against, on a running stack: every service as {@code aid up} starts them
 * ({@link Services}), two MSPs served as {@code aid msp serve} serves them — msp-sync (§7.1.8.1, two live profiles
 * per subscription) and msp-async (§7.1.8.2) — and three simulated cars registered in the fleet with their own
 * broker passwords, online over MQTT, downloading from the MSPs' SM-DP+ over HTTPS.
 */
final class DemoPlatform implements AutoCloseable {
  static final String SYNC = "msp-sync";
  static final String ASYNC = "msp-async";
  private static final int VEHICLES = 3;

  private final Closer started = new Closer();
  private final Services services;
  private final World world;

  /**
   * {@code base}: the configuration (its ports for the touchpoint and MSP APIs); {@code stackData}: the data
   * directory of the stack behind {@code endpoints} (its local CA and the broker's credentials store);
   * {@code scratch}: where the services keep their own state for this run.
   */
  DemoPlatform(AidConfig base, Endpoints endpoints, Path stackData, Path scratch, Duration wait) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    AidConfig config = base.with(Map.ofEntries(
        Map.entry("aid.data.dir", stackData.toString()),
        Map.entry("cmp.id", base.get("cmp.id").orElse("aidcmp")),
        Map.entry("lifecycle.application-id", "aid-lifecycle-demo-" + run),
        Map.entry("lifecycle.state-dir", scratch.resolve("lifecycle-streams-" + run).toString()),
        Map.entry("egress.group.id", "aid-egress-demo-" + run),
        Map.entry("downlink.group.id", "aid-downlink-demo-" + run),
        Map.entry("ingress.aid2.instance-id", "demo-" + run),
        Map.entry("msp.ids", SYNC + "," + ASYNC)))
        .with(SimulatedMsps.config(SYNC, "mspSync", SimulatedMsps.freePort()))
        .with(SimulatedMsps.config(ASYNC, "mspAsync", SimulatedMsps.freePort()));
    try {
      services = started.add(Services.start(config, endpoints));
      // The MSP side reaches the platform where it listens now (the configured port may be 0).
      MspCommands msps = new MspCommands(config.with(Map.of("ingress.aid1.msp.port",
          String.valueOf(services.ingress().server().mspPort()))), new PrintStream(new ByteArrayOutputStream(),
          true, StandardCharsets.UTF_8));
      MspCommands.Served sync = started.add(msps.serve(SYNC, MspSimulator.ResponseMode.SYNC, 2, null, null));
      MspCommands.Served async = started.add(msps.serve(ASYNC, MspSimulator.ResponseMode.ASYNC, 2, null, null));

      List<X509Certificate> localCa = Pem.readCertificates(Pem.read(DevCredentials.localCa(stackData)));
      TouchpointClient touchpoint = new TouchpointClient(
          URI.create("https://127.0.0.1:" + services.ingress().server().touchpointPort()),
          URI.create(services.issuer().issuer() + "/token"), localCa);
      String fleetRole = config.get("oidc.fleet-role").orElse("fleet");
      FleetSetup setup = new FleetSetup(touchpoint, id -> msps.cmpClient(id, null), fleetRole);

      HttpsSmdp smdp = new HttpsSmdp(List.of(sync.simulator().smdpDownloadUrl(), async.simulator().smdpDownloadUrl()),
          DevCredentials.authority(stackData).issueClient("vehicle-demo-" + run), localCa);
      Fleet fleet = started.add(new Fleet(smdp, new Fleet.Settings(4, wait)));
      VehicleIdentities ids = new VehicleIdentities(new SecureRandom());
      MqttCredentials broker = DevCredentials.mqttCredentials(stackData);
      String operator = setup.operatorToken();
      List<SimulatedVehicle> cars = new ArrayList<>();
      for (int i = 0; i < VEHICLES; i++) {
        // as `aid vehicle register VIN --eid EID --imei IMEI` does: the fleet registry, then the car's password
        VehicleCredentials credentials = setup.register(operator, ids.vin(i), ids.eid(i), ids.imei(i), broker);
        cars.add(fleet.add(new SimulatedVehicle.Spec(ids.vin(i), ids.eid(i), ids.imei(i), 4),
            VehicleConnection.plain(endpoints.mqttServerUri(), ids.vin(i))
                .withCredentials(credentials.username(), credentials.password())));
      }
      fleet.goOnline().get(wait.toMillis(), TimeUnit.MILLISECONDS);

      SchemaRegistryClient registry = started.add(Aid.registryClient(config, endpoints));
      EventLog events = started.add(new EventLog(endpoints.kafkaBootstrapServers(), registry));
      world = new World(run, tokens(touchpoint), new World.Roles(fleetRole, config.get("oidc.care-role").orElse("care")),
          new World.Msp(SYNC, msps.cmpClient(SYNC, null), sync.simulator(), null, SimulatedMsps.touchpointUrl(SYNC),
              SimulatedMsps.redirectBase(SYNC), SimulatedMsps.withdrawUrl(SYNC)),
          new World.Msp(ASYNC, msps.cmpClient(ASYNC, null), async.simulator(), async.activationCodes(),
              SimulatedMsps.touchpointUrl(ASYNC), SimulatedMsps.redirectBase(ASYNC), SimulatedMsps.withdrawUrl(ASYNC)),
          fleet, cars, events, wait);
    } catch (Exception | Error e) {
      started.close();
      throw e;
    }
  }

  World world() {
    return world;
  }

  /** Where a newcomer finds things once the story is told. */
  Map<String, String> urls() {
    Map<String, String> urls = new LinkedHashMap<>();
    for (String key : List.of("Customer-care page", "Touchpoint API", "AiD1 MSP API (mTLS)", "Local OIDC issuer",
        "Local CA (trust it)")) {
      if (services.endpoints().containsKey(key)) {
        urls.put(key, services.endpoints().get(key));
      }
    }
    urls.put("Metrics", services.management().url() + "/metrics (health: " + services.management().url()
        + "/health/ready)");
    return urls;
  }

  /** A bearer token per (user, roles) from the local issuer, kept for the run (they last longer than a demo). */
  private static World.Touchpoint tokens(TouchpointClient touchpoint) {
    Map<String, String> tokens = new HashMap<>();
    return (sub, roles, method, path, body) -> {
      String key = sub + " " + roles;
      String token;
      synchronized (tokens) {
        token = tokens.get(key);
      }
      if (token == null) {
        token = touchpoint.token(sub, roles);
        synchronized (tokens) {
          tokens.put(key, token);
        }
      }
      TouchpointClient.Answer answer = touchpoint.call(token, method, path, body);
      return new World.Answer(answer.status(), answer.body());
    };
  }

  @Override
  public void close() {
    started.close();
  }
}
