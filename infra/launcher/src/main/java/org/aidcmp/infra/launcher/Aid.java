package org.aidcmp.infra.launcher;

import org.aidcmp.infra.config.AidConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.samples.SampleEnvelopes;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The {@code aid} command line: runs and operates the platform. Wired by hand, no container: each command
 * is a small function of the configuration.
 */
public final class Aid {
  private static final String USAGE = """
      usage: aid [--config FILE] COMMAND

      commands:
        up       start the platform: the embedded stack for every endpoint the configuration leaves empty
                 (Kafka in KRaft mode, schema registry, PostgreSQL, MQTT 5 broker, all on loopback), the
                 topics and schemas of the contract, and every service; prints where everything is and
                 runs until Ctrl-C. --stack-only: the backing services and the contract, no services
        demo     all of AID.02 as a story on a fresh embedded platform with two simulated MSPs and three cars,
                 each step printed with its checks; stays up afterwards (Ctrl-C), --exit for scripts
        run      `aid run SERVICE`: one service in this process against the configured (or embedded default's)
                 endpoints, with /health/live, /health/ready and /metrics on management.port (aid run --help)
        msp      the MSP side of AiD1 against the running platform: `aid msp serve MSP_ID` runs a simulated
                 MSP that egress calls (and that sends activation codes back); `aid msp send-token`,
                 `notify-invalid`, `send-profile-info`, `update-subscription` call the platform as that MSP;
                 `aid msp onboard NEW_ID --client-certificate FILE --base-url URL` makes a new MSP's
                 configuration block and hand-over files. `aid msp help` for the options
        fleet    simulated vehicles against the running platform over MQTT 5: `aid fleet run --vehicles 200
                 --users 100 --duration 60s` onboards users at the MSPs (served by `aid msp serve`), registers
                 the vehicles with their broker credentials, drives logins and logouts, prints the outcomes.
                 `aid fleet --help` for the options
        bench    the fleet benchmark: its own platform, two simulated MSPs and a simulated fleet; the raw limit
                 beside it; a JSON result and a latency plot under bench/results (aid bench --help)
        drill    a fault drill under fleet load, its own platform: msp-down, mqtt-restart, kafka-restart, streams-kill;
                 counts every flow, exits 1 if one was lost or doubled (aid drill --help)
        samples  publish one random but valid record of every message type onto every topic, for trying
                 consumers against (never on a platform whose services run: they would act on them)
        vehicle  `aid vehicle register VIN --eid EID [--imei IMEI]`: enter a car into the fleet registry of the
                 running platform and issue its MQTT credentials (certificate and password); prints the broker
                 URLs, the CA and the files the car needs (aid vehicle --help)
        topics   list the topic catalogue
        dlq      list the dead letters of aid.dlq.v1 on a running platform, or redrive them (aid dlq --help):
                 dlq list    [--stage S] [--topic T] [--since ISO-INSTANT] [--limit N] [--offset P:O ...]
                 dlq redrive [the same] [--all] [--dry-run]
                 dlq show P:O    one letter in full (no key or value bytes)
        events   a user's, vehicle's or profile's whole history from the event topics (aid events --help):
                 events (--user CMP_USER_ID | --vin VIN | --iccid ICCID) [--limit N] [--json]
        projections rebuild [--no-swap] [--json]
                 build the PostgreSQL read models again from the event topics, with progress, and swap them in
        replay   lifecycle-streams again from the start of its inputs into fresh state (aid replay --help):
                 replay [--dry-run] [--json]
        reconcile  §4.6 profile status sync and §4.10 CSIM info, throttled (aid reconcile --help):
                 reconcile profiles (--user ID | --msp ID | --all) | csim (--vin VIN | --all) [--rate N/s] [--json]
        config   print the configuration in force (secrets masked)
        help     this text

      configuration: config/aid.properties, each key overridable by environment (AID_KAFKA_BOOTSTRAP_SERVERS ...)
      """;

  private final PrintStream out;

  Aid(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    System.exit(new Aid(System.out).run(args));
  }

