package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.infra.vehicle.Faults;
import org.aidcmp.infra.vehicle.Fleet;
import org.aidcmp.infra.vehicle.FleetDriver;
import org.aidcmp.infra.vehicle.HttpsSmdp;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.infra.vehicle.VehicleConnection;
import org.aidcmp.infra.vehicle.VehicleIdentities;

/**
 * {@code aid fleet run}: simulated vehicles against a running {@code aid up} (and its {@code aid msp serve}
 * simulators): users onboarded at the configured MSPs ({@link FleetSetup}, with {@link MspCommands}' client of
 * the platform), vehicles registered with their own broker credentials, then logins and logouts across the fleet
 * for a while ({@link FleetDriver}), a progress line every few seconds and a summary of every flow's outcome.
 */
final class FleetCommands {
  static final String USAGE = """
      usage: aid [--config FILE] fleet run [options]

        --vehicles N         simulated vehicles (default 10), each registered with its own broker password
        --users N            users onboarded for the run (default 10), spread over the MSPs
        --duration D         how long vehicles log users in and out (default 60s; e.g. 90s, 2m, 500ms)
        --msp ID[,ID...]     the MSPs users onboard at (default: every one of msp.ids); each must be served by
                             `aid msp serve ID`, whose SM-DP+ the vehicles download from
        --capacity N         profiles an eUICC holds (default 4; one more fails with 6A84)
        --pause D            longest pause of a vehicle between two flows (default 2s)
        --install-failures P, --enable-failures P, --disable-failures P
                             the share (0 to 1) of installs, enables, disables that fail (default 0)
        --tls                connect on the broker's TLS listener (mqtt.tls.server.uri / mqtt.embedded.tls.port)
        --deadline D         the longest any flow may take (default 60s)
        --threads N          the simulator's threads (default 2 per core)

      Needs `aid up` running on the same configuration and data directory, and `aid msp serve ID` for each MSP.
      Prints a progress line every 2 s, then the outcomes: counts per flow and result, p50 / p99 latency.
      """;

  private static final Set<String> OPTIONS = Set.of("vehicles", "users", "duration", "msp", "capacity", "pause",
      "install-failures", "enable-failures", "disable-failures", "tls", "deadline", "threads");
  private static final Set<String> FLAGS = Set.of("tls");
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  /** The run as asked for. */
  record Run(int vehicles, int users, Duration duration, List<String> msps, int capacity, Duration pause,
             double installFailures, double enableFailures, double disableFailures, boolean tls, Duration deadline,
             int threads) {}

  private final AidConfig config;
  private final Path data;
  private final MspRegistry msps;
  private final MspCommands mspCommands;
  private final PrintStream out;

  FleetCommands(AidConfig base, PrintStream out) {
    this.data = Path.of(base.get("aid.data.dir").orElse(".aid/data"));
    this.config = DevCredentials.fill(base, data);
    this.msps = MspRegistry.from(config);
    this.mspCommands = new MspCommands(base, out);
    this.out = out;
  }

