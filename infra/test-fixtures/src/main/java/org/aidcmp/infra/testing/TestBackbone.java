package org.aidcmp.infra.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.aidcmp.infra.registry.SchemaRegistryServer;

/**
 * What every module's shared test stack starts first: a Kafka broker from {@link TestKafka} and the schema
 * registry on it, in a temporary directory of their own that {@link #close} removes. Each stack adds its own
 * parts (topics, PostgreSQL, MQTT, the service under test) on top.
 */
public final class TestBackbone implements AutoCloseable {
  private final Path dir;
  private final TestKafka kafka;
  private final SchemaRegistryServer registry;

  private TestBackbone(Path dir, TestKafka kafka, SchemaRegistryServer registry) {
    this.dir = dir;
    this.kafka = kafka;
    this.registry = registry;
  }

  /** Starts both; {@code name} prefixes the temporary directory (one per module makes leftovers easy to place). */
  public static TestBackbone start(String name) {
    Path dir;
    try {
      dir = Files.createTempDirectory(name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TestKafka kafka = TestKafka.start(dir.resolve("kafka"));
    try {
      SchemaRegistryServer registry = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start();
      return new TestBackbone(dir, kafka, registry);
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
  }

  /** The temporary directory, removed by {@link #close}: a stack may keep its other parts' files here. */
  public Path dir() {
    return dir;
  }

  public TestKafka kafka() {
    return kafka;
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  public SchemaRegistryServer registry() {
    return registry;
  }

  @Override
  public void close() {
    registry.close();
    kafka.close();
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