  int run(String[] args) throws InterruptedException {
    List<String> rest = new ArrayList<>(List.of(args));
    Path configFile = System.getenv("AID_CONFIG") != null ? Path.of(System.getenv("AID_CONFIG")) : AidConfig.DEFAULT_FILE;
    if (rest.size() >= 2 && rest.get(0).equals("--config")) {
      configFile = Path.of(rest.get(1));
      rest = rest.subList(2, rest.size());
    }
    String command = rest.isEmpty() ? "help" : rest.get(0);
    switch (command) {
      case "up":
        try {
          return up(RunCommand.checked(AidConfig.load(configFile, System.getenv())), rest.contains("--stack-only"));
        } catch (IllegalArgumentException e) {
          System.err.println("aid up: " + e.getMessage());
          return 2;
        }
      case "run":
        return new RunCommand(out).run(AidConfig.load(configFile, System.getenv()), rest.subList(1, rest.size()));
      case "demo":
        return new DemoCommand(out).run(AidConfig.load(configFile, System.getenv()), rest.subList(1, rest.size()));
      case "msp":
        return msp(AidConfig.load(configFile, System.getenv()), rest.subList(1, rest.size()));
      case "fleet":
        return fleet(configFile, rest.subList(1, rest.size()));
      case "bench":
        return bench(configFile, rest.subList(1, rest.size()));
      case "drill":
        return FleetDrill.command(configFile, rest.subList(1, rest.size()), out);
      case "samples":
        return samples(AidConfig.load(configFile, System.getenv()));
      case "vehicle":
        return vehicle(configFile, rest.subList(1, rest.size()));
      case "topics":
        return topics();
      case "dlq":
        return dlq(configFile, rest.subList(1, rest.size()));
      case "events":
        return projectionCommand(configFile, "events", rest.subList(1, rest.size()));
      case "projections":
        return projectionCommand(configFile, "projections", rest.subList(1, rest.size()));
      case "replay":
        return ReplayCommand.dispatch(configFile, rest.subList(1, rest.size()), out);
      case "reconcile":
        return ReconcileCommand.dispatch(configFile, rest.subList(1, rest.size()), out);
      case "config":
        AidConfig.load(configFile, System.getenv()).describe().forEach((k, v) -> out.println(k + "=" + v));
        return 0;
      case "help":
      case "--help":
      case "-h":
        out.print(USAGE);
        return 0;
      default:
        System.err.println("aid: unknown command '" + command + "'");
        System.err.print(USAGE);
        return 2;
    }
  }