  /** Parses {@code run [options]}; a clear message for anything it cannot use. */
  static Run parse(List<String> args, List<String> configuredMsps) {
    if (args.isEmpty() || !args.get(0).equals("run")) {
      throw new IllegalArgumentException("unknown command '" + (args.isEmpty() ? "" : args.get(0))
          + "' (aid fleet --help)");
    }
    Map<String, String> o = new HashMap<>();
    List<String> rest = args.subList(1, args.size());
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      String name = arg.startsWith("--") ? arg.substring(2) : null;
      if (name == null || !OPTIONS.contains(name)) {
        throw new IllegalArgumentException("'" + arg + "' is not an option of fleet run (options: --"
            + String.join(", --", new TreeSet<>(OPTIONS)) + ")");
      }
      if (FLAGS.contains(name)) {
        o.put(name, "true");
        continue;
      }
      if (i + 1 >= rest.size()) {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      o.put(name, rest.get(++i));
    }
    List<String> chosen = o.containsKey("msp") ? List.of(o.get("msp").split(",")) : configuredMsps;
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("no MSP to onboard users at: add one to msp.ids (see the README, "
          + "\"Trying it with a simulated MSP\") and run `aid msp serve ID`");
    }
    for (String id : chosen) {
      if (!configuredMsps.contains(id)) {
        throw new IllegalArgumentException("--msp: no MSP '" + id + "' configured; msp.ids: "
            + String.join(", ", configuredMsps));
      }
    }
    return new Run(number(o, "vehicles", 10, 1), number(o, "users", 10, 1), duration(o, "duration", "60s"),
        List.copyOf(chosen), number(o, "capacity", 4, 1), duration(o, "pause", "2s"),
        share(o, "install-failures"), share(o, "enable-failures"), share(o, "disable-failures"),
        o.containsKey("tls"), duration(o, "deadline", "60s"),
        number(o, "threads", Math.max(2, Runtime.getRuntime().availableProcessors() * 2), 1));
  }

  int run(List<String> args) throws InterruptedException {
    Run run;
    try {
      run = parse(args, msps.all().stream().map(MspRegistry.Msp::id).toList());
    } catch (IllegalArgumentException e) {
      System.err.println("aid fleet: " + e.getMessage());
      return 2;
    }
    try {
      return execute(run);
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("aid fleet: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      System.err.println("aid fleet: no answer from the platform (is aid up running?): " + e);
      return 1;
    }
  }

  private int execute(Run run) throws IOException, InterruptedException {
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
    out.printf("aid fleet: run %s: onboarding %d users at %s ...%n", ids.runPrefix(), run.users(),
        String.join(", ", run.msps()));
    List<String> users = parallel(run.users(), run.threads(), i -> setup.onboard(
        "fleet-" + ids.runPrefix().toLowerCase() + "-" + i, run.msps().get(i % run.msps().size())).cmpUserId());
    out.printf("aid fleet: registering %d vehicles ...%n", run.vehicles());
    String operator = setup.operatorToken();
    List<VehicleCredentials> credentials = parallel(run.vehicles(), run.threads(),
        i -> setup.register(operator, ids.vin(i), ids.eid(i), ids.imei(i), brokerCredentials));
    out.printf("aid fleet: set up in %.1f s; vehicles connect to %s%n",
        (System.nanoTime() - begin) / 1e9, brokerUri(run.tls()));

    Identity vehicleClient = DevCredentials.authority(data).issueClient("vehicle-fleet");
    HttpsSmdp smdp = new HttpsSmdp(run.msps().stream().map(id -> smdpUrl(msps.byId(id).orElseThrow())).toList(),
        vehicleClient, localCa);
    try (Fleet fleet = new Fleet(smdp, new Fleet.Settings(run.threads(), run.deadline()))) {
      for (int i = 0; i < run.vehicles(); i++) {
        String vin = ids.vin(i);
        VehicleConnection connection = connection(vin, credentials.get(i), run.tls());
        fleet.add(new SimulatedVehicle.Spec(vin, ids.eid(i), ids.imei(i), run.capacity()), connection,
            new Faults().rates(run.installFailures(), run.enableFailures(), run.disableFailures()));
      }
      try {
        fleet.goOnline().get(run.deadline().toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("not every vehicle got online at " + brokerUri(run.tls()) + ": "
            + (e.getCause() != null ? e.getCause() : e));
      }
      out.printf("aid fleet: %d vehicles online; driving %d users for %s ...%n", run.vehicles(), users.size(),
          run.duration());
      new FleetDriver(fleet).run(new FleetDriver.Plan(run.duration(), users, run.pause(), System.nanoTime()),
          PROGRESS_EVERY, p -> out.printf("  %5.1f s  flows ended %6d (%d ok, %d not)  running %d%n",
              p.elapsed().toMillis() / 1000.0, p.ended(), p.succeeded(), p.ended() - p.succeeded(), p.running()));
      out.println("aid fleet: outcomes (flow, count, results, latency from start to last uplink)");
      out.print(fleet.outcomes().summary());
      int provisioned = fleet.outcomes().counts().getOrDefault(Outcome.Result.PROVISIONED, 0);
      out.printf("aid fleet: %d profiles provisioned through the broker; %d flows ended%n", provisioned,
          fleet.outcomes().size());
      return fleet.outcomes().size() > 0 ? 0 : 1;
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

  private URI brokerUri(boolean tls) {
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

  /** Where {@code aid msp serve} serves the MSP's SM-DP+ stub: its base URL's host and port. */
  static URI smdpUrl(MspRegistry.Msp msp) {
    URI base = msp.baseUrl();
    return URI.create("https://" + base.getHost() + ":" + (base.getPort() > 0 ? base.getPort() : 443)
        + "/smdp/v1/downloads");
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

  private static int number(Map<String, String> o, String name, int defaultValue, int min) {
    String value = o.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(value);
      if (n < min) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number of at least " + min + ", not '"
          + value + "'");
    }
  }

  private static double share(Map<String, String> o, String name) {
    String value = o.get(name);
    if (value == null) {
      return 0;
    }
    try {
      double d = Double.parseDouble(value);
      if (!(d >= 0 && d <= 1)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " is a share between 0 and 1, not '" + value + "'");
    }
  }

  /** 60s, 2m, 500ms, 1h. */
  static Duration duration(Map<String, String> o, String name, String defaultValue) {
    String value = o.getOrDefault(name, defaultValue);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)").matcher(value);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException("--" + name + " is a positive duration like 60s, 2m or 500ms, not '"
          + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
