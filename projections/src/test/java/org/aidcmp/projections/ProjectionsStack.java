package org.aidcmp.projections;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.aidcmp.infra.testing.TestBackbone;
import org.aidcmp.infra.testing.TestKafka;
import org.aidcmp.infra.postgres.EmbeddedPostgresServer;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded stack for every test class of this module: a Kafka broker (KRaft), the schema registry and a real
 * PostgreSQL, started once and closed when the run ends. Each test class takes its own topics (a prefix) and
 * its own database schema from {@link Stack#fresh}, so classes do not see each other's events or rows.
 */
public final class ProjectionsStack implements BeforeAllCallback, ParameterResolver {
  static final int PARTITIONS = 3;

  /** The shared stack. */
  public static final class Stack implements ExtensionContext.Store.CloseableResource {
    final Path dir;
    private final TestBackbone backbone;
    final TestKafka kafka;
    final SchemaRegistryServer registryServer;
    final EmbeddedPostgresServer postgres;
    final SchemaRegistryClient registry;

    Stack() throws IOException {
      dir = Files.createTempDirectory("aid-projections-test-");
      backbone = TestBackbone.start("aid-projections-test-broker");
      kafka = backbone.kafka();
      registryServer = backbone.registry();
      postgres = EmbeddedPostgresServer.builder(dir.resolve("pg")).startTimeout(Duration.ofSeconds(90)).build().start();
      try {
        postgres.createDatabaseIfMissing("aid");
      } catch (java.sql.SQLException e) {
        throw new IOException(e);
      }
      registry = RestSchemaRegistryClient.of(registryServer.url());
    }

    /**
     * Settings on topics and a schema of their own ({@code name} names both): the two event topics and a dead
     * letter topic, created now, and the dead letters' value schema registered (the projector does not register).
     */
    ProjectionsSettings fresh(String name) {
      String lifecycle = name + ".lifecycle.events";
      String vehicle = name + ".vehicle.events";
      String dlq = name + ".dlq";
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        TopicSetup.create(admin, List.of(new NewTopic(lifecycle, PARTITIONS, (short) 1),
            new NewTopic(vehicle, PARTITIONS, (short) 1), new NewTopic(dlq, 1, (short) 1)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      registry.register(dlq + "-value", AidTopic.DLQ.valueSchema());
      return new ProjectionsSettings(postgres.jdbcUrl("aid"), postgres.username(), postgres.password(), name,
          kafka.bootstrapServers(), registryServer.url(), lifecycle, vehicle, dlq, Duration.ofMillis(50), 500);
    }

    @Override
    public void close() throws IOException {
      registry.close();
      postgres.close();
      backbone.close();
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    stack(context);
  }

  static Stack stack(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(Stack.class, unused -> {
      try {
        return new Stack();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, Stack.class);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Stack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }
}