  /** aid msp: help without touching the data directory; a configuration it cannot use said in one line. */
  private int msp(AidConfig config, List<String> args) throws InterruptedException {
    if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))
        || args.contains("--help") || args.contains("-h")) {
      out.print(MspCommands.USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    MspCommands commands;
    try {
      commands = new MspCommands(config, out);
    } catch (IllegalArgumentException e) {
      System.err.println("aid msp: " + e.getMessage());
      return 2;
    }
    return commands.run(args);
  }

  /** aid bench: help without starting anything. */
  private int bench(Path configFile, List<String> args) throws InterruptedException {
    if (args.contains("--help") || args.contains("-h") || args.contains("help")) {
      out.print(FleetBench.USAGE);
      return 0;
    }
    try {
      return new FleetBench(AidConfig.load(configFile, System.getenv()), out).run(args);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      System.err.println("aid bench: " + e);
      return 1;
    }
  }

  /** aid fleet: help without touching the data directory; a configuration it cannot use said in one line. */
  private int fleet(Path configFile, List<String> args) throws InterruptedException {
    if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0)) || args.contains("--help")) {
      out.print(FleetCommands.USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    FleetCommands commands;
    try {
      commands = new FleetCommands(AidConfig.load(configFile, System.getenv()), out);
    } catch (IllegalArgumentException e) {
      System.err.println("aid fleet: " + e.getMessage());
      return 2;
    }
    return commands.run(args);
  }

  /** aid vehicle: help and bad input answered before the configuration or the platform is touched. */
  private int vehicle(Path configFile, List<String> args) throws InterruptedException {
    if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0)) || args.contains("--help")) {
      out.print(VehicleCommands.USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    VehicleCommands.Registration registration;
    try {
      registration = VehicleCommands.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("aid vehicle: " + e.getMessage());
      return 2;
    }
    return new VehicleCommands(AidConfig.load(configFile, System.getenv()), out).register(registration);
  }

  private int topics() {
    out.printf("%-28s %-9s %-10s %s%n", "topic", "retention", "compacted", "key");
    for (AidTopic topic : AidTopic.values()) {
      out.printf("%-28s %-9s %-10s %s%n", topic.topicName(), topic.retention(), topic.compacted(), topic.key());
    }
    return 0;
  }

  private int up(AidConfig config, boolean stackOnly) throws InterruptedException {
    long begin = System.nanoTime();
    out.println("aid: starting the platform ...");
    EmbeddedStack stack = EmbeddedStack.start(config);
    AtomicReference<Services> services = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    // One hook, so the services stop before what they stand on.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("aid: stopping ...");
      if (services.get() != null) {
        services.get().close();
      }
      stack.close();
      out.println("aid: stopped");
      stopped.countDown();
    }, "aid-shutdown"));

    Endpoints endpoints = stack.endpoints();
    List<String> created = ContractSetup.ensureTopics(endpoints.kafkaBootstrapServers(),
        config.getInt("aid.topics.partitions", AidTopic.DEFAULT_PARTITIONS),
        (short) config.getInt("aid.topics.replication.factor", 1));
    Map<String, Integer> schemaIds;
    try (SchemaRegistryClient registry = registryClient(config, endpoints)) {
      schemaIds = ContractSetup.registerSchemas(registry);
    }
    if (!stackOnly) {
      services.set(Services.start(config, endpoints));
    }

    out.println();
    endpoints.describe().forEach((what, where) -> out.printf("  %-24s %s%n", what, where));
    out.printf("  %-24s %d catalogued (%d created now), value schemas registered with ids %s%n",
        "Topics", AidTopic.values().length, created.size(), schemaIds.values());
    out.printf("  %-24s %s%n", "Data directory", config.get("aid.data.dir").orElse(".aid/data"));
    if (services.get() != null) {
      services.get().endpoints().forEach((what, where) -> out.printf("  %-24s %s%n", what, where));
    }
    out.printf("%naid: up in %.1f s. Ctrl-C stops everything.%n",
        Duration.ofNanos(System.nanoTime() - begin).toMillis() / 1000.0);
    stopped.await();
    return 0;
  }

  /** Where a running platform's Kafka, registry and MQTT broker are: configured, else the embedded default ports. */
  static Endpoints runningEndpoints(AidConfig config) {
    return new Endpoints(
        config.get("kafka.bootstrap.servers").orElse("127.0.0.1:" + config.getInt("kafka.embedded.port", 19092)),
        config.get("schema.registry.url").orElse("http://127.0.0.1:" + config.getInt("schema.registry.embedded.port", 18081)),
        null, null, null,
        config.get("mqtt.server.uri").orElse("tcp://127.0.0.1:" + config.getInt("mqtt.embedded.port", 11883)),
        config.get("mqtt.tls.server.uri").orElse(config.get("mqtt.server.uri").isPresent() ? null
            : "ssl://127.0.0.1:" + config.getInt("mqtt.embedded.tls.port", 18883)));
  }

  private int samples(AidConfig config) {
    Endpoints endpoints = runningEndpoints(config);
    int count = 0;
    try (SchemaRegistryClient registry = registryClient(config, endpoints);
        KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
            new StringSerializer(), new AvroSerializer<>(registry, false))) {
      for (SampleEnvelopes.Sample sample : SampleEnvelopes.everyMessageType(System.nanoTime())) {
        producer.send(new ProducerRecord<>(sample.topic().topicName(), "sample-" + sample.messageType(),
            sample.envelope()));
        count++;
      }
      producer.flush();
    }
    out.printf("aid: published %d sample records (one per message type) to %d topics%n", count,
        AidTopic.values().length);
    return 0;
  }

  /** How long dlq may take to read the dead-letter topic to its end (and one source record back). */
  private static final Duration DLQ_READ_LIMIT = Duration.ofSeconds(60);

  /** {@code aid dlq}: the parsing and printing; what list and redrive do is {@link DeadLetters}'. */
  private int dlq(Path configFile, List<String> args) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(DeadLetters.Request.USAGE);
      return 0;
    }
    if (!args.isEmpty() && args.get(0).equals("show")) {
      return dlqShow(configFile, args.subList(1, args.size()));
    }
    DeadLetters.Request request;
    try {
      request = DeadLetters.Request.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("aid dlq: " + e.getMessage());
      System.err.print(DeadLetters.Request.USAGE);
      return 2;
    }
    return withDeadLetters(configFile, "aid dlq", deadLetters -> {
      if (request.redrive()) {
        DeadLetters.Redrive redrive = deadLetters.redrive(request.selection(), request.dryRun());
        redrive.actions().forEach(a -> out.println(a.line()));
        out.println("aid dlq: " + redrive.summary());
        return redrive.failed() ? 1 : 0;
      }
      DeadLetters.Listing listing = deadLetters.list(request.selection());
      listing.letters().forEach(l -> out.println(l.line()));
      out.println("aid dlq: " + listing.summary());
      return 0;
    });
  }

  /**
   * Runs {@code command} on the running platform's dead letters; Kafka or the registry not there, the topic
   * missing, the read not done in time: said in one line, exit 1.
   */
  private int withDeadLetters(Path configFile, String command,
      java.util.function.ToIntFunction<DeadLetters> run) {
    AidConfig config = AidConfig.load(configFile, System.getenv());
    Endpoints endpoints = runningEndpoints(config);
    try (SchemaRegistryClient registry = registryClient(config, endpoints);
        DeadLetters deadLetters = new DeadLetters(endpoints.kafkaBootstrapServers(), registry,
            AidTopic.DLQ.topicName(), DLQ_READ_LIMIT)) {
      return run.applyAsInt(deadLetters);
    } catch (RuntimeException e) {
      System.err.println(command + ": " + e);
      return 1;
    }
  }

  /** {@code aid dlq show P:O [--json]}: one letter with everything but its key and value bytes. */
  private int dlqShow(Path configFile, List<String> args) {
    DeadLetters.Position at;
    try {
      if (args.isEmpty()) {
        throw new IllegalArgumentException("show which letter? PARTITION:OFFSET, as list prints it");
      }
      at = DeadLetters.Position.parse(args.get(0));
      for (String a : args.subList(1, args.size())) {
        if (!a.equals("--json")) {
          throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("aid dlq show: " + e.getMessage());
      System.err.print(DeadLetters.Request.USAGE);
      return 2;
    }
    return withDeadLetters(configFile, "aid dlq show", deadLetters -> {
      var shown = deadLetters.show(at);
      if (shown.isEmpty()) {
        System.err.println("aid dlq show: no letter at " + at + " of " + AidTopic.DLQ.topicName());
        return 1;
      }
      Map<String, Object> fields = shown.get();
      if (args.contains("--json")) {
        out.println(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(fields).toPrettyString());
      } else {
        fields.forEach((k, v) -> out.printf("%-22s %s%n", k, v));
      }
      return 0;
    });
  }

  /** {@code aid events} and {@code aid projections}: parsing errors in one line with the usage, exit 2. */
  private int projectionCommand(Path configFile, String command, List<String> args) {
    String usage = command.equals("events") ? ProjectionCommands.EVENTS_USAGE : ProjectionCommands.PROJECTIONS_USAGE;
    if (args.contains("--help") || args.contains("-h")) {
      out.print(usage);
      return 0;
    }
    if (command.equals("projections") && (args.isEmpty() || !args.get(0).equals("rebuild"))) {
      System.err.println("aid projections: rebuild?");
      System.err.print(usage);
      return 2;
    }
    AidConfig config = AidConfig.load(configFile, System.getenv());
    ProjectionCommands commands = new ProjectionCommands(config, out, System.err);
    var settings = ProjectionCommands.running(config);
    try (SchemaRegistryClient registry = registryClient(config, runningEndpoints(config))) {
      return command.equals("events") ? commands.events(args, registry, settings)
          : commands.rebuild(args.subList(1, args.size()), registry, settings);
    } catch (IllegalArgumentException e) {
      System.err.println("aid " + command + ": " + e.getMessage());
      System.err.print(usage);
      return 2;
    } catch (RuntimeException e) {
      System.err.println("aid " + command + ": " + e);
      return 1;
    }
  }

  static SchemaRegistryClient registryClient(AidConfig config, Endpoints endpoints) {
    RestSchemaRegistryClient.Builder builder = RestSchemaRegistryClient.builder().urls(endpoints.schemaRegistryUrl());
    config.get("schema.registry.basic.auth.user.info").ifPresent(builder::basicAuthUserInfo);
    return builder.build();
  }
}
