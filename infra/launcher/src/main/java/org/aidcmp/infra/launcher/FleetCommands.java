package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.vehicle.Fleet;
import org.aidcmp.infra.vehicle.FleetDriver;
import org.aidcmp.infra.vehicle.Outcome;

/**
 * {@code aid fleet run}: simulated vehicles against a running {@code aid up} (and its {@code aid msp serve}
 * simulators): users onboarded and vehicles registered and online ({@link FleetRig}), then logins and logouts across the fleet
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

  private final FleetRig rig;
  private final MspRegistry msps;
  private final PrintStream out;

  FleetCommands(AidConfig base, PrintStream out) {
    this.rig = new FleetRig(base, out);
    this.msps = rig.msps();
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
    FleetRig.Plan plan = new FleetRig.Plan(run.vehicles(), run.users(), run.msps(), run.capacity(),
        run.installFailures(), run.enableFailures(), run.disableFailures(), run.tls(), run.deadline(), run.threads());
    try (FleetRig.Rig set = rig.setUp(plan, smdp -> smdp)) {
      Fleet fleet = set.fleet();
      out.printf("aid fleet: %d vehicles online; driving %d users for %s ...%n", run.vehicles(), set.users().size(),
          run.duration());
      new FleetDriver(fleet).run(new FleetDriver.Plan(run.duration(), set.users(), run.pause(), System.nanoTime()),
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

  /** Where {@code aid msp serve} serves the MSP's SM-DP+ stub: its base URL's host and port. */
  static URI smdpUrl(MspRegistry.Msp msp) {
    URI base = msp.baseUrl();
    return URI.create("https://" + base.getHost() + ":" + (base.getPort() > 0 ? base.getPort() : 443)
        + "/smdp/v1/downloads");
  }

  static int number(Map<String, String> o, String name, int defaultValue, int min) {
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
