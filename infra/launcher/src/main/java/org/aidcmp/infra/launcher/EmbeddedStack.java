package org.aidcmp.infra.launcher;

import org.aidcmp.infra.config.AidConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.infra.postgres.EmbeddedPostgresServer;
import org.aidcmp.infra.registry.SchemaRegistryServer;

/**
 * The backing services of the platform. Each endpoint the configuration names is used as it is (production);
 * each it leaves empty is started here, in-process on loopback, with its data under {@code aid.data.dir}: a
 * Kafka broker in KRaft mode, a schema registry speaking Confluent's REST API (its schemas in a compacted
 * topic of that broker), PostgreSQL and an MQTT 5 broker (plain and TLS listeners, every client authenticated).
 * Stopping closes them in reverse order; starting
 * again on the same data directory finds every topic, schema, row and retained message where it was.
 */
public final class EmbeddedStack implements AutoCloseable {
  private final Closer started = new Closer();
  private Endpoints endpoints;
  private EmbeddedKafka kafkaBroker;
  private EmbeddedMqttBroker mqttBroker;

  private EmbeddedStack() {}

  public static EmbeddedStack start(AidConfig config) {
    EmbeddedStack stack = new EmbeddedStack();
    try {
      stack.startAll(config);
      return stack;
    } catch (Exception | Error e) {
      stack.close();
      throw e instanceof RuntimeException r ? r : new IllegalStateException("embedded stack failed to start: " + e, e);
    }
  }

  private void startAll(AidConfig config) throws IOException, SQLException {
    Path data = Path.of(config.get("aid.data.dir").orElse(".aid/data"));

    String kafka = config.get("kafka.bootstrap.servers").orElse(null);
    if (kafka == null) {
      EmbeddedKafka broker = EmbeddedKafka.builder(data.resolve("kafka"))
          .port(config.getInt("kafka.embedded.port", 0))
          .build();
      started.add(broker);
      broker.start();
      kafka = broker.bootstrapServers();
      kafkaBroker = broker;
    }

    String registry = config.get("schema.registry.url").orElse(null);
    if (registry == null) {
      SchemaRegistryServer server = SchemaRegistryServer.builder(kafka)
          .port(config.getInt("schema.registry.embedded.port", 0))
          .build();
      started.add(server);
      server.start();
      registry = server.url();
    }

    String database = config.get("postgres.database").orElse("aid");
    String jdbcUrl = config.get("postgres.jdbc.url").orElse(null);
    String user = config.get("postgres.user").orElse("postgres");
    String password = config.get("postgres.password").orElse("");
    if (jdbcUrl == null) {
      EmbeddedPostgresServer postgres = EmbeddedPostgresServer.builder(data.resolve("postgres"))
          .port(config.getInt("postgres.embedded.port", 0))
          .build();
      started.add(postgres);
      postgres.start();
      postgres.createDatabaseIfMissing(database);
      jdbcUrl = postgres.jdbcUrl(database);
      user = postgres.username();
      password = postgres.password();
    }

    String mqtt = config.get("mqtt.server.uri").orElse(null);
    String mqttTls = config.get("mqtt.tls.server.uri").orElse(null);
    if (mqtt == null) {
      // Every client authenticates (vehicle certificates or passwords, the services' logins: DevCredentials).
      EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder(data.resolve("mqtt"))
          .port(config.getInt("mqtt.embedded.port", 0))
          .tls(DevCredentials.mqttBroker(data))
          .tlsPort(config.getInt("mqtt.embedded.tls.port", 0))
          .authentication(DevCredentials.mqttCredentials(data))
          .build();
      started.add(broker);
      broker.start();
      mqttBroker = broker;
      mqtt = broker.serverUri();
      mqttTls = broker.tlsServerUri();
    }
    endpoints = new Endpoints(kafka, registry, jdbcUrl, user, password, mqtt, mqttTls);
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  /** The Kafka broker started here, if the configuration named none (for the fault drills to restart it). */
  java.util.Optional<EmbeddedKafka> kafkaBroker() {
    return java.util.Optional.ofNullable(kafkaBroker);
  }

  /** The MQTT broker started here, if the configuration named none (for the fault drills to restart it). */
  java.util.Optional<EmbeddedMqttBroker> mqttBroker() {
    return java.util.Optional.ofNullable(mqttBroker);
  }

  @Override
  public void close() {
    started.close();
  }
}
