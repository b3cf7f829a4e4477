package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.launcher.bench.DrillLedger;
import org.aidcmp.infra.launcher.bench.DrillLoad;
import org.aidcmp.infra.launcher.bench.FlowTracker;
import org.aidcmp.infra.msp.CmpActivationCodeSink;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * The load of the cluster drill (deploy's {@code ClusterDrillTest}, issue 14), one process beside the services'
 * instances: the MSP simulator ({@code aid msp serve}'s), the fleet ({@code aid fleet}'s rig) driven by
 * {@code aid drill}'s {@link DrillLoad}, and a steady onboarding of further users (touchpoint and Send MSP token).
 * It runs until the drill writes its stop file (bounded by {@code --max}), lets the flows under way end, then
 * counts with {@code aid drill}'s {@link DrillLedger} (lost, doubled: activation codes to a vehicle, ProfileEnabled,
 * an MSP call executed twice) and prints one {@code drill-load: RESULT ...} line the drill checks.
 *
 * <p>Every onboarding step answered is counted by status; refused with a retryable status (HTTP 429, 502, 503,
 * 504) or not reached (the instance killed: connection refused) is a retryable refusal, anything else not.
 */
public final class ClusterDrillLoad {
  private static final Pattern STATUS = Pattern.compile("HTTP (\\d{3})");
  private static final List<Integer> RETRYABLE = List.of(429, 502, 503, 504);

