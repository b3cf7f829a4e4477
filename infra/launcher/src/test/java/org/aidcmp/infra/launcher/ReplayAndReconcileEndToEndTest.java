package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.infra.vehicle.Euicc;
import org.aidcmp.infra.vehicle.Fleet;
import org.aidcmp.infra.vehicle.HttpsSmdp;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.infra.vehicle.VehicleConnection;
import org.aidcmp.infra.vehicle.VehicleIdentities;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code aid reconcile} and {@code aid replay} as an SRE types them, against the whole platform ({@link Services}
 * as {@code aid up} runs it, an MSP served as {@code aid msp serve} serves it, simulated vehicles over MQTT):
 *
 * <ol>
 *   <li>§4.10: {@code aid reconcile --vin} asks a car for its inventory; the car answers; nothing changed.
 *   <li>§4.6 (Annex A.5, a support case): the MSP deletes a profile on its side while the CMP thinks it enabled;
 *       {@code aid reconcile --user} reports it, and the platform makes it invalid and deletes it from its car.
 *   <li>{@code aid replay} with the platform stopped (refused while it runs): the User and Vehicle aggregates and
 *       the routes come out equal to before; once the platform runs again, no MSP is called again (the
 *       simulator's call log), no vehicle gets a command again (a subscriber on each car's downlink topics; the
 *       downlink skipped every re-emitted command as published already), no fact lands twice in the timeline.
 * </ol>
 *
 * <p>On its own embedded stack (started as {@link SharedEmbeddedStack} starts one): a replay reprocesses every
 * input on the broker, and the shared stack's inputs come from every other test class.
 */
class ReplayAndReconcileEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path dir;
  private static EmbeddedStack stack;

  @BeforeAll
  static void stack() throws Exception {
    dir = Files.createTempDirectory("aid-replay-e2e-");
    stack = EmbeddedStack.start(SharedEmbeddedStack.testConfig(dir.resolve("stack"), SharedEmbeddedStack.freePorts()));
    ContractSetup.ensureTopics(stack.endpoints().kafkaBootstrapServers(), SharedEmbeddedStack.TEST_PARTITIONS,
        (short) 1);
    try (var registry = Aid.registryClient(AidConfig.of(Map.of()), stack.endpoints())) {
      ContractSetup.registerSchemas(registry);
    }
  }

  @AfterAll
  static void stop() throws IOException {
    if (stack != null) {
      stack.close();
    }
    SharedEmbeddedStack.deleteRecursively(dir);
  }

  @Test
  void reconcileRepairsADivergence_4_6_andAsksACarForItsInventory_4_10() throws Exception {
    scenario(false);
  }

  /**
   * The replay takes the inputs window by window of input time, each window's chains through the internal topics
   * settled before the next (docs/architecture.md, Replay): the aggregates come out equal, field by field and the
   * decisions counter with them, so every re-emitted command has the id and timestamp it had.
   */
  @Test
  void replayRebuildsTheSameStateAndSendsNothingOut() throws Exception {
    scenario(true);
  }

  private void scenario(boolean replayToo) throws Exception {
    Endpoints endpoints = stack.endpoints();
    // Both tests run on this class's stack, whichever first: a user of each (the replay reprocesses both).
    String userName = replayToo ? "replay-user" : "reconcile-user";
    Path data = dir.resolve("stack"); // the broker checks the credentials issued there
    Map<String, String> settings = new HashMap<>(Map.ofEntries(
        Map.entry("aid.data.dir", data.toString()),
        Map.entry("cmp.id", "aidcmp"),
        Map.entry("lifecycle.application-id", "aid-lifecycle-replay"),
        Map.entry("lifecycle.state-dir", dir.resolve("lifecycle").toString()),
        Map.entry("egress.group.id", "aid-egress-replay"),
        Map.entry("downlink.group.id", "aid-downlink-replay"),
        Map.entry("ingress.aid2.instance-id", "replay"),
        Map.entry("ingress.aid1.msp.port", "0"),
        Map.entry("ingress.aid1.touchpoint.port", "0"),
        Map.entry("oidc.local.port", "0"),
        Map.entry("msp.ids", "rep-a")));
    settings.putAll(msp("rep-a", "mspRepA", freePort()));
    AidConfig config = AidConfig.of(settings);
    Path configFile = commandLineConfig(settings, endpoints);

    List<VehicleCredentials> cars = new ArrayList<>();
    FleetSetup.User user;
    String iccidOnCar0;
    String iccidOnCar1;
    int mspCallsBefore;
    MspCommands aidMsp;
    try (Services services = Services.start(config, endpoints)) {
      aidMsp = new MspCommands(config.with(Map.of("ingress.aid1.msp.port",
          String.valueOf(services.ingress().server().mspPort()))), quiet());
      try (MspCommands.Served msp = aidMsp.serve("rep-a", MspSimulator.ResponseMode.SYNC, 3, null, null)) {
        List<X509Certificate> localCa = Pem.readCertificates(Pem.read(DevCredentials.localCa(data)));
        TouchpointClient touchpoint = new TouchpointClient(
            URI.create("https://127.0.0.1:" + services.ingress().server().touchpointPort()),
            URI.create(services.issuer().issuer() + "/token"), localCa);
        FleetSetup setup = new FleetSetup(touchpoint, id -> aidMsp.cmpClient(id, null), "fleet");
        lifecycleRunning(endpoints);
        // The first request after a cold start can pass ingress's reply bound on a loaded machine (503, code 205,
        // "try again"): onboarding is then simply asked again, as a touchpoint would.
        user = Await.until(userName + " onboarded", WAIT, Duration.ofSeconds(1), () -> {
          try {
            return setup.onboard(userName, "rep-a");
          } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("HTTP 503")) {
              return null;
            }
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, () -> "503 each time");
        VehicleIdentities ids = new VehicleIdentities(new SecureRandom());
        MqttCredentials broker = DevCredentials.mqttCredentials(data);
        HttpsSmdp smdp = new HttpsSmdp(List.of(msp.simulator().smdpDownloadUrl()),
            DevCredentials.authority(data).issueClient("vehicle-fleet"), localCa);
        try (Fleet fleet = new Fleet(smdp, new Fleet.Settings(2, WAIT))) {
          List<SimulatedVehicle> v = new ArrayList<>();
          for (int i = 0; i < 2; i++) {
            VehicleCredentials c = setup.register(setup.operatorToken(), ids.vin(i), ids.eid(i), ids.imei(i), broker);
            cars.add(c);
            v.add(fleet.add(new SimulatedVehicle.Spec(ids.vin(i), ids.eid(i), ids.imei(i), 4),
                VehicleConnection.plain(endpoints.mqttServerUri(), ids.vin(i)).withCredentials(c.username(),
                    c.password())));
          }
          fleet.goOnline().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          for (SimulatedVehicle car : v) {
            Outcome o = car.login(user.cmpUserId()).get(WAIT.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            assertThat(o.result()).as(o.toString()).isEqualTo(Outcome.Result.PROVISIONED);
          }
          iccidOnCar0 = profileOf(v.get(0), user.cmpUserId());
          iccidOnCar1 = profileOf(v.get(1), user.cmpUserId());
          projected(endpoints, "SELECT count(*) FROM projections.profiles WHERE iccid IN ('" + iccidOnCar0 + "', '"
              + iccidOnCar1 + "') AND state = 'ENABLED'", 2);
          projected(endpoints, "SELECT count(*) FROM projections.vehicle_inventory WHERE vin = '" + v.get(1).vin()
              + "'", 1);

          // §4.10: the car answers with its inventory, which is what the platform believes: nothing changes.
          JsonNode csim = JSON.readTree(run(0, configFile, "reconcile", "--vin", v.get(1).vin(), "--json"));
          assertThat(csim.path("vehicles").get(0).path("answered").asBoolean()).as(csim.toString()).isTrue();
          assertThat(csim.path("vehicles").get(0).path("after").path(iccidOnCar1).asText()).isEqualTo("ENABLED");

          // §4.6: the MSP deleted car 0's profile on its side; the CMP still has it enabled.
          assertThat(msp.simulator().dropProfile(user.mspToken(), iccidOnCar0)).isTrue();
          // (car 1's profile: the MSP's simulator notes "installed" only; its network saw it enabled since)
          assertThat(msp.simulator().setProfileState(user.mspToken(), iccidOnCar1,
              org.aidcmp.infra.msp.ProfileState.ENABLED)).isTrue();
          String table = run(0, configFile, "reconcile", "--user", user.cmpUserId(), "--rate", "5/s");
          assertThat(table).contains(user.cmpUserId(), iccidOnCar0, "ENABLED", "(not listed)",
              "invalid, deleted from its vehicle", "1 profile changes").doesNotContain(user.mspToken());
          example("aid reconcile --user " + user.cmpUserId(), table);
          Outcome deleted = Await.until("car 0's profile deleted after the reconciliation", WAIT,
              Duration.ofMillis(100), () -> fleet.outcomes().matching(o -> o.flow() == Outcome.Flow.DELETE_PROFILE
                  && o.vin().equals(v.get(0).vin())).stream().findFirst().orElse(null),
              () -> "outcomes " + fleet.outcomes().all());
          assertThat(deleted.result()).isEqualTo(Outcome.Result.DELETED);
          assertThat(v.get(0).profiles()).extracting(Euicc.Profile::iccid).doesNotContain(iccidOnCar0);
          projected(endpoints, "SELECT count(*) FROM projections.profiles WHERE iccid = '" + iccidOnCar0
              + "' AND state = 'DELETED'", 1);
          // The SRE finds it in the user's history: the reconciliation and the delete it caused, with the reason.
          String history = Await.until("the delete in the user's history", WAIT, Duration.ofMillis(500), () -> {
            String h = run(0, configFile, "events", "--user", user.cmpUserId());
            return h.contains("ProfileDeleted") ? h : null;
          }, () -> "not yet");
          assertThat(history).contains("FederationEstablished", "ProfilesReconciled", "RECONCILIATION", iccidOnCar0)
              .doesNotContain(user.mspToken());
          example("aid events --user " + user.cmpUserId(), history);
          assertThat(runErr(1, configFile, "reconcile", "--user", "nobody-" + System.nanoTime()))
              .contains("nothing to ask");
          // Run again: the two sides agree now.
          assertThat(run(0, configFile, "reconcile", "--user", user.cmpUserId())).contains("in step, nothing changed");
        }
        caughtUp(endpoints, "aid-egress-replay", AidTopic.AID1_OUTBOUND.topicName());
        caughtUp(endpoints, "aid-downlink-replay", AidTopic.AID2_DOWNLINK.topicName());
        mspCallsBefore = msp.simulator().requests().size();

        assertThat(runErr(1, configFile, "replay")).as("refused while lifecycle-streams runs")
            .contains("refused", "is running");
      }
    }
    long timelineBefore = count(endpoints, "SELECT count(*) FROM projections.timeline");

    // The platform is stopped. What would be reset, then the replay.
    JsonNode plan = JSON.readTree(run(0, configFile, "replay", "--dry-run", "--json"));
    assertThat(plan.path("groupMembers").asInt()).isZero();
    assertThat(plan.path("inputs").has(AidTopic.TOUCHPOINT_COMMANDS.topicName())).isTrue();
    assertThat(plan.path("ownTopicsFromEnd").has(AidTopic.INTERNAL_USERS.topicName())).isTrue();
    assertThat(plan.path("topicsDeleted").toString()).contains("aid-lifecycle-replay-users-changelog");
    long inputs = plan.path("inputRecords").asLong();
    assertThat(inputs).isGreaterThan(10);
    if (!replayToo) {
      return;
    }

    example("aid replay --dry-run", run(0, configFile, "replay", "--dry-run"));
    // The stores as the replay finds them, to say field by field what differs if anything does (test data only).
    Map<String, org.aidcmp.lifecycle.replay.StoreSnapshot> before;
    org.aidcmp.lifecycle.replay.Replay.Options options;
    try (var registry = Aid.registryClient(config, endpoints)) {
      options = ReplayCommand.options(AidConfig.load(configFile, Map.of()), registry,
          ReplayCommand.Request.parse(List.of()));
      before = org.aidcmp.lifecycle.replay.Replay.snapshots(options);
    }
    JsonNode replay = JSON.readTree(invoke(-1, configFile, false, "replay", "--json"));
    if (!replay.path("identical").asBoolean()) {
      try (var registry = Aid.registryClient(config, endpoints)) {
        var after = org.aidcmp.lifecycle.replay.Replay.snapshots(options);
        StringBuilder diff = new StringBuilder();
        before.forEach((store, snapshot) -> snapshot.entries().forEach((key, was) -> {
          var now = after.get(store).entries().get(key);
          if (now != null && !now.equals(was)) {
            for (var f : was.getSchema().getFields()) {
              if (!java.util.Objects.equals(was.get(f.pos()), now.get(f.pos()))) {
                diff.append('\n').append(store).append(' ').append(key).append(' ').append(f.name())
                    .append("\n  before ").append(was.get(f.pos())).append("\n  after  ").append(now.get(f.pos()));
              }
            }
          }
        }));
        assertThat(replay.path("identical").asBoolean()).as(replay + diff.toString()).isTrue();
      }
    }
    assertThat(replay.path("identical").asBoolean()).as(replay.toString()).isTrue();
    assertThat(replay.path("reprocessed").asLong()).isGreaterThanOrEqualTo(inputs - 2 * 5);
    for (JsonNode store : replay.path("stores")) {
      assertThat(store.path("after").asInt()).as(store.toString()).isEqualTo(store.path("before").asInt());
    }
    long downlinkAgain = replay.path("reEmitted").path(AidTopic.AID2_DOWNLINK.topicName()).asLong();
    assertThat(downlinkAgain).as("the replay wrote the downlink commands again").isPositive();
    assertThat(replay.path("reEmitted").path(AidTopic.AID1_OUTBOUND.topicName()).asLong()).isPositive();

    // Each car's downlink watched, then the platform again: it takes the replay's outputs as done.
    List<MqttTestClient> watchers = new ArrayList<>();
    try {
      for (VehicleCredentials c : cars) {
        MqttTestClient watcher = MqttTestClient.vehicle(endpoints.mqttServerUri(), c);
        watcher.subscribe("aid2/v1/vehicles/" + c.username() + "/down/#");
        watchers.add(watcher);
      }
      try (Services services = Services.start(config, endpoints);
          MspCommands.Served msp = aidMsp.serve("rep-a", MspSimulator.ResponseMode.SYNC, 3, null, null)) {
        lifecycleRunning(endpoints);
        caughtUp(endpoints, "aid-egress-replay", AidTopic.AID1_OUTBOUND.topicName());
        caughtUp(endpoints, "aid-downlink-replay", AidTopic.AID2_DOWNLINK.topicName());
        // (the replay counts the records it wrote, read_committed: no transaction marker among them)
        assertThat(services.downlink().repeatsSkipped()).as("every re-emitted downlink command skipped")
            .isGreaterThanOrEqualTo(downlinkAgain);
        projected(endpoints, "SELECT count(*) FROM projections.projection_offsets WHERE next_offset > 0", 1);
        Await.until("the projections read the replay's facts", WAIT, Duration.ofMillis(200),
            () -> projectionsAtEnd(endpoints) ? Boolean.TRUE : null, () -> "not at the end of the event topics");
        assertThat(count(endpoints, "SELECT count(*) FROM projections.timeline")).as("no fact twice")
            .isEqualTo(timelineBefore);
        for (MqttTestClient watcher : watchers) {
          Optional<Mqtt5Publish> again = watcher.receive(3);
          assertThat(again).as("a command sent to a car again: " + again.map(p -> p.getTopic().toString()))
              .isEmpty();
        }
        assertThat(msp.simulator().requests()).as("no MSP called again").isEmpty();
        assertThat(mspCallsBefore).isPositive();

        // The watcher sees what is new: §4.10 asked again goes out to car 1 (which is offline: no answer).
        String offline = run(1, configFile, "reconcile", "--vin", cars.get(1).username(), "--wait-seconds", "3");
        assertThat(offline).contains("no answer within the wait");
        Mqtt5Publish asked = watchers.get(1).receive(60).orElseThrow(() -> new AssertionError("no csim-info"));
        assertThat(asked.getTopic().toString()).endsWith("/down/csim-info");
      }
    } finally {
      watchers.forEach(MqttTestClient::close);
    }
  }

  @Test
  void helpAndBadInput() throws Exception {
    Path configFile = commandLineConfig(Map.of(), stack.endpoints());
    assertThat(run(0, configFile, "replay", "--help")).contains("--dry-run", "--json", "changelog");
    assertThat(run(0, configFile, "reconcile", "--help")).contains("--user", "--msp", "--vin", "--rate", "§4.6",
        "§4.10");
    assertThat(runErr(2, configFile, "replay", "--colour")).contains("unknown option");
    assertThat(runErr(2, configFile, "reconcile")).contains("reconcile what?");
    assertThat(runErr(2, configFile, "reconcile", "--user", "a", "--msp", "b")).contains("at most one");
    assertThat(runErr(2, configFile, "reconcile", "--user", "a", "--rate", "fast")).contains("--rate");
    Path noTables = commandLineConfig(Map.of("projections.schema", "never_projected"), stack.endpoints());
    assertThat(runErr(1, noTables, "reconcile", "--all-users")).contains("read models", "never_projected");
  }

  /** What the commands printed, for the README's examples (target/, never asserted on). */
  private static void example(String command, String output) throws IOException {
    Path file = Path.of("target", "sre-examples.txt");
    Files.writeString(file, "$ ./" + command + "\n" + output + "\n", java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  /** The launcher's configuration file for the running stack, as an SRE would have it. */
  private static Path commandLineConfig(Map<String, String> settings, Endpoints endpoints) throws IOException {
    Map<String, String> all = new HashMap<>(settings);
    all.put("kafka.bootstrap.servers", endpoints.kafkaBootstrapServers());
    all.put("schema.registry.url", endpoints.schemaRegistryUrl());
    all.put("postgres.jdbc.url", endpoints.postgresJdbcUrl());
    all.put("postgres.user", endpoints.postgresUser());
    all.put("postgres.password", endpoints.postgresPassword() == null ? "" : endpoints.postgresPassword());
    if (!all.containsKey("aid.data.dir")) {
      all.put("aid.data.dir", dir.resolve("cli-data").toString());
    }
    Path file = Files.createTempFile(dir, "aid-", ".properties");
    StringBuilder s = new StringBuilder();
    all.forEach((k, v) -> s.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    Files.writeString(file, s);
    return file;
  }

  /**
   * Until the group has committed past the last record of each partition of the topic: found by reading the tail
   * read_committed, since a transactional writer's last commit marker takes an offset no consumer commits past.
   */
  private static void caughtUp(Endpoints endpoints, String group, String topic) throws InterruptedException {
    Map<TopicPartition, Long> last = lastRecordEnds(endpoints, topic);
    Await.until(group + " past the last record of " + topic + " " + last, WAIT, Duration.ofMillis(200), () -> {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          endpoints.kafkaBootstrapServers()))) {
        Map<TopicPartition, Long> committed = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
            .forEach((tp, o) -> committed.put(tp, o == null ? 0 : o.offset()));
        return last.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue())
            ? Boolean.TRUE : null;
      } catch (Exception e) {
        return null;
      }
    }, () -> "not yet");
  }

  private static Map<TopicPartition, Long> lastRecordEnds(Endpoints endpoints, String topic) {
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of(
        "bootstrap.servers", endpoints.kafkaBootstrapServers(), "isolation.level", "read_committed"),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < SharedEmbeddedStack.TEST_PARTITIONS; p++) {
        partitions.add(new TopicPartition(topic, p));
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> last = new HashMap<>();
      for (TopicPartition tp : partitions) {
        consumer.seek(tp, Math.max(0, end.get(tp) - 100));
        last.put(tp, 0L);
      }
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r ->
            last.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max));
      }
      return last;
    }
  }

  /** Until lifecycle-streams' group is stable with a member: a request before that waits past ingress's bound. */
  private static void lifecycleRunning(Endpoints endpoints) throws InterruptedException {
    Await.until("lifecycle-streams running", WAIT, Duration.ofMillis(200), () -> {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          endpoints.kafkaBootstrapServers()))) {
        var group = admin.describeConsumerGroups(List.of("aid-lifecycle-replay")).all().get(30, TimeUnit.SECONDS)
            .get("aid-lifecycle-replay");
        return group.groupState() == org.apache.kafka.common.GroupState.STABLE && !group.members().isEmpty()
            ? Boolean.TRUE : null;
      } catch (Exception e) {
        return null;
      }
    }, () -> "not yet");
  }

  private static boolean projectionsAtEnd(Endpoints endpoints) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        endpoints.kafkaBootstrapServers()))) {
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      for (String t : List.of(AidTopic.LIFECYCLE_EVENTS.topicName(), AidTopic.VEHICLE_EVENTS.topicName())) {
        for (int p = 0; p < SharedEmbeddedStack.TEST_PARTITIONS; p++) {
          ends.put(new TopicPartition(t, p), OffsetSpec.latest());
        }
      }
      long end = admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS).values().stream()
          .mapToLong(i -> i.offset()).sum();
      // read_committed: a transaction's last marker is never a record, so each partition may stay one short
      return count(endpoints, "SELECT coalesce(sum(next_offset), 0) FROM projections.projection_offsets")
          >= end - ends.size();
    } catch (Exception e) {
      return false;
    }
  }

  private static void projected(Endpoints endpoints, String query, long atLeast) throws InterruptedException {
    Await.until("projected: " + query, WAIT, Duration.ofMillis(200), () -> {
      try {
        return count(endpoints, query) >= atLeast ? Boolean.TRUE : null;
      } catch (Exception e) {
        return null;
      }
    }, () -> "not yet");
  }

  private static long count(Endpoints endpoints, String query) throws Exception {
    try (Connection c = DriverManager.getConnection(endpoints.postgresJdbcUrl(), endpoints.postgresUser(),
        endpoints.postgresPassword()); ResultSet rs = c.createStatement().executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String profileOf(SimulatedVehicle vehicle, String cmpUserId) {
    return vehicle.profiles().stream().filter(p -> p.cmpUserId().equals(cmpUserId)).findFirst().orElseThrow()
        .iccid();
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  private static String run(int exitCode, Path config, String... args) {
    return invoke(exitCode, config, false, args);
  }

  /** What the command said on stderr (refusals, usage errors). */
  private static String runErr(int exitCode, Path config, String... args) {
    return invoke(exitCode, config, true, args);
  }

  private static synchronized String invoke(int exitCode, Path config, boolean stderr, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldErr = System.err;
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = config.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = new Aid(new PrintStream(out, true, StandardCharsets.UTF_8)).run(all);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      System.setErr(oldErr);
    }
    String said = out.toString(StandardCharsets.UTF_8);
    String errors = err.toString(StandardCharsets.UTF_8);
    if (exitCode >= 0) { // -1: any, the caller looks
      assertThat(code).as(said + "\n" + errors).isEqualTo(exitCode);
    }
    return stderr ? errors : said;
  }

  private static Map<String, String> msp(String id, String clientId, int port) {
    byte[] phoneKey = new byte[16];
    new SecureRandom().nextBytes(phoneKey);
    String p = "msp." + id + ".";
    return Map.of(
        p + "client-id", clientId,
        p + "base-url", "https://127.0.0.1:" + port,
        p + "api-key", "cmpKeyAt" + clientId,
        p + "inbound-api-key", clientId + "Key0123456",
        p + "account-id-secret", id + "-secret-of-at-least-32-bytes!!!!",
        p + "phone-key", Base64.getEncoder().encodeToString(phoneKey),
        p + "touchpoint-url", "https://portal." + id + ".example/login",
        p + "csim-statuses", "installed,enabled,disabled,deleted");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
