package org.aidcmp.deploy.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.aidcmp.deploy.drill.SteadyProducer.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The cluster drill (issue 14): a three-node KRaft cluster in three processes on loopback (replication factor 3,
 * min ISR 2), two instances of every service each in its own process ({@code aid run SERVICE}), under a steady
 * load; kill -9 one broker, then one instance of each service, then bring them back. Prints how long each took
 * to recover. Not part of {@code mvn verify}: it takes minutes and most of a small machine.
 *
 * <pre>nice mvn -q -B -pl deploy -am verify -Dtest=ClusterDrillTest -Daid.drill=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Part 1 (the cluster under a steady acks=all write load) runs on its own; part 2 (the services) needs
 * {@code aid run} in the launcher and says so when it is missing. Logs: deploy/target/drill/logs.
 */
@EnabledIfSystemProperty(named = "aid.drill", matches = "true")
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class ClusterDrillTest {
  private static final Duration START = Duration.ofMinutes(3);
  private static final List<String> SERVICES =
      List.of("lifecycle-streams", "ingress-aid1", "ingress-aid2", "egress-msp", "egress-downlink", "projections");
  private final Path dir = Path.of("target", "drill").toAbsolutePath();
  private final Map<String, String> report = new LinkedHashMap<>();

  @Test
  void killABrokerThenOneInstanceOfEachServiceAndBringThemBack() throws Exception {
    deleteRecursively(dir);
    Files.createDirectories(dir);
    try (DrillCluster cluster = new DrillCluster(dir)) {
      long t0 = System.nanoTime();
      cluster.start(START);
      say("cluster of 3 KRaft nodes up in %.1f s: %s", seconds(System.nanoTime() - t0), cluster.bootstrapServers());

      brokerKill(cluster);
      if (!aidRunAvailable()) {
        say("part 2 (services) NOT RUN: this launcher has no `aid run SERVICE` yet (see aid help)");
        // Part 1 held; the drill as a whole did not run, so it is reported as skipped, not as passed.
        org.junit.jupiter.api.Assumptions.abort("part 2 needs `aid run SERVICE`; part 1's figures: " + dir.resolve("report.txt"));
      }
      services(cluster);
    } finally {
      report.forEach((k, v) -> System.out.println("drill: " + k + ": " + v));
      Files.writeString(dir.resolve("report.txt"), report.entrySet().stream()
          .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n", "", "\n")));
    }
  }

  /** Part 1: the steady writer keeps going through a broker's SIGKILL; nothing acknowledged is lost or doubled. */
  private void brokerKill(DrillCluster cluster) throws Exception {
    SteadyProducer load = new SteadyProducer(cluster.bootstrapServers(), 20);
    try {
      Thread.sleep(5_000); // warm: every partition has a leader and the producer its metadata
      load.takeLongestGap();
      Proc victim = cluster.node(1);
      long killed = System.nanoTime();
      victim.kill9();
      say("kill -9 %s", victim.name());
      Thread.sleep(15_000);
      Duration gap = load.takeLongestGap();
      report.put("broker kill: longest time without an acknowledged write", String.format("%.2f s", gap.toMillis() / 1000.0));
      long restarted = System.nanoTime();
      victim.start();
      DrillCluster.awaitReady(victim, START);
      Duration isr = cluster.awaitFullIsr(Duration.ofMinutes(3));
      report.put("broker kill: node back (process start to serving)", String.format("%.1f s", seconds(System.nanoTime() - restarted) - isr.toMillis() / 1000.0));
      report.put("broker kill: every replica in sync again after the node served", String.format("%.1f s", isr.toMillis() / 1000.0));
      report.put("broker kill: kill to full ISR", String.format("%.1f s", seconds(System.nanoTime() - killed)));
      Thread.sleep(3_000);
    } finally {
      load.close(); // waits for every send to be acknowledged or failed
    }
    Result result = load.verify(Duration.ofMinutes(2));
    report.put("broker kill: steady writes", result.toString());
    assertThat(result.lost()).as("acknowledged writes lost").isZero();
    assertThat(result.doubled()).as("writes read twice").isZero();
    assertThat(result.acknowledged()).isPositive();
  }

  private static boolean aidRunAvailable() throws Exception {
    Proc help = new Proc("aid-help", "org.aidcmp.infra.launcher.Aid", List.of("help"), Map.of(),
        Path.of("target", "drill", "logs").toAbsolutePath(), "128m").start();
    help.awaitLine(Pattern.compile("configuration:"), Duration.ofSeconds(60));
    help.stop();
    return Pattern.compile("(?m)^\\s+run\\s").matcher(help.output()).find();
  }

  // Part 2 -------------------------------------------------------------------------------------------------------

  private void services(DrillCluster cluster) throws Exception {
    Ports ports = new Ports();
    // One file for all: the backing stack starts the embedded registry, PostgreSQL and MQTT broker on its fixed
    // ports (Kafka is the cluster), and `aid run` with those endpoints empty finds them there and fills the
    // services' broker logins for them (DevCredentials), as for the embedded default.
    Path backing = writeConfig("drill.properties", baseConfig(cluster, ports));
    Path services = backing;
    List<Proc> all = new ArrayList<>();
    try {
      // The backing services (registry, PostgreSQL, MQTT: embedded, one each; Kafka: the cluster) and the contract.
      Proc stack = proc("stack", List.of("--config", backing.toString(), "up", "--stack-only"), Map.of(), "512m");
      all.add(stack.start());
      require(stack.awaitLine(Pattern.compile("(?i)ready|running|Ctrl-C"), START), stack);
      Proc msp = proc("msp-drill-a", List.of("--config", services.toString(), "msp", "serve", "drill-a", "--mode", "async"),
          Map.of(), "256m");
      all.add(msp.start());
      require(msp.awaitLine(Pattern.compile("Ctrl-C stops it"), START), msp);

      Map<String, List<Instance>> instances = new LinkedHashMap<>();
      for (String service : SERVICES) {
        for (int i = 1; i <= 2; i++) {
          Instance in = new Instance(service, i, DrillCluster.freePort(), services, ports);
          instances.computeIfAbsent(service, k -> new ArrayList<>()).add(in);
          all.add(in.proc.start());
        }
      }
      for (List<Instance> list : instances.values()) {
        for (Instance in : list) {
          Duration up = in.awaitReady(START);
          report.put("start " + in.proc.name(), String.format("ready in %.1f s", up.toMillis() / 1000.0));
        }
      }

      // The load: users onboarded at the MSP (touchpoint and Send MSP token), vehicles logging in and out.
      Proc fleet = proc("fleet", List.of("--config", services.toString(), "fleet", "run", "--vehicles", "4",
          "--users", "4", "--msp", "drill-a", "--duration", "150s", "--pause", "3s"), Map.of(), "384m");
      all.add(fleet.start());
      require(fleet.awaitLine(Pattern.compile("vehicles online"), START), fleet);
      Thread.sleep(15_000);

      Proc broker = cluster.node(2);
      broker.kill9();
      say("kill -9 %s under load", broker.name());
      Thread.sleep(10_000);
      broker.start();
      DrillCluster.awaitReady(broker, START);
      report.put("services: broker back, replicas in sync after", cluster.awaitFullIsr(Duration.ofMinutes(3)).toMillis() / 1000.0 + " s");

      for (String service : SERVICES) {
        Instance victim = instances.get(service).get(0);
        long killed = System.nanoTime();
        victim.proc.kill9();
        Thread.sleep(3_000);
        victim.proc.start();
        Duration ready = victim.awaitReady(START);
        report.put("recovery " + service, String.format("kill -9 to ready %.1f s (restart to ready %.1f s)",
            seconds(System.nanoTime() - killed), ready.toMillis() / 1000.0));
      }

      require(fleet.awaitLine(Pattern.compile("flows ended\\s*$|profiles provisioned"), Duration.ofMinutes(6)), fleet);
      Thread.sleep(5_000);
      checkFleet(fleet.output());
      checkMspExactlyOnce(msp.output());
    } finally {
      for (int i = all.size() - 1; i >= 0; i--) {
        all.get(i).stop();
      }
    }
  }

  /** Every flow of the load ended, none lost (timed out without an answer). */
  private void checkFleet(String out) {
    List<String> outcomes = out.lines().dropWhile(l -> !l.contains("outcomes")).toList();
    report.put("fleet outcomes", String.join(" | ", outcomes));
    assertThat(outcomes).as("the fleet's outcome table").isNotEmpty();
    assertThat(String.join("\n", outcomes)).as("flows that never ended").doesNotContainIgnoringCase("timed out");
  }

  /** At the MSP: no CMP-request-id executed (answered by the MSP's own logic) twice. */
  private void checkMspExactlyOnce(String out) {
    Pattern line = Pattern.compile("(\\S+) -> (\\d+) \\(CMP-request-id (\\S+)\\)");
    Map<String, Integer> executed = new TreeMap<>();
    Matcher m = line.matcher(out);
    int calls = 0;
    while (m.find()) {
      calls++;
      int status = Integer.parseInt(m.group(2));
      if (status >= 200 && status < 500 && status != 429) {
        executed.merge(m.group(1) + " " + m.group(3), 1, Integer::sum);
      }
    }
    List<String> doubled = executed.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    report.put("MSP calls", calls + " received, " + executed.size() + " executed, doubled: " + doubled);
    assertThat(calls).as("MSP calls during the drill").isPositive();
    assertThat(doubled).as("MSP calls executed twice").isEmpty();
  }

  private Map<String, String> baseConfig(DrillCluster cluster, Ports ports) {
    byte[] phoneKey = new byte[16];
    new SecureRandom().nextBytes(phoneKey);
    Map<String, String> c = new TreeMap<>();
    c.put("aid.data.dir", dir.resolve("data").toString());
    c.put("kafka.bootstrap.servers", cluster.bootstrapServers());
    c.put("aid.topics.partitions", "6");
    c.put("aid.topics.replication.factor", "3");
    c.put("schema.registry.embedded.port", String.valueOf(ports.registry));
    c.put("postgres.embedded.port", String.valueOf(ports.postgres));
    c.put("mqtt.embedded.port", String.valueOf(ports.mqtt));
    c.put("mqtt.embedded.tls.port", String.valueOf(ports.mqttTls));
    c.put("oidc.local.port", String.valueOf(ports.oidc));
    c.put("ingress.aid1.msp.port", String.valueOf(ports.aid1Msp));
    c.put("ingress.aid1.touchpoint.port", String.valueOf(ports.aid1Touchpoint));
    c.put("cmp.id", "aidcmp");
    c.put("management.port", "0");
    c.put("msp.ids", "drill-a");
    String p = "msp.drill-a.";
    c.put(p + "client-id", "mspDrillA");
    c.put(p + "base-url", "https://127.0.0.1:" + ports.msp);
    c.put(p + "api-key", "cmpKeyAtmspDrillA");
    c.put(p + "inbound-api-key", "mspDrillAKey0123456");
    c.put(p + "account-id-secret", "drill-a-secret-of-at-least-32-bytes!!!!");
    c.put(p + "phone-key", Base64.getEncoder().encodeToString(phoneKey));
    c.put(p + "touchpoint-url", "https://portal.drill-a.example/login");
    return c;
  }

  private Path writeConfig(String name, Map<String, String> values) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n", "", "\n")));
    return file;
  }

  private Proc proc(String name, List<String> args, Map<String, String> env, String heap) {
    return new Proc(name, "org.aidcmp.infra.launcher.Aid", args, env, dir.resolve("logs"), heap);
  }

  private static void require(boolean ok, Proc p) {
    if (!ok) {
      throw new IllegalStateException(p.name() + " did not get ready; see " + p.log());
    }
  }

  private void say(String format, Object... args) {
    String line = String.format(format, args);
    System.out.println("drill: " + line);
    report.put("step " + report.size(), line);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (Files.exists(p)) {
      try (var paths = Files.walk(p)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** Fixed ports for the backing services, so both configuration files name the same ones. */
  private static final class Ports {
    final int registry = DrillCluster.freePort();
    final int postgres = DrillCluster.freePort();
    final int mqtt = DrillCluster.freePort();
    final int mqttTls = DrillCluster.freePort();
    final int oidc = DrillCluster.freePort();
    final int msp = DrillCluster.freePort();
    final int aid1Msp = DrillCluster.freePort();
    final int aid1Touchpoint = DrillCluster.freePort();
  }

  /** One service instance: `aid run SERVICE` with its own instance id, state directory and management port. */
  private final class Instance {
    final Proc proc;
    final int management;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Instance(String service, int n, int management, Path config, Ports ports) {
      this.management = management;
      String id = service + "-" + n;
      Map<String, String> env = new LinkedHashMap<>();
      env.put("AID_MANAGEMENT_HOST", "127.0.0.1");
      env.put("AID_MANAGEMENT_PORT", String.valueOf(management));
      // aid run derives static membership, the bridge's client id and the state directory from it.
      env.put("AID_INSTANCE_ID", String.valueOf(n));
      if (service.equals("ingress-aid1") && n == 2) {
        // The second instance on ports of its own (on loopback there is no load balancer in front).
        env.put("AID_INGRESS_AID1_MSP_PORT", String.valueOf(DrillCluster.freePort()));
        env.put("AID_INGRESS_AID1_TOUCHPOINT_PORT", String.valueOf(DrillCluster.freePort()));
        env.put("AID_OIDC_LOCAL_PORT", String.valueOf(DrillCluster.freePort()));
      }
      proc = new Proc(id, "org.aidcmp.infra.launcher.Aid", List.of("--config", config.toString(), "run", service),
          env, dir.resolve("logs"), "384m");
    }

    /** Polls /health/ready until it answers 200; how long that took. */
    Duration awaitReady(Duration bound) throws InterruptedException {
      long begin = System.nanoTime();
      long deadline = begin + bound.toNanos();
      HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build();
      while (System.nanoTime() < deadline) {
        try {
          if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return Duration.ofNanos(System.nanoTime() - begin);
          }
        } catch (IOException e) {
          // not listening yet
        }
        if (!proc.alive()) {
          throw new IllegalStateException(proc.name() + " exited; see " + proc.log());
        }
        Thread.sleep(250);
      }
      throw new IllegalStateException(proc.name() + " not ready within " + bound + "; see " + proc.log());
    }
  }
}