  private ClusterDrillLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    PrintStream out = System.out;
    AidConfig base = AidConfig.load(Path.of(o.get("config")), System.getenv());
    String mspId = o.get("msp");
    int vehicles = Integer.parseInt(o.getOrDefault("vehicles", "4"));
    int users = Integer.parseInt(o.getOrDefault("users", "4"));
    Duration pause = Duration.ofMillis(Long.parseLong(o.getOrDefault("pause-ms", "3000")));
    Duration deadline = Duration.ofSeconds(Long.parseLong(o.getOrDefault("deadline-s", "240")));
    Duration max = Duration.ofSeconds(Long.parseLong(o.getOrDefault("max-s", "900")));
    Path stopFile = Path.of(o.get("stop-file"));
    System.exit(run(base, mspId, vehicles, users, pause, deadline, max, stopFile, out));
  }

  static int run(AidConfig base, String mspId, int vehicles, int users, Duration pause, Duration deadline,
      Duration max, Path stopFile, PrintStream out) throws Exception {
    MspCommands mspCommands = new MspCommands(base, out);
    // Send activation code tried 11 times, the wait doubling from 0.5 s (about 8.5 minutes of waits): an MSP keeps
    // trying while the platform answers 503 through a broker's and the services' restarts; the default 6 tries
    // (about 8 s of waits) gave up during the broker's restart on this machine, and the flow was lost for that.
    try (MspCommands.Served msp = mspCommands.serve(mspId, MspSimulator.ResponseMode.ASYNC, 2, null, null,
        cmp -> new CmpActivationCodeSink(cmp, 11, Duration.ofMillis(500)))) {
      out.println("drill-load: MSP " + mspId + " serving " + msp.simulator().baseUrl());
      FleetRig rigs = new FleetRig(base, out);
      FleetRig.Plan plan = new FleetRig.Plan(vehicles, users, List.of(mspId), 16, 0, 0, 0, false, deadline,
          Math.max(4, Runtime.getRuntime().availableProcessors() * 2));
      AidConfig config = DevCredentials.fill(base, Path.of(base.get("aid.data.dir").orElse(".aid/data")));
      Endpoints endpoints = Aid.runningEndpoints(config);
      try (SchemaRegistryClient registry = Aid.registryClient(config, endpoints);
           FleetRig.Rig rig = setUp(rigs, plan, out);
           FlowTracker tracker = new FlowTracker(endpoints.kafkaBootstrapServers(), registry, vin -> 0L)) {
        Map<String, String> mspOfUser = new HashMap<>();
        rig.federated().forEach(u -> mspOfUser.put(u.cmpUserId(), u.mspId()));
        Map<String, CmpClient> cmpClients = new ConcurrentHashMap<>();
        FleetSetup onboarding = new FleetSetup(rig.touchpoint(),
            id -> cmpClients.computeIfAbsent(id, unused -> mspCommands.cmpClient(id, null)),
            config.get("oidc.fleet-role").orElse("fleet"));
        Map<String, Integer> onboarded = new TreeMap<>();
        long begin = System.nanoTime();
        try (DrillLoad load = new DrillLoad(rig.fleet(), mspOfUser, pause, deadline)) {
          load.start();
          out.println("drill-load: running (" + vehicles + " vehicles, " + users + " users, onboarding one more"
              + " user every " + pause.toMillis() + " ms)");
          AtomicInteger n = new AtomicInteger();
          long until = begin + max.toNanos();
          while (!Files.exists(stopFile) && System.nanoTime() < until) {
            String user = "fleet-" + rig.runPrefix().toLowerCase(java.util.Locale.ROOT) + "-on-" + n.incrementAndGet();
            onboarded.merge(onboard(onboarding, user, mspId), 1, Integer::sum);
            out.printf("drill-load: %6.1f s  flows ended %5d  under way %d  onboardings %s%n",
                (System.nanoTime() - begin) / 1e9, load.flows().size(), load.inFlight(), onboarded);
            Thread.sleep(pause.toMillis());
          }
          load.stopStarting();
          out.printf("drill-load: stopped starting after %.1f s; waiting for the %d under way ...%n",
              (System.nanoTime() - begin) / 1e9, load.inFlight());
          boolean idle = load.awaitIdle(deadline.plusSeconds(60));
          List<DrillLoad.Flow> flows = load.flows();
          FleetDrill.awaitEnabled(tracker, flows, Duration.ofSeconds(90));
          DrillLedger.Count count = DrillLedger.count(flows, FleetDrill.codesReceived(rig.fleet().vehicles()),
              tracker::enabledCount, Map.of(mspId, FleetDrill.executions(msp.simulator())));
          if (!idle) {
            out.println("drill-load: some vehicle loops had not ended within the wait");
          }
          count.lines().forEach(l -> out.println("drill-load: " + l));
          int repeats = rig.fleet().vehicles().stream().mapToInt(SimulatedVehicle::repeatsDropped).sum();
          int failed = onboarded.entrySet().stream().filter(e -> !e.getKey().startsWith("ok")
              && !e.getKey().startsWith("retryable")).mapToInt(Map.Entry::getValue).sum();
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("flows", count.provisioningFlows());
          result.put("completedOnce", count.completedOnce());
          result.put("lost", count.lostTotal());
          result.put("doubled", count.doubledTotal());
          result.put("onboardings", onboarded);
          result.put("notRetryable", failed);
          result.put("downlinkRepeatsDropped", repeats);
          result.put("mspSameIdRetries", count.mspSameIdRepeats());
          out.println("drill-load: RESULT " + result);
          return count.ok() && failed == 0 && idle ? 0 : 1;
        }
      }
    }
  }

  /**
   * The fleet set up, again (new users, new vehicles) while the platform refuses with a retryable status, as an MSP
   * retries: on a loaded machine the second lifecycle-streams instance's rebalance can outlast ingress-aid1's reply
   * timeout, which answers 503. Bounded: five tries.
   */
  private static FleetRig.Rig setUp(FleetRig rigs, FleetRig.Plan plan, PrintStream out) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return rigs.setUp(plan, smdp -> smdp);
      } catch (IllegalStateException e) {
        Matcher m = STATUS.matcher(String.valueOf(e.getMessage()));
        if (attempt == 5 || !m.find() || !RETRYABLE.contains(Integer.parseInt(m.group(1)))) {
          throw e;
        }
        out.println("drill-load: set-up refused with a retryable status (HTTP " + m.group(1) + "), again in 10 s");
        Thread.sleep(10_000);
      }
    }
  }

  /** One user onboarded; how it ended: ok, retryable (status or not reached), or the status that refused it. */
  private static String onboard(FleetSetup setup, String user, String mspId) throws InterruptedException {
    try {
      setup.onboard(user, mspId);
      return "ok";
    } catch (IOException e) {
      return "retryable (not reached)";
    } catch (IllegalStateException e) {
      Matcher m = STATUS.matcher(String.valueOf(e.getMessage()));
      int status = m.find() ? Integer.parseInt(m.group(1)) : 0;
      return RETRYABLE.contains(status) ? "retryable " + status : "refused " + status;
    }
  }
}
