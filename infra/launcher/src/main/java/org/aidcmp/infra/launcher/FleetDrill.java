package org.aidcmp.infra.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.launcher.bench.DrillLedger;
import org.aidcmp.infra.launcher.bench.DrillLoad;
import org.aidcmp.infra.launcher.bench.FlowTracker;
import org.aidcmp.infra.launcher.bench.RawLimits;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.msp.RecordedRequest;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * {@code aid drill NAME}: a fault drill of issue 16. Its own platform in this JVM ({@link LocalPlatform}, as
 * {@code aid bench} starts it: exactly_once_v2, the two simulated MSPs over HTTPS, vehicles over the real MQTT
 * broker), a steady load of car provisioning flows ({@link DrillLoad}), the fault injected mid-run and ended, the
 * load on a while after, then the count ({@link DrillLedger}): it prints what it counted and exits 1 if any flow
 * was lost or doubled.
 */
final class FleetDrill {
  static final String USAGE = """
      usage: aid [--config FILE] drill NAME [options]

        NAME
          msp-down        one MSP's server stops (connections refused) for --outage (default 2m): its calls
                          back off; the other MSP's p99 before and during the outage printed side by side
          mqtt-restart    the MQTT broker stops for --outage (default 10s) and starts on its data directory:
                          vehicles and services reconnect, persistent sessions resume
          kafka-restart   the Kafka broker stops for --outage (default 10s) and starts on the same data directory
          streams-kill    lifecycle-streams runs in a process of its own (aid run lifecycle-streams); kill -9 of it,
                          a new one started after --outage (default 5s) with the same application id, twice: on
                          its state directory, then on a fresh one (restored from the changelogs); prints the time
                          from the kill to the new instance ready and to its first decision

        --vehicles N      simulated vehicles (default 40)
        --users N         users federated, half at each MSP (default 20; each has a pool of 2 profiles: swaps)
        --before D        load before the fault (default 30s)
        --outage D        how long the fault lasts (defaults above)
        --after D         load after the fault ended (default 30s)
        --msp ID          msp-down: the MSP that goes down, msp-sync or msp-async (default msp-async)
        --pause D         longest pause of a vehicle between two steps (default 1s)
        --deadline D      the vehicles' flow deadline (default the outage + 2m)
        --pool N          profiles per subscription at each MSP (default 2: a user's third car swaps)

      Starts its own platform on free loopback ports and a fresh data directory (beside any aid up) and removes
      it afterwards. Counted at the end: every car provisioning flow started completed exactly once (one
      activation code to the vehicle, the profile ENABLED in the User aggregate) or ended for a named reason;
      activation codes beyond one per flow, ProfileEnabled beyond one per enabling, an activationCodeRequestID an
      MSP executed under two CMP-request-ids count as doubled. Exit 0: nothing lost or doubled; 1: something was.
      """;

  private static final Set<String> NAMES = Set.of("msp-down", "mqtt-restart", "kafka-restart", StreamsKill.NAME);
  private static final Set<String> OPTIONS = Set.of("vehicles", "users", "before", "outage", "after", "msp", "pause",
      "deadline", "pool");
  private static final List<String> MSPS = List.of("msp-sync", "msp-async");
  private static final ObjectMapper JSON = new ObjectMapper();

  record Options(String name, int vehicles, int users, Duration before, Duration outage, Duration after, String msp,
                 Duration pause, Duration deadline, int pool) {}

  /** What the drill counted, and what it printed (for a test to check). */
  record Result(DrillLedger.Count count, Map<String, Object> figures) {}

  private final AidConfig base;
  private final PrintStream out;

  FleetDrill(AidConfig base, PrintStream out) {
    this.base = base;
    this.out = out;
  }

