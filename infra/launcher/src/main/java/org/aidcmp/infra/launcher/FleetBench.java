package org.aidcmp.infra.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.launcher.bench.CpuProfile;
import org.aidcmp.infra.launcher.bench.FlowHops;
import org.aidcmp.infra.launcher.bench.FlowTracker;
import org.aidcmp.infra.launcher.bench.LatencyPlot;
import org.aidcmp.infra.launcher.bench.RawLimits;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.infra.vehicle.Euicc;
import org.aidcmp.infra.vehicle.Fleet;
import org.aidcmp.infra.vehicle.FleetDriver;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.infra.vehicle.Smdp;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code aid bench}: the fleet benchmark. The whole platform in this JVM on its embedded default
 * ({@link LocalPlatform}, exactly_once_v2), two simulated MSPs over HTTPS (one synchronous with a pool of 2
 * profiles per subscription, so swaps happen; one asynchronous), users federated with them and simulated vehicles
 * registered with their own credentials, all through the real MQTT broker. The run: the raw limit of this machine
 * (plain produce and consume through the same Kafka broker, QoS 1 through the same MQTT broker), a warm-up, a
 * login storm (every vehicle at once), then a steady mix (logins, logouts, swaps, deletes) under a CPU profile,
 * then withdraws. It prints and writes a JSON result and a latency-over-time SVG.
 */
final class FleetBench {
  static final String USAGE = """
      usage: aid [--config FILE] bench [options]

        --vehicles N        simulated vehicles (default 200)
        --users N           users federated, half at each MSP (default 100)
        --duration D        the measured steady mix (default 5m; e.g. 60s, 2m)
        --warmup D          the steady mix before, not measured (default 30s)
        --pause D           longest pause of a vehicle between two flows (default 1s)
        --capacity N        profiles an eUICC holds (default 8)
        --delete-every D    one profile delete (§4.5) by a user this often (default 1s)
        --withdraws N       users withdrawing (§4.4) after the steady mix (default 2)
        --raw-count N       records / messages of the raw measurements (default 20000)
        --out DIR           where the result goes (default bench/results)
        --no-profile        no JFR recording of the steady mix

      Starts its own platform on free loopback ports and a fresh data directory (beside any aid up), and
      removes the data directory afterwards. Writes DIR/fleet-<time>.json and .svg (and the .jfr, not for
      committing). The flow timed: a vehicle's Request activation code published -> activation code received ->
      download (the SM-DP+ simulator's time subtracted) -> install info and CSIM status enabled reported -> the
      profile ENABLED in the User aggregate (its ProfileEnabled read from aid.lifecycle.events.v1).
      """;

  static final double TARGET_FLOWS_PER_SECOND = 1000;
  static final double TARGET_P99_MS = 250;

  private static final Set<String> OPTIONS = Set.of("vehicles", "users", "duration", "warmup", "pause", "capacity",
      "delete-every", "withdraws", "raw-count", "out", "no-profile");

  record Options(int vehicles, int users, Duration duration, Duration warmup, Duration pause, int capacity,
                 Duration deleteEvery, int withdraws, int rawCount, Path out, boolean profile) {}

  private final AidConfig base;
  private final PrintStream out;

  FleetBench(AidConfig base, PrintStream out) {
    this.base = base;
    this.out = out;
  }

  static Options parse(List<String> args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg.startsWith("--") ? arg.substring(2) : null;
      if (name == null || !OPTIONS.contains(name)) {
        throw new IllegalArgumentException("'" + arg + "' is not an option of bench (options: --"
            + String.join(", --", new TreeSet<>(OPTIONS)) + ")");
      }
      if (name.equals("no-profile")) {
        o.put(name, "true");
        continue;
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      o.put(name, args.get(++i));
    }
    return new Options(number(o, "vehicles", 200, 1), number(o, "users", 100, 2),
        FleetCommands.duration(o, "duration", "5m"), FleetCommands.duration(o, "warmup", "30s"),
        FleetCommands.duration(o, "pause", "1s"), number(o, "capacity", 8, 1),
        FleetCommands.duration(o, "delete-every", "1s"), number(o, "withdraws", 2, 0),
        number(o, "raw-count", 20000, 100), Path.of(o.getOrDefault("out", "bench/results")),
        !o.containsKey("no-profile"));
  }

