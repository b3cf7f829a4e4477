package org.aidcmp.infra.launcher;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.ConfigKeys;
import org.aidcmp.infra.postgres.EmbeddedPostgresServer;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code aid run SERVICE}: one service in this process, against the Kafka, registry, PostgreSQL and MQTT broker
 * the configuration names (left empty: the embedded default's ports on loopback, so {@code aid up --stack-only}
 * can stand in for them), with its {@code /health/*} and {@code /metrics} on {@code management.port}. Any number
 * run side by side: instances of a service share its consumer group (static membership per
 * {@code aid.instance-id}). Stops cleanly on SIGTERM / Ctrl-C.
 */
final class RunCommand {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  static final String USAGE = """
      usage: aid [--config FILE] run SERVICE

      runs one service of the platform in this process, against the endpoints the configuration names
      (kafka.bootstrap.servers, schema.registry.url, postgres.jdbc.url, mqtt.server.uri; an empty one: the
      embedded default's port on 127.0.0.1). Services: %s.
      Health and metrics on management.host:management.port (/health/live, /health/ready, /metrics).
      Several instances of a service: give each its own aid.instance-id (static membership of the consumer
      group, the bridge's MQTT client id) and management.port, e.g. AID_INSTANCE_ID=2 AID_MANAGEMENT_PORT=19102.
      """.formatted(AidService.ids());

  private final PrintStream out;

  RunCommand(PrintStream out) {
    this.out = out;
  }

  /** The configuration checked, its log format applied: a misspelt or invalid key stops here, in one line. */
  static AidConfig checked(AidConfig config) {
    ConfigKeys.check(config);
    AidLogFormat.use(config.get("log.format").orElse("text"));
    return config;
  }

  int run(AidConfig loaded, List<String> args) throws InterruptedException {
    if (args.isEmpty() || args.contains("--help") || args.contains("-h") || args.get(0).equals("help")) {
      out.print(USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    Optional<AidService> service = AidService.byId(args.get(0));
    if (service.isEmpty() || args.size() > 1) {
      System.err.println("aid run: " + (service.isEmpty() ? "no service '" + args.get(0) + "'; one of "
          + AidService.ids() : "unexpected '" + args.get(1) + "'"));
      return 2;
    }
    AidConfig config;
    try {
      config = Services.forEndpoints(checked(loaded), endpoints(loaded));
    } catch (IllegalArgumentException e) {
      System.err.println("aid run: " + e.getMessage());
      return 2;
    }
    Running running;
    try {
      running = start(service.get(), config);
    } catch (IllegalArgumentException e) {
      System.err.println("aid run " + service.get().id() + ": " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("aid run " + service.get().id() + ": could not start: " + e);
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stopped.countDown();
    }, "aid-run-stop"));
    stopped.await();
    return 0;
  }

  /** A started service and its operations endpoint, stopped together. */
  record Running(RunningService service, Management management, SchemaRegistryClient registry)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        service.close();
      } catch (Exception e) {
        LOG.warn("{}: stopping failed: {}", service.service().id(), e.toString());
      }
      registry.close();
      management.close();
      LOG.info("{} stopped", service.service().id());
    }
  }

  /** Starts {@code service} on {@code config} (endpoints and credentials filled), with its own endpoint. */
  static Running start(AidService service, AidConfig config) throws Exception {
    Management management = Management.start(config, service.id());
    SchemaRegistryClient registry = null;
    try {
      registry = Aid.registryClient(config, endpoints(config));
      RunningService running = service.start(config, registry);
      management.add(running);
      LOG.info("{} started: {}; health and metrics on {}", service.id(), running.where(), management.url());
      return new Running(running, management, registry);
    } catch (Exception | Error e) {
      if (registry != null) {
        registry.close();
      }
      management.close();
      throw e;
    }
  }

  /**
   * The endpoints configured, else the embedded default's (what {@code aid up --stack-only} serves): with no
   * {@code postgres.jdbc.url}, the embedded PostgreSQL and, unless configured, its login.
   */
  static Endpoints endpoints(AidConfig config) {
    Endpoints running = Aid.runningEndpoints(config);
    Optional<String> jdbcUrl = config.get("postgres.jdbc.url");
    return new Endpoints(running.kafkaBootstrapServers(), running.schemaRegistryUrl(),
        jdbcUrl.orElse("jdbc:postgresql://127.0.0.1:" + config.getInt("postgres.embedded.port", 15432) + "/"
            + config.get("postgres.database").orElse("aid")),
        config.get("postgres.user").orElse(EmbeddedPostgresServer.DEFAULT_USER),
        config.get("postgres.password").orElse(jdbcUrl.isPresent() ? "" : EmbeddedPostgresServer.DEFAULT_PASSWORD),
        running.mqttServerUri(), running.mqttTlsServerUri());
  }
}