  /** aid drill: help without starting anything; an error said in one line. */
  static int command(Path configFile, List<String> args, PrintStream out) throws InterruptedException {
    if (args.isEmpty() || args.contains("--help") || args.contains("-h") || args.get(0).equals("help")) {
      out.print(USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    try {
      return new FleetDrill(AidConfig.load(configFile, System.getenv()), out).run(args);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      System.err.println("aid drill: " + e);
      return 1;
    }
  }

  static Options parse(List<String> args) {
    if (args.isEmpty() || !NAMES.contains(args.get(0))) {
      throw new IllegalArgumentException("name a drill: " + String.join(", ", new TreeSet<>(NAMES))
          + (args.isEmpty() ? "" : " (not '" + args.get(0) + "')"));
    }
    String name = args.get(0);
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      String option = arg.startsWith("--") ? arg.substring(2) : null;
      if (option == null || !OPTIONS.contains(option)) {
        throw new IllegalArgumentException("'" + arg + "' is not an option of drill (options: --"
            + String.join(", --", new TreeSet<>(OPTIONS)) + ")");
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException("--" + option + " needs a value");
      }
      o.put(option, args.get(++i));
    }
    String msp = o.getOrDefault("msp", "msp-async");
    if (!MSPS.contains(msp)) {
      throw new IllegalArgumentException("--msp is one of " + String.join(", ", MSPS) + ", not '" + msp + "'");
    }
    Duration outage = FleetCommands.duration(o, "outage",
        name.equals("msp-down") ? "2m" : name.equals(StreamsKill.NAME) ? "5s" : "10s");
    return new Options(name, FleetCommands.number(o, "vehicles", 40, 1), FleetCommands.number(o, "users", 20, 2),
        FleetCommands.duration(o, "before", "30s"), outage, FleetCommands.duration(o, "after", "30s"), msp,
        FleetCommands.duration(o, "pause", "1s"),
        o.containsKey("deadline") ? FleetCommands.duration(o, "deadline", "1s") : outage.plusMinutes(2),
        FleetCommands.number(o, "pool", 2, 1));
  }

  int run(List<String> args) throws Exception {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("aid drill: " + e.getMessage());
      return 2;
    }
    Path data = Path.of(base.get("aid.data.dir").orElse(".aid/data")).toAbsolutePath().resolveSibling(
        "drill-" + System.currentTimeMillis());
    return drill(options, data).count().ok() ? 0 : 1;
  }

  /** Runs the drill on a platform of its own in {@code data} (removed afterwards). */
  Result drill(Options options, Path data) throws Exception {
    out.printf("aid drill %s: starting the platform in %s ...%n", options.name(), data);
    List<LocalPlatform.SimulatedMsp> msps = List.of(
        new LocalPlatform.SimulatedMsp("msp-sync", MspSimulator.ResponseMode.SYNC, options.pool()),
        new LocalPlatform.SimulatedMsp("msp-async", MspSimulator.ResponseMode.ASYNC, options.pool()));
    try (LocalPlatform platform = LocalPlatform.start(base, data, msps, Map.of(),
        DrillFault.elsewhere(options.name()), out);
         DrillFault fault = DrillFault.of(platform, options, out)) {
      fault.setUp();
      return drill(platform, fault, options);
    } finally {
      deleteRecursively(data);
    }
  }

