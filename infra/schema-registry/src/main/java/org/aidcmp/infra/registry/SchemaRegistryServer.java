package org.aidcmp.infra.registry;

import io.javalin.Javalin;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry that speaks Confluent Schema Registry's REST API (AVRO schemas), storing everything
 * in a compacted Kafka topic, so a restart on the same Kafka keeps every id, version and config.
 *
 * <pre>{@code
 * try (SchemaRegistryServer registry =
 *     SchemaRegistryServer.builder("127.0.0.1:9092").build().start()) {
 *   String url = registry.url(); // http://127.0.0.1:<port>
 * }
 * }</pre>
 *
 * <p>One server per topic: ids are handed out by this process alone (no leader election).
 */
public final class SchemaRegistryServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);

  private final Builder options;
  private KafkaLog log;
  private Javalin app;

  private SchemaRegistryServer(Builder options) {
    this.options = options;
  }

  /** A server on 127.0.0.1, a free port, topic {@code _schemas}, default level BACKWARD. */
  public SchemaRegistryServer(String bootstrapServers) {
    this(builder(bootstrapServers));
  }

  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /**
   * Reads the store topic to its end (creating it if missing), then starts serving HTTP.
   *
   * @throws IllegalStateException if Kafka cannot be reached or read within the timeout, or the port is taken
   */
  public synchronized SchemaRegistryServer start() {
    if (app != null) {
      throw new IllegalStateException("already started");
    }
    RegistryState state = new RegistryState();
    Map<String, Object> clients = new HashMap<>(options.kafkaConfig);
    clients.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
    clients.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "schema-registry");
    KafkaLog store = new KafkaLog(clients, options.topic, options.replicationFactor, options.timeout, state::apply);
    try {
      store.start();
      RegistryRoutes routes = new RegistryRoutes(new Registry(state, store, options.defaultLevel));
      app = Javalin.create(config -> {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.jetty.host = options.host;
        config.jetty.port = options.port;
        // A known path with the wrong method is a 405, as in Confluent's (Jersey) server.
        config.http.prefer405over404 = true;
        routes.install(config.routes);
      }).start();
    } catch (RegistryException e) {
      store.close();
      throw new IllegalStateException("schema registry could not start: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      store.close();
      throw new IllegalStateException("schema registry could not start on " + options.host + ":" + options.port, e);
    }
    log = store;
    LOG.info("schema registry serving {} from topic {}", url(), options.topic);
    return this;
  }

  /** "http://host:port". */
  public String url() {
    return "http://" + options.host + ":" + port();
  }

  public int port() {
    if (app == null) {
      throw new IllegalStateException("not started");
    }
    return app.port();
  }

  @Override
  public synchronized void close() {
    if (app != null) {
      app.stop();
      app = null;
    }
    if (log != null) {
      log.close();
      log = null;
    }
  }

  /** Options for a {@link SchemaRegistryServer}. */
  public static final class Builder {
    private final String bootstrapServers;
    private String topic = "_schemas";
    private String host = "127.0.0.1";
    private int port;
    private CompatibilityLevel defaultLevel = CompatibilityLevel.BACKWARD;
    private Optional<Short> replicationFactor = Optional.empty();
    private Duration timeout = Duration.ofSeconds(15);
    private final Map<String, Object> kafkaConfig = new HashMap<>();

    private Builder(String bootstrapServers) {
      this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    }

    /** The compacted store topic (default {@code _schemas}). */
    public Builder topic(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** The address to listen on (default 127.0.0.1). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The HTTP port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** The global compatibility level until one is PUT to /config (default BACKWARD). */
    public Builder defaultCompatibility(CompatibilityLevel level) {
      this.defaultLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    /** Replication factor when the topic is created (default: the broker's default). */
    public Builder replicationFactor(short replicationFactor) {
      this.replicationFactor = Optional.of(replicationFactor);
      return this;
    }

    /** Bound on every Kafka operation: start-up read, each write and its read-back (default 15 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Extra Kafka client settings (e.g. security), applied to the store's producer, consumer and admin. */
    public Builder kafkaConfig(String key, Object value) {
      kafkaConfig.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    public SchemaRegistryServer build() {
      return new SchemaRegistryServer(this);
    }
  }
}
