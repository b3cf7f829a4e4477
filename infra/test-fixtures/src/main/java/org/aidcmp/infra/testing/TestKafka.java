package org.aidcmp.infra.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The one place the integration tests take their Kafka broker from: the embedded KRaft broker (the default),
 * or, with {@code -Dit.kafka=testcontainers} and a Docker engine that answers, a stock Kafka image through
 * Testcontainers ({@code -Dit.kafka.image}, default {@value #DEFAULT_IMAGE}). Asked for Testcontainers where
 * no engine answers, it falls back to the embedded broker and says so in one line per test JVM: the suite
 * must run on machines without Docker, and the line tells the user their choice was not honoured.
 */
public final class TestKafka implements AutoCloseable {
  public static final String PROPERTY = "it.kafka";
  public static final String IMAGE_PROPERTY = "it.kafka.image";
  public static final String DEFAULT_IMAGE = "apache/kafka:4.1.0";

  private static final Logger LOG = LoggerFactory.getLogger(TestKafka.class);
  private static final AtomicBoolean FALLBACK_SAID = new AtomicBoolean();

  /** Which broker a test run gets. */
  public enum Kind { EMBEDDED, TESTCONTAINERS }

  private final Kind kind;
  private final EmbeddedKafka embedded;
  private final KafkaContainer container;

  private TestKafka(EmbeddedKafka embedded, KafkaContainer container) {
    this.kind = embedded != null ? Kind.EMBEDDED : Kind.TESTCONTAINERS;
    this.embedded = embedded;
    this.container = container;
  }

  /** A started broker: embedded on {@code dataDir} (and a free loopback port), or a container. */
  public static TestKafka start(Path dataDir) {
    return start(dataDir, System.getProperties().entrySet().stream()
        .collect(java.util.stream.Collectors.toMap(e -> String.valueOf(e.getKey()), e -> String.valueOf(e.getValue()))),
        System.getenv());
  }

  static TestKafka start(Path dataDir, Map<String, String> properties, Map<String, String> env) {
    if (chosen(properties) == Kind.TESTCONTAINERS) {
      String why = dockerAbsent(env);
      if (why == null) {
        KafkaContainer c = new KafkaContainer(properties.getOrDefault(IMAGE_PROPERTY, DEFAULT_IMAGE));
        c.start();
        LOG.info("integration tests on Testcontainers' Kafka {} at {}", c.getDockerImageName(), c.getBootstrapServers());
        return new TestKafka(null, c);
      }
      if (FALLBACK_SAID.compareAndSet(false, true)) {
        LOG.warn("-D{}=testcontainers asked, but {}: the integration tests run on the embedded Kafka broker", PROPERTY, why);
      }
    }
    return new TestKafka(EmbeddedKafka.builder(dataDir).port(0).build().start(), null);
  }

  /** What {@code -Dit.kafka} asks for; anything but the two names is a mistake said at once. */
  static Kind chosen(Map<String, String> properties) {
    String v = properties.getOrDefault(PROPERTY, "embedded").trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "", "embedded" -> Kind.EMBEDDED;
      case "testcontainers" -> Kind.TESTCONTAINERS;
      default -> throw new IllegalArgumentException("-D" + PROPERTY + " is 'embedded' or 'testcontainers', not '" + v + "'");
    };
  }

  /**
   * Null when a Docker engine answers, else why not. Looks for an engine's socket or DOCKER_HOST first, so a
   * machine without Docker never runs Testcontainers' own detection (which logs a page of errors).
   */
  static String dockerAbsent(Map<String, String> env) {
    boolean hint = env.containsKey("DOCKER_HOST")
        || Files.exists(Path.of("/var/run/docker.sock"))
        || Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"))
        || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
    if (!hint) {
      return "no Docker engine here (no DOCKER_HOST, no docker.sock)";
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable() ? null : "the Docker engine does not answer";
    } catch (RuntimeException e) {
      return "the Docker engine does not answer (" + e.getMessage() + ")";
    }
  }

  public Kind kind() {
    return kind;
  }

  /** For {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return embedded != null ? embedded.bootstrapServers() : container.getBootstrapServers().replace("PLAINTEXT://", "");
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    } else {
      container.stop();
    }
  }
}