  private Result drill(LocalPlatform platform, DrillFault fault, Options options) throws Exception {
    awaitReady(platform, fault, Duration.ofMinutes(3));
    AidConfig config = platform.config();
    FleetRig.Plan plan = new FleetRig.Plan(options.vehicles(), options.users(), MSPS, 16, 0, 0, 0, false,
        options.deadline(), Math.max(4, Runtime.getRuntime().availableProcessors() * 2));
    try (SchemaRegistryClient registry = Aid.registryClient(config, platform.endpoints());
         FleetRig.Rig rig = new FleetRig(config, out).setUp(plan, smdp -> smdp);
         FlowTracker tracker = new FlowTracker(platform.endpoints().kafkaBootstrapServers(), registry, vin -> 0L)) {
      Map<String, String> mspOfUser = new HashMap<>();
      rig.federated().forEach(u -> mspOfUser.put(u.cmpUserId(), u.mspId()));
      try (DrillLoad load = new DrillLoad(rig.fleet(), mspOfUser, options.pause(), options.deadline())) {
        long begin = System.nanoTime();
        load.start();
        out.printf("aid drill %s: load for %s, then the fault: %s for %s, then load for %s%s ...%n", options.name(),
            text(options.before()), fault.what(), text(options.outage()), text(options.after()),
            fault.rounds() > 1 ? "; " + fault.rounds() + " rounds of fault and load after" : "");
        progress(load, begin, options.before());
        List<DrillFault.Window> windows = new ArrayList<>();
        for (int round = 0; round < fault.rounds(); round++) {
          long faultBegin = System.nanoTime();
          fault.begin(round);
          out.printf("aid drill %s: %s%n", options.name(), fault.what());
          progress(load, begin, options.outage().minusNanos(System.nanoTime() - faultBegin));
          fault.end(round);
          windows.add(new DrillFault.Window(faultBegin, System.nanoTime()));
          out.printf("aid drill %s: the fault ended after %.1f s%n", options.name(),
              (System.nanoTime() - faultBegin) / 1e9);
          progress(load, begin, options.after());
        }
        load.stopStarting();
        out.printf("aid drill %s: no new flows; waiting for the %d under way (at most %s) ...%n", options.name(),
            load.inFlight(), text(options.deadline().plusSeconds(60)));
        boolean idle = load.awaitIdle(options.deadline().plusSeconds(60));
        List<DrillLoad.Flow> flows = load.flows();
        awaitEnabled(tracker, flows, Duration.ofSeconds(60));

        Map<String, List<DrillLedger.MspExecution>> executions = new LinkedHashMap<>();
        for (String msp : MSPS) {
          executions.put(msp, executions(platform.msp(msp)));
        }
        DrillLedger.Count count = DrillLedger.count(flows, codesReceived(rig.fleet().vehicles()),
            tracker::enabledCount, executions);
        Map<String, Object> figures = new LinkedHashMap<>();
        out.printf("%naid drill %s: the count (%d vehicles, %d users; load %.0f s, fault %.1f s)%n", options.name(),
            options.vehicles(), options.users(), (System.nanoTime() - begin) / 1e9,
            windows.stream().mapToLong(w -> w.end() - w.begin()).sum() / 1e9);
        if (!idle) {
          out.println("  (some vehicle loops had not ended within the wait: their flows under way are not counted)");
        }
        count.lines().forEach(l -> out.println("  " + l));
        Map<String, Integer> lostBy = new TreeMap<>();
        flows.stream().filter(f -> f.outcome() == null || f.outcome().result() == Outcome.Result.TIMED_OUT
                || f.outcome().result() == Outcome.Result.PROVISIONED
                && tracker.enabledCount(f.cmpUserId(), f.outcome().detail()) == 0)
            .forEach(f -> lostBy.merge(f.mspId() + " " + phase(f.startNanos(), windows), 1, Integer::sum));
        if (!lostBy.isEmpty()) {
          out.println("  lost flows by their user's MSP and when they started: " + lostBy);
        }
        flows.stream().filter(f -> f.outcome() != null && f.outcome().result() == Outcome.Result.PROVISIONED
                && tracker.enabledCount(f.cmpUserId(), f.outcome().detail()) == 0).limit(5)
            .forEach(f -> out.printf("  evidence, lost flow on %s, profile %s (enabled at the vehicle %s): events read"
                + " %s%n", f.vin(), f.outcome().detail(), f.outcome().at(),
                tracker.history(f.cmpUserId(), f.outcome().detail())));
        for (String[] doubled : count.doubledEnables().subList(0, Math.min(5, count.doubledEnables().size()))) {
          out.printf("  evidence, profile %s: flows %s; events read %s%n", doubled[1], flows.stream()
              .filter(f -> f.outcome() != null && doubled[1].equals(f.outcome().detail()))
              .map(f -> f.outcome().result() + " on " + f.vin() + " " + f.outcome().at()).toList(),
              tracker.history(doubled[0], doubled[1]));
        }
        latencies(flows, windows, figures);
        int online = (int) rig.fleet().vehicles().stream().filter(SimulatedVehicle::online).count();
        int repeats = rig.fleet().vehicles().stream().mapToInt(SimulatedVehicle::repeatsDropped).sum();
        out.printf("  vehicles online at the end: %d of %d; downlinks the vehicles dropped as repeats (re-sent by "
            + "the Vehicle aggregate): %d%n", online, rig.fleet().vehicles().size(), repeats);
        figures.put("vehicles_online", online);
        fault.report(new DrillFault.Run(flows, windows, tracker, figures, out));
        out.printf("aid drill %s: %s%n", options.name(), count.ok() ? "PASSED: nothing lost or doubled"
            : "FAILED: " + count.lostTotal() + " lost, " + count.doubledTotal() + " doubled");
        return new Result(count, figures);
      }
    }
  }