  int run(List<String> args) throws Exception {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("aid bench: " + e.getMessage());
      return 2;
    }
    Path data = Path.of(base.get("aid.data.dir").orElse(".aid/data")).toAbsolutePath().resolveSibling(
        "bench-" + System.currentTimeMillis());
    out.printf("aid bench: starting the platform in %s ...%n", data);
    List<LocalPlatform.SimulatedMsp> msps = List.of(
        new LocalPlatform.SimulatedMsp("msp-sync", MspSimulator.ResponseMode.SYNC, 2),
        new LocalPlatform.SimulatedMsp("msp-async", MspSimulator.ResponseMode.ASYNC, 2));
    try (LocalPlatform platform = LocalPlatform.start(base, data, msps, Map.of(), out)) {
      return measure(platform, options);
    } finally {
      deleteRecursively(data);
    }
  }

  private int measure(LocalPlatform platform, Options options) throws Exception {
    Endpoints endpoints = platform.endpoints();
    AidConfig config = platform.config();
    Path data = Path.of(config.require("aid.data.dir"));
    Map<String, Object> raw = new LinkedHashMap<>();
    out.println("aid bench: the raw limit (plain Kafka, plain MQTT QoS 1), a warm-up pass first ...");
    int rawSize = 400; // about an uplink record's size on the topic
    RawLimits.kafka(endpoints.kafkaBootstrapServers(), "bench.raw.warmup", 6, options.rawCount() / 4, rawSize);
    RawLimits.Figure kafka = RawLimits.kafka(endpoints.kafkaBootstrapServers(), "bench.raw", 6, options.rawCount(),
        rawSize);
    RawLimits.Figure mqtt = rawMqtt(data, endpoints, options.rawCount(), rawSize);
    out.println("  " + kafka.line());
    out.println("  " + mqtt.line());
    raw.put("kafka_produce_consume", kafka);
    raw.put("mqtt_qos1", mqtt);

    FleetRig rig = new FleetRig(config, out);
    Map<String, Long> smdpNanos = new ConcurrentHashMap<>();
    Map<String, String> vinOfEid = new ConcurrentHashMap<>();
    FleetRig.Plan plan = new FleetRig.Plan(options.vehicles(), options.users(), List.of("msp-sync", "msp-async"),
        options.capacity(), 0, 0, 0, false, Duration.ofSeconds(60), Math.max(4,
        Runtime.getRuntime().availableProcessors() * 2));
    try (SchemaRegistryClient registry = Aid.registryClient(config, endpoints);
         FleetRig.Rig set = rig.setUp(plan, smdp -> timed(smdp, smdpNanos));
         FlowTracker tracker = new FlowTracker(endpoints.kafkaBootstrapServers(), registry,
             vin -> smdpNanos.getOrDefault(set.fleet().vehicle(vin).spec().eid(), 0L));
         FlowHops hops = new FlowHops(endpoints.kafkaBootstrapServers(), registry, eidToVin(set.fleet()));
         Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
             endpoints.kafkaBootstrapServers()))) {
      Fleet fleet = set.fleet();
      fleet.outcomes().onOutcome(tracker::onOutcome);
      fleet.outcomes().onOutcome(hops::onOutcome);
      long begin = System.nanoTime();
      List<LatencyPlot.Phase> phases = new ArrayList<>();

      out.printf("aid bench: warm-up, %s of the steady mix ...%n", options.warmup());
      int warmFrom = second(begin);
      steady(set, options, options.warmup());
      logoutAll(fleet);
      phases.add(new LatencyPlot.Phase("warm-up", warmFrom, second(begin)));

      out.printf("aid bench: login storm, %d vehicles at once ...%n", fleet.vehicles().size());
      int stormFrom = second(begin);
      int stormFlowsBefore = tracker.flows().size();
      long stormBegin = System.nanoTime();
      storm(fleet, set.users());
      long stormNanos = System.nanoTime() - stormBegin;
      awaitEnabled(tracker, Duration.ofSeconds(30));
      List<FlowTracker.Flow> stormFlows = tracker.flows().subList(stormFlowsBefore, tracker.flows().size());
      logoutAll(fleet);
      phases.add(new LatencyPlot.Phase("storm", stormFrom, second(begin)));

      out.printf("aid bench: steady mix for %s%s ...%n", options.duration(), options.profile() ? " (JFR on)" : "");
      int steadyFrom = second(begin);
      int steadyFlowsBefore = tracker.flows().size();
      int outcomesBefore = fleet.outcomes().size();
      int tracedBefore = hops.flows(Duration.ZERO).size();
      Map<String, Long> offsetsBefore = endOffsets(admin);
      long steadyBegin = System.nanoTime();
      CpuProfile profile = options.profile() ? CpuProfile.start() : null;
      Map<String, Integer> mix = steady(set, options, options.duration());
      long steadyNanos = System.nanoTime() - steadyBegin;
      // Where the steady mix's logins waited, printed before anything else can fail on a loaded machine.
      awaitEnabled(tracker, Duration.ofSeconds(30));
      List<FlowHops.Traced> traced = hops.flows(Duration.ofSeconds(30));
      ObjectNode where = new ObjectMapper().createObjectNode();
      waits(new ObjectMapper(), where, traced.subList(tracedBefore, traced.size()).stream()
          .filter(t -> t.endNanos() <= steadyBegin + steadyNanos).toList());
      out.println("aid bench: steady login flows: " + where.path("ended") + "; timed out, where they waited: "
          + where.path("timed_out_waiting_in") + "; refused: " + where.path("refused_by_reason"));
      out.println("aid bench: provisioned flows slower than p95, ms spent per hop (mean): "
          + where.path("slow_flows_ms_per_hop") + "; all provisioned: " + where.path("all_provisioned_ms_per_hop"));
      Map<String, Long> offsetsAfter = endOffsets(admin);
      Files.createDirectories(options.out());
      String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
          .format(Instant.now());
      CpuProfile.Summary cpu = null;
      if (profile != null) {
        cpu = profile.stopAndSummarise(options.out().resolve("fleet-" + stamp + ".jfr"), 12);
        profile.close();
      }
      awaitEnabled(tracker, Duration.ofSeconds(30));
      List<FlowTracker.Flow> all = tracker.flows();
      List<FlowTracker.Flow> steadyFlows = all.subList(steadyFlowsBefore, all.size()).stream()
          .filter(f -> f.endedNanos() <= steadyBegin + steadyNanos).toList();
      phases.add(new LatencyPlot.Phase("steady mix", steadyFrom, second(begin)));

      out.printf("aid bench: %d withdraws ...%n", options.withdraws());
      int withdrawn = withdraw(set, options.withdraws());
      int totalSeconds = second(begin) + 1;

      // --- the result
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode result = json.createObjectNode();
      double steadySeconds = steadyNanos / 1e9;
      double flowsPerSecond = steadyFlows.size() / steadySeconds;
      long[] latencies = steadyFlows.stream().mapToLong(FlowTracker.Flow::latencyNanos).sorted().toArray();
      result.put("benchmark", "aid bench: car provisioning flows through the real MQTT broker and HTTPS MSPs");
      result.put("started", Instant.now().minusNanos(System.nanoTime() - begin).toString());
      result.put("flows_per_second", round(flowsPerSecond));
      result.put("p50_ms", round(quantileMs(latencies, 0.50)));
      result.put("p95_ms", round(quantileMs(latencies, 0.95)));
      result.put("p99_ms", round(quantileMs(latencies, 0.99)));
      result.put("flows_measured", steadyFlows.size());
      result.put("steady_seconds", round(steadySeconds));
      result.put("target_flows_per_second", TARGET_FLOWS_PER_SECOND);
      result.put("target_p99_ms", TARGET_P99_MS);
      result.put("target_met", flowsPerSecond >= TARGET_FLOWS_PER_SECOND
          && quantileMs(latencies, 0.99) < TARGET_P99_MS);
      ObjectNode storm = result.putObject("storm");
      long[] stormLatencies = stormFlows.stream().mapToLong(FlowTracker.Flow::latencyNanos).sorted().toArray();
      storm.put("vehicles", fleet.vehicles().size());
      storm.put("flows", stormFlows.size());
      storm.put("seconds", round(stormNanos / 1e9));
      storm.put("p50_ms", round(quantileMs(stormLatencies, 0.5)));
      storm.put("p99_ms", round(quantileMs(stormLatencies, 0.99)));
      ObjectNode rawNode = result.putObject("raw");
      rawNode.set("kafka_produce_consume", json.valueToTree(kafka));
      rawNode.set("mqtt_qos1", json.valueToTree(mqtt));
      ObjectNode stages = result.putObject("records_per_second_by_topic");
      long platformRecords = 0;
      for (AidTopic topic : AidTopic.values()) {
        long n = offsetsAfter.getOrDefault(topic.topicName(), 0L) - offsetsBefore.getOrDefault(topic.topicName(), 0L);
        platformRecords += n;
        stages.put(topic.topicName(), round(n / steadySeconds));
      }
      result.put("platform_records_per_second", round(platformRecords / steadySeconds));
      result.put("fraction_of_raw_kafka", round(platformRecords / steadySeconds / kafka.perSecond()));
      result.put("uplinks_per_second", stages.path(AidTopic.AID2_UPLINK.topicName()).asDouble());
      result.put("fraction_of_raw_mqtt", round(stages.path(AidTopic.AID2_UPLINK.topicName()).asDouble()
          / mqtt.perSecond()));
      ObjectNode outcomes = result.putObject("steady_outcomes");
      Map<String, Integer> counted = new java.util.TreeMap<>();
      fleet.outcomes().all().subList(outcomesBefore, fleet.outcomes().size()).stream()
          .filter(o -> o.at().isBefore(Instant.now()))
          .forEach(o -> counted.merge(o.flow() + " " + o.result(), 1, Integer::sum));
      counted.forEach(outcomes::put);
      result.set("steady_logins", where);
      ObjectNode mixNode = result.putObject("steady_mix");
      mix.forEach(mixNode::put);
      result.put("withdraws_answered", withdrawn);
      ObjectNode setup = result.putObject("setup");
      setup.put("vehicles", options.vehicles());
      setup.put("users", options.users());
      setup.put("msps", "msp-sync (synchronous, pool of 2: swaps), msp-async (asynchronous, pool of 2)");
      setup.put("pause_ms", options.pause().toMillis());
      setup.put("capacity", options.capacity());
      setup.put("exactly_once", "exactly_once_v2");
      setup.put("subtracted", "the SM-DP+ simulator's download time of each flow (the MSP simulators answer at once)");
      result.set("machine", machine(json));
      if (cpu != null) {
        result.set("cpu_profile", json.valueToTree(cpu));
      }
      Path jsonFile = options.out().resolve("fleet-" + stamp + ".json");
      Path svgFile = options.out().resolve("fleet-" + stamp + ".svg");
      json.writeValue(jsonFile.toFile(), result);
      Files.writeString(svgFile, LatencyPlot.svg(String.format(java.util.Locale.ROOT,
          "aid bench %s: %d vehicles, %d users; steady %.0f flows/s, p99 %.0f ms", stamp, options.vehicles(),
          options.users(), flowsPerSecond, quantileMs(latencies, 0.99)),
          LatencyPlot.seconds(all, begin, totalSeconds), phases, TARGET_P99_MS, TARGET_FLOWS_PER_SECOND));

      out.printf("%naid bench: steady mix: %.1f provisioning flows/s (target %.0f), p50 %.0f / p95 %.0f / p99 %.0f ms "
              + "(target p99 < %.0f)%n", flowsPerSecond, TARGET_FLOWS_PER_SECOND, quantileMs(latencies, 0.5),
          quantileMs(latencies, 0.95), quantileMs(latencies, 0.99), TARGET_P99_MS);
      out.printf("aid bench: storm: %d flows in %.1f s, p99 %.0f ms%n", stormFlows.size(), stormNanos / 1e9,
          quantileMs(stormLatencies, 0.99));
      out.printf("aid bench: the platform wrote %.0f records/s (%.3f of plain Kafka's %.0f/s); uplinks %.0f/s "
              + "(%.3f of plain MQTT's %.0f/s)%n", platformRecords / steadySeconds,
          platformRecords / steadySeconds / kafka.perSecond(), kafka.perSecond(),
          stages.path(AidTopic.AID2_UPLINK.topicName()).asDouble(), result.path("fraction_of_raw_mqtt").asDouble(),
          mqtt.perSecond());
      if (cpu != null) {
        out.println("aid bench: where the CPU went (JFR samples by thread family): " + cpu.threads());
        out.println("aid bench: first platform frame on the stack: " + cpu.platformFrames());
      }
      out.printf("aid bench: wrote %s and %s%n", jsonFile, svgFile);
      return 0;
    }
  }

  /**
   * How the login flows ended and where they waited: counts per result, the timed-out ones by the hop they
   * waited in, the refused ones by reason, and the mean time per hop of all provisioned flows and of the
   * slowest 5 %.
   */
  private static void waits(ObjectMapper json, ObjectNode node, List<FlowHops.Traced> flows) {
    Map<String, Integer> ended = new java.util.TreeMap<>();
    Map<String, Integer> refused = new java.util.TreeMap<>();
    flows.forEach(t -> ended.merge(t.result().name(), 1, Integer::sum));
    flows.stream().filter(t -> t.result() == Outcome.Result.REFUSED)
        .forEach(t -> refused.merge(String.valueOf(t.detail()), 1, Integer::sum));
    node.set("ended", json.valueToTree(ended));
    node.set("timed_out_waiting_in", json.valueToTree(FlowHops.waitedIn(flows, Outcome.Result.TIMED_OUT)));
    node.set("refused_by_reason", json.valueToTree(refused));
    List<FlowHops.Traced> provisioned = flows.stream().filter(t -> t.result() == Outcome.Result.PROVISIONED).toList();
    // The slowest 5 % by the vehicle's own time (request to its last report): the bench's p95 ends later, at
    // ProfileEnabled, with the SM-DP+ time taken out, so few vehicle times pass it.
    long[] own = provisioned.stream().mapToLong(t -> t.endNanos() - t.startNanos()).sorted().toArray();
    double ownP95 = own.length == 0 ? 0 : own[(int) Math.min(own.length - 1, Math.floor(own.length * 0.95))];
    List<FlowHops.Traced> slow = provisioned.stream().filter(t -> t.endNanos() - t.startNanos() >= ownP95).toList();
    node.set("all_provisioned_ms_per_hop", json.valueToTree(meanPerHop(provisioned)));
    node.put("slow_flows", slow.size());
    node.set("slow_flows_ms_per_hop", json.valueToTree(meanPerHop(slow)));
  }

  private static Map<String, Double> meanPerHop(List<FlowHops.Traced> flows) {
    Map<String, Double> mean = new LinkedHashMap<>();
    FlowHops.timeInHops(flows).forEach((hop, ms) -> mean.put(hop.name(), round(ms / Math.max(1, flows.size()))));
    return mean;
  }

  private static java.util.function.Function<String, String> eidToVin(Fleet fleet) {
    Map<String, String> vins = new HashMap<>();
    fleet.vehicles().forEach(v -> vins.put(v.spec().eid(), v.vin()));
    return vins::get;
  }

  /** The steady mix for {@code duration}: logins and logouts (swaps at the sync MSP), deletes by users. */
  private Map<String, Integer> steady(FleetRig.Rig set, Options options, Duration duration) throws Exception {
    Map<String, Integer> deletes = new ConcurrentHashMap<>();
    Thread deleter = new Thread(() -> deleteLoop(set, options.deleteEvery(), duration, deletes), "bench-deletes");
    deleter.setDaemon(true);
    deleter.start();
    new FleetDriver(set.fleet()).run(new FleetDriver.Plan(duration, set.users(), options.pause(), System.nanoTime()),
        Duration.ofSeconds(10), p -> out.printf("  %5.1f s  flows ended %6d (%d ok)  running %d%n",
            p.elapsed().toMillis() / 1000.0, p.ended(), p.succeeded(), p.running()));
    deleter.join(TimeUnit.SECONDS.toMillis(30));
    return new java.util.TreeMap<>(deletes);
  }

  /** §4.5 from the user's touchpoint: a profile not enabled, on a random vehicle, deleted at a steady pace. */
  private static void deleteLoop(FleetRig.Rig set, Duration every, Duration duration, Map<String, Integer> answers) {
    SplittableRandom random = new SplittableRandom(7);
    long end = System.nanoTime() + duration.toNanos();
    List<SimulatedVehicle> vehicles = set.fleet().vehicles();
    while (System.nanoTime() + every.toNanos() < end) {
      try {
        Thread.sleep(every.toMillis());
        SimulatedVehicle v = vehicles.get(random.nextInt(vehicles.size()));
        List<Euicc.Profile> idle = v.profiles().stream()
            .filter(p -> p.status() != org.aidcmp.schemas.common.VehicleProfileStatus.ENABLED).toList();
        if (idle.isEmpty()) {
          continue;
        }
        Euicc.Profile p = idle.get(random.nextInt(idle.size()));
        String token = set.touchpoint().token(p.cmpUserId(), List.of());
        TouchpointClient.Answer answer = set.touchpoint().call(token, "DELETE", "/api/v1/vehicles/" + v.vin()
            + "/profiles/" + p.iccid(), null);
        answers.merge("delete HTTP " + answer.status() + (answer.status() / 100 == 2 ? ""
            : " code " + answer.body().path("code").asText()), 1, Integer::sum);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        answers.merge("delete failed: " + e.getClass().getSimpleName(), 1, Integer::sum);
      }
    }
  }

  /** Every vehicle at once logs in a user none of whose profiles it holds (so each is a provisioning flow). */
  private static void storm(Fleet fleet, List<String> users) throws Exception {
    List<CompletableFuture<Outcome>> flows = new ArrayList<>();
    int i = 0;
    for (SimulatedVehicle v : fleet.vehicles()) {
      Set<String> held = new java.util.HashSet<>();
      v.profiles().forEach(p -> held.add(p.cmpUserId()));
      for (int k = 0; k < users.size(); k++) {
        String user = users.get((i + k) % users.size());
        if (!held.contains(user)) {
          flows.add(v.login(user));
          break;
        }
      }
      i++;
    }
    CompletableFuture.allOf(flows.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
  }

  private static void logoutAll(Fleet fleet) throws Exception {
    List<CompletableFuture<Outcome>> flows = new ArrayList<>();
    for (SimulatedVehicle v : fleet.vehicles()) {
      v.profiles().stream().filter(p -> p.status() == org.aidcmp.schemas.common.VehicleProfileStatus.ENABLED)
          .forEach(p -> flows.add(v.logout(p.cmpUserId())));
    }
    CompletableFuture.allOf(flows.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
  }

  /** §4.4 from the CMP touchpoint for the first {@code count} users; returns how many were accepted. */
  private static int withdraw(FleetRig.Rig set, int count) {
    int accepted = 0;
    for (FleetSetup.User user : set.federated().subList(0, Math.min(count, set.federated().size()))) {
      try {
        String token = set.touchpoint().token(user.cmpUserId(), List.of());
        int status = set.touchpoint().call(token, "POST", "/api/v1/subscriptions/" + user.mspToken() + "/withdraw",
            "{}").status();
        accepted += status / 100 == 2 ? 1 : 0;
      } catch (IOException | InterruptedException e) {
        // counted as not accepted
      }
    }
    return accepted;
  }

  private static void awaitEnabled(FlowTracker tracker, Duration atMost) throws InterruptedException {
    long until = System.nanoTime() + atMost.toNanos();
    while (tracker.waiting() > 0 && System.nanoTime() < until) {
      Thread.sleep(100);
    }
  }

  /** QoS 1 through the platform's broker: the downlink's login publishing, a vehicle of its own subscribed. */
  private RawLimits.Figure rawMqtt(Path data, Endpoints endpoints, int count, int size) throws Exception {
    int port = java.net.URI.create(endpoints.mqttServerUri()).getPort();
    ServiceCredentials publisher = DevCredentials.mqttService(data, MqttRole.DOWNLINK);
    String vin = "WSMBENCHRAW000001";
    VehicleCredentials vehicle = DevCredentials.mqttCredentials(data).issueVehiclePassword(vin);
    RawLimits.Connected pub = RawLimits.connect(port, publisher.clientId("bench-raw"), publisher.username(),
        publisher.password());
    Mqtt5AsyncClient sub = RawLimits.connect(port, vehicle.clientId(), vehicle.username(),
        vehicle.passwordIfAny().orElseThrow()).client();
    try {
      // Not one of the downlink messages, so no vehicle or service acts on it.
      String topic = Aid2Topics.vehicleRoot(vin) + "down/raw-bench";
      RawLimits.mqtt(pub.client(), pub.receiveMaximum(), sub, topic, Aid2Topics.downlinkFilter(vin), count / 4, size); // warm-up
      sub.unsubscribeWith().topicFilter(Aid2Topics.downlinkFilter(vin)).send().get(10, TimeUnit.SECONDS);
      return RawLimits.mqtt(pub.client(), pub.receiveMaximum(), sub, topic, Aid2Topics.downlinkFilter(vin), count, size);
    } finally {
      pub.client().disconnect();
      sub.disconnect();
    }
  }

  private static Smdp timed(Smdp smdp, Map<String, Long> nanosByEid) {
    return (code, eid) -> {
      long start = System.nanoTime();
      try {
        return smdp.download(code, eid);
      } finally {
        nanosByEid.put(eid, System.nanoTime() - start);
      }
    };
  }

  private static Map<String, Long> endOffsets(Admin admin) throws Exception {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    for (var d : admin.describeTopics(Arrays.stream(AidTopic.values()).map(AidTopic::topicName).toList())
        .allTopicNames().get(30, TimeUnit.SECONDS).values()) {
      d.partitions().forEach(p -> ask.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
    }
    Map<String, Long> sums = new HashMap<>();
    admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS)
        .forEach((tp, info) -> sums.merge(tp.topic(), info.offset(), Long::sum));
    return sums;
  }

  private static ObjectNode machine(ObjectMapper json) {
    ObjectNode m = json.createObjectNode();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("memory_gib", round(((com.sun.management.OperatingSystemMXBean) ManagementFactory
        .getOperatingSystemMXBean()).getTotalMemorySize() / (1024.0 * 1024 * 1024)));
    m.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("load_average_at_end", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    return m;
  }

  private static int second(long begin) {
    return (int) ((System.nanoTime() - begin) / 1_000_000_000L);
  }

  private static double quantileMs(long[] sorted, double q) {
    return RawLimits.quantile(sorted, q) / 1e6;
  }

  private static double round(double v) {
    return Double.isNaN(v) ? v : Math.round(v * 100) / 100.0;
  }

  private static int number(Map<String, String> o, String name, int defaultValue, int min) {
    return FleetCommands.number(o, name, defaultValue, min);
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
