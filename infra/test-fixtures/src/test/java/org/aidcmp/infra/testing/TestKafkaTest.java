package org.aidcmp.infra.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The broker choice: embedded by default; Testcontainers asked for where no Docker engine answers falls back. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TestKafkaTest {
  @TempDir Path dir;

  @Test
  void theDefaultIsTheEmbeddedBroker() {
    assertThat(TestKafka.chosen(Map.of())).isEqualTo(TestKafka.Kind.EMBEDDED);
    assertThat(TestKafka.chosen(Map.of(TestKafka.PROPERTY, "Testcontainers"))).isEqualTo(TestKafka.Kind.TESTCONTAINERS);
  }

  @Test
  void aMisspeltChoiceIsSaidAtOnce() {
    assertThatThrownBy(() -> TestKafka.chosen(Map.of(TestKafka.PROPERTY, "docker")))
        .hasMessageContaining("-Dit.kafka is 'embedded' or 'testcontainers', not 'docker'");
  }

  @Test
  void testcontainersWithoutADockerEngineFallsBackToARunningEmbeddedBroker() throws Exception {
    boolean dockerHere = TestKafka.dockerAbsent(System.getenv()) == null;
    org.junit.jupiter.api.Assumptions.assumeFalse(dockerHere, "a Docker engine answers here: nothing to fall back from");
    try (TestKafka kafka = TestKafka.start(dir.resolve("kafka"), Map.of(TestKafka.PROPERTY, "testcontainers"), Map.of())) {
      assertThat(kafka.kind()).isEqualTo(TestKafka.Kind.EMBEDDED);
      assertThat(Files.exists(dir.resolve("kafka").resolve("meta.properties"))).isTrue();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
      }
    }
  }
}