  /** p50 / p99 of the completed provisioning flows per MSP, by when they started: before, during, after the fault. */
  private void latencies(List<DrillLoad.Flow> flows, List<DrillFault.Window> windows, Map<String, Object> figures) {
    out.println("  provisioning flow latency at the vehicle (login to the profile enabled, ms), by start time:");
    for (String msp : MSPS) {
      StringBuilder line = new StringBuilder(String.format("    %-9s", msp));
      for (String phase : List.of("before", "during", "after")) {
        long[] sorted = flows.stream().filter(f -> f.mspId().equals(msp) && f.outcome() != null
                && f.outcome().result() == Outcome.Result.PROVISIONED
                && phase.equals(phase(f.startNanos(), windows)))
            .mapToLong(f -> f.outcome().latency().toNanos()).sorted().toArray();
        double p50 = RawLimits.quantile(sorted, 0.5) / 1e6;
        double p99 = RawLimits.quantile(sorted, 0.99) / 1e6;
        line.append(String.format("  %s: %4d flows, p50 %6.0f, p99 %6.0f", phase, sorted.length, p50, p99));
        figures.put(msp + "_" + phase + "_p99_ms", p99);
        figures.put(msp + "_" + phase + "_flows", sorted.length);
      }
      out.println(line);
    }
  }

  /** before the first fault, during one, or after (between two rounds' faults too). */
  private static String phase(long startNanos, List<DrillFault.Window> windows) {
    return startNanos < windows.get(0).begin() ? "before"
        : windows.stream().anyMatch(w -> w.contains(startNanos)) ? "during" : "after";
  }

  private void progress(DrillLoad load, long begin, Duration span) throws InterruptedException {
    long until = System.nanoTime() + Math.max(0, span.toNanos());
    while (System.nanoTime() < until) {
      Thread.sleep(Math.min(10_000, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      out.printf("  %6.1f s  flows ended %5d  under way %d%n", (System.nanoTime() - begin) / 1e9,
          load.flows().size(), load.inFlight());
    }
  }

  /**
   * Traffic once every service says it is ready, as a load balancer would send it: before, a topology still
   * rebalancing on a loaded machine answers the onboarding's Send MSP token 503 (retryable, but FleetRig stops).
   */
  private void awaitReady(LocalPlatform platform, DrillFault fault, Duration atMost) throws InterruptedException {
    long until = System.nanoTime() + atMost.toNanos();
    while ((platform.services().management().readiness().containsValue(false) || !fault.ready())
        && System.nanoTime() < until) {
      Thread.sleep(200);
    }
    Map<String, Boolean> readiness = new TreeMap<>(platform.services().management().readiness());
    readiness.put("what the drill runs in processes of its own", fault.ready());
    if (readiness.containsValue(false)) {
      throw new IllegalStateException("not every service ready within " + text(atMost) + ": " + readiness);
    }
  }

  /** Waits (bounded) until every flow the vehicles finished has its ProfileEnabled read. */
  static void awaitEnabled(FlowTracker tracker, List<DrillLoad.Flow> flows, Duration atMost)
      throws InterruptedException {
    long until = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < until && flows.stream().anyMatch(f -> f.outcome() != null
        && f.outcome().result() == Outcome.Result.PROVISIONED
        && tracker.enabledCount(f.cmpUserId(), f.outcome().detail()) == 0)) {
      Thread.sleep(200);
    }
  }

  /** Per vehicle, per user: the activation codes it took (a repeat it dropped by its command id not counted). */
  static Map<String, Map<String, Integer>> codesReceived(List<SimulatedVehicle> vehicles) {
    Map<String, Map<String, Integer>> codes = new HashMap<>();
    for (SimulatedVehicle v : vehicles) {
      for (SimulatedVehicle.Received r : v.received()) {
        if (!r.repeat() && r.payload() instanceof SendActivationCodeToVehicle ac) {
          codes.computeIfAbsent(v.vin(), unused -> new HashMap<>()).merge(ac.getCmpUserId(), 1, Integer::sum);
        }
      }
    }
    return codes;
  }

  /** The Request activation codes (§7.1.8) the simulator executed, by activationCodeRequestID and CMP-request-id. */
  static List<DrillLedger.MspExecution> executions(MspSimulator msp) throws IOException {
    List<DrillLedger.MspExecution> executed = new ArrayList<>();
    for (RecordedRequest r : msp.requests(r -> r.call() == MspCall.REQUEST_ACTIVATION_CODE && r.executed())) {
      JsonNode body = JSON.readTree(r.body());
      executed.add(new DrillLedger.MspExecution(body.path("activationCodeRequestID").asText(), r.cmpRequestId()));
    }
    return executed;
  }

  /** 90s, 2m30s: as the options are written. */
  private static String text(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
