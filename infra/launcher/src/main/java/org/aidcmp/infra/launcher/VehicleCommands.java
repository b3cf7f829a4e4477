package org.aidcmp.infra.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttIdentity;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * {@code aid vehicle register}: enters a car into the fleet registry ({@link FleetRegistry}) of the platform
 * {@code aid up} runs, and issues its broker credentials into the embedded broker's store
 * ({@link MqttCredentials}: a client certificate CN=VIN from the vehicle CA and a password), written for the car
 * owner-only. Prints what the car needs; never the password or the key themselves, only where they are.
 */
final class VehicleCommands {
  static final String USAGE = """
      usage: aid [--config FILE] vehicle register VIN --eid EID [--imei IMEI] [--out DIR]

        register   enters the vehicle into the fleet registry (aid.ref.vehicles.v1, AiD enabled) and issues its
                   MQTT credentials for the embedded broker: a client certificate (CN = VIN, from the vehicle CA,
                   for the TLS listener) and a password (username = VIN, for either listener, MQTT 3.1.1 too).
                   Registering a VIN again replaces its record and its credentials (the old ones stop working).
          VIN      17 characters per ISO 3779 (digits and capitals, no I, O, Q)
          --eid    the eUICC's EID, 32 digits
          --imei   the IMEI, 15 digits
          --out    where the car's files go (default <aid.data.dir>/vehicles/VIN); key and password owner only

      The platform (aid up, same configuration) must be running: the registry record goes to its Kafka.
      """;

  /** EID (SGP.22) and IMEI, as the touchpoint API checks them. */
  private static final Pattern EID = Pattern.compile("[0-9]{32}");
  private static final Pattern IMEI = Pattern.compile("[0-9]{15}");
  private static final Set<String> OPTIONS = Set.of("eid", "imei", "out");
  private static final Duration REGISTRY_LIMIT = Duration.ofSeconds(20);

  /** A parsed {@code register} line. */
  record Registration(String vin, String eid, String imei, Path out) {}

  private final AidConfig config;
  private final PrintStream out;

  VehicleCommands(AidConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /** {@code args} after "vehicle"; bad input throws IllegalArgumentException before anything is touched. */
  static Registration parse(List<String> args) {
    if (args.isEmpty() || !args.get(0).equals("register")) {
      throw new IllegalArgumentException(args.isEmpty() ? "a command is needed: register"
          : "unknown command '" + args.get(0) + "' (only register)");
    }
    if (args.size() < 2 || args.get(1).startsWith("--")) {
      throw new IllegalArgumentException("register needs the VIN first");
    }
    String vin = args.get(1);
    if (!MqttIdentity.VIN.matcher(vin).matches()) {
      throw new IllegalArgumentException("not a VIN per ISO 3779 (17 of A-H J-N P R-Z 0-9): " + vin);
    }
    Map<String, String> o = new HashMap<>();
    List<String> rest = args.subList(2, args.size());
    for (int i = 0; i < rest.size(); i += 2) {
      String option = rest.get(i);
      if (!option.startsWith("--") || !OPTIONS.contains(option.substring(2))) {
        throw new IllegalArgumentException("unknown option '" + option + "'");
      }
      if (i + 1 >= rest.size() || rest.get(i + 1).startsWith("--")) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      if (o.put(option.substring(2), rest.get(i + 1)) != null) {
        throw new IllegalArgumentException(option + " given twice");
      }
    }
    String eid = o.get("eid");
    if (eid == null || !EID.matcher(eid).matches()) {
      throw new IllegalArgumentException(eid == null ? "--eid is required" : "--eid must be 32 digits: " + eid);
    }
    String imei = o.get("imei");
    if (imei != null && !IMEI.matcher(imei).matches()) {
      throw new IllegalArgumentException("--imei must be 15 digits: " + imei);
    }
    return new Registration(vin, eid, imei, o.containsKey("out") ? Path.of(o.get("out")) : null);
  }

  /** Registry record first: if Kafka does not take it, no credentials are issued. 0 done, 1 failed. */
  int register(Registration r) throws InterruptedException {
    Path data = Path.of(config.get("aid.data.dir").orElse(".aid/data"));
    Endpoints endpoints = Aid.runningEndpoints(config);
    try (SchemaRegistryClient registry = Aid.registryClient(config, endpoints)) {
      FleetRegistry.register(endpoints.kafkaBootstrapServers(), registry,
          FleetRegistry.reference(r.vin(), r.eid(), r.imei(), Instant.now()), REGISTRY_LIMIT);
    } catch (RuntimeException e) {
      System.err.println("aid vehicle: the fleet registry (Kafka at " + endpoints.kafkaBootstrapServers()
          + ") did not take " + r.vin() + ", nothing issued (is aid up running?): " + e.getMessage());
      return 1;
    }
    VehicleCredentials car = DevCredentials.mqttCredentials(data).issueVehicle(r.vin());
    Path dir = r.out() != null ? r.out() : data.resolve("vehicles").resolve(r.vin());
    VehicleCredentials.Files files = car.write(dir);
    Path ca = config.get("mqtt.tls.trusted").map(Path::of).orElseGet(() -> {
      DevCredentials.authority(data);
      return DevCredentials.localCa(data);
    });

    out.printf("aid vehicle: %s registered (aid.ref.vehicles.v1: EID %s%s, AiD enabled); its credentials:%n",
        r.vin(), r.eid(), r.imei() == null ? "" : ", IMEI " + r.imei());
    line("client id, username", r.vin() + " (the broker accepts no other client id for it)");
    line("broker (plain)", endpoints.mqttServerUri() + "   username + password; MQTT 5 or 3.1.1");
    if (endpoints.mqttTlsServerUri() != null) {
      line("broker (TLS)", endpoints.mqttTlsServerUri() + "   client certificate, or username + password");
    }
    line("CA to trust (TLS)", ca.toString());
    line("client certificate", files.certificate().toString());
    line("client key", files.key() + " (owner only)");
    line("password", files.password() + " (owner only)");
    line("publish", "aid2/v1/vehicles/" + r.vin() + "/up/{message}, aid2/v1/vehicles/" + r.vin()
        + "/presence (online; offline as the Will)");
    line("subscribe", "aid2/v1/vehicles/" + r.vin() + "/down/#");
    if (config.get("mqtt.server.uri").isPresent()) {
      out.println("note: mqtt.server.uri names an external broker; these credentials are in the embedded broker's"
          + " store (" + DevCredentials.mqttCredentials(data).dir() + ") and must be given to that broker as well");
    }
    return 0;
  }

  private void line(String what, String value) {
    out.printf("  %-22s %s%n", what, value);
  }
}
