package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.infra.config.AidConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code aid run SERVICE}: each service in a process of its own against endpoints the configuration names (here
 * the shared embedded stack's, given as a deployment gives its own), several instances of one side by side, each
 * with its {@code /health/*} and {@code /metrics}; and a configuration it cannot use refused in one line.
 */
@ExtendWith(SharedEmbeddedStack.class)
class RunCommandTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  void eachServiceRunsOnItsOwnAgainstExternalEndpointsAndSaysWhenItIsReady(Endpoints endpoints,
      SharedEmbeddedStack.DataDir stackData) throws Exception {
    Path data = Files.createTempDirectory("aid-run-");
    Map<String, String> keys = new HashMap<>(Map.of(
        "aid.data.dir", data.toString(),
        "kafka.bootstrap.servers", endpoints.kafkaBootstrapServers(),
        "schema.registry.url", endpoints.schemaRegistryUrl(),
        "postgres.jdbc.url", endpoints.postgresJdbcUrl(),
        "postgres.user", endpoints.postgresUser(),
        "mqtt.server.uri", endpoints.mqttServerUri(),
        "lifecycle.application-id", "aid-lifecycle-run-" + UUID.randomUUID(),
        "downlink.group.id", "aid-downlink-run-" + UUID.randomUUID(),
        "projections.schema", "run_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8),
        "management.port", "0"));
    keys.put("postgres.password", endpoints.postgresPassword() == null ? "" : endpoints.postgresPassword());
    keys.putAll(SharedEmbeddedStack.brokerLogins(stackData.path()));
    AidConfig config = AidConfig.of(keys);
    List<RunCommand.Running> processes = new ArrayList<>();
    try {
      // Two instances of lifecycle-streams share its application's group, each with its own static member id.
      for (String instance : List.of("a", "b")) {
        processes.add(start(AidService.LIFECYCLE_STREAMS, config.with(Map.of("aid.instance-id", instance))));
      }
      for (AidService service : List.of(AidService.INGRESS_AID2, AidService.EGRESS_DOWNLINK, AidService.PROJECTIONS)) {
        processes.add(start(service, config));
      }
      for (RunCommand.Running p : processes) {
        String url = p.management().url();
        assertThat(Http.get(url + "/health/live").status()).isEqualTo(200);
        Http.Answer ready = Await.until(p.service().service().id() + " ready", WAIT, Duration.ofMillis(200), () -> {
          Http.Answer a = Http.get(url + "/health/ready");
          return a.status() == 200 ? a : null;
        }, () -> p.service().service().id() + ": " + Http.get(url + "/health/ready").body());
        assertThat(ready.body()).contains("\"" + p.service().service().id() + "\":true");
      }
      // Metrics tagged with the service they come from, in Prometheus' text format.
      String lifecycle = Http.get(processes.get(0).management().url() + "/metrics").body();
      assertThat(lifecycle).contains("# TYPE jvm_memory_used_bytes gauge")
          .containsPattern("kafka_stream_thread_[a-z_]+\\{[^}]*service=\"lifecycle-streams\"")
          .contains("instance_id=\"a\"");
      String downlink = Http.get(processes.get(3).management().url() + "/metrics").body();
      assertThat(downlink).containsPattern("kafka_consumer_fetch_manager_records_lag_max\\{[^}]*service=\"egress-downlink\"")
          .containsPattern("aid_egress_downlink_in_flight\\{");
    } finally {
      for (int i = processes.size() - 1; i >= 0; i--) {
        processes.get(i).close();
      }
      SharedEmbeddedStack.deleteRecursively(data);
    }
  }

  private static RunCommand.Running start(AidService service, AidConfig config) throws Exception {
    return RunCommand.start(service, Services.forEndpoints(RunCommand.checked(config), RunCommand.endpoints(config)));
  }

  @Test
  void aMisspeltKeyOrAnUnknownServiceStopsTheStartWithOneLine(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("aid.properties");
    Files.writeString(file, "kafka.bootstrap.servers=127.0.0.1:9\nschema.registry.url=http://127.0.0.1:9\n"
        + "egress.max.attempt=3\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String err;
    int code;
    int unknown;
    try (LogCapture capture = new LogCapture()) {
      code = new Aid(new PrintStream(out, true, StandardCharsets.UTF_8))
          .run(new String[] {"--config", file.toString(), "run", "egress-msp"});
      unknown = new Aid(new PrintStream(out, true, StandardCharsets.UTF_8))
          .run(new String[] {"--config", file.toString(), "run", "egress"});
      err = capture.text();
    }
    assertThat(code).isEqualTo(2);
    assertThat(err).contains("aid run: unknown configuration key 'egress.max.attempt' (did you mean "
        + "'egress.max.attempts'?)\n");
    assertThat(unknown).isEqualTo(2);
    assertThat(err).contains("aid run: no service 'egress'; one of lifecycle-streams, ingress-aid1, ingress-aid2, "
        + "egress-msp, egress-downlink, projections\n");
  }

  /** With no PostgreSQL named, {@code aid run} reaches the embedded one with its login, as {@code aid up} made it. */
  @Test
  void noPostgresNamedMeansTheEmbeddedOneWithItsLogin() {
    Endpoints embedded = RunCommand.endpoints(AidConfig.of(Map.of("postgres.embedded.port", "15432")));
    assertThat(embedded.postgresJdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:15432/aid");
    assertThat(embedded.postgresUser()).isEqualTo(org.aidcmp.infra.postgres.EmbeddedPostgresServer.DEFAULT_USER);
    assertThat(embedded.postgresPassword())
        .isEqualTo(org.aidcmp.infra.postgres.EmbeddedPostgresServer.DEFAULT_PASSWORD);
    Endpoints named = RunCommand.endpoints(AidConfig.of(Map.of("postgres.jdbc.url", "jdbc:postgresql://db:5432/aid",
        "postgres.user", "aid")));
    assertThat(named.postgresPassword()).as("a PostgreSQL of one's own: no password guessed").isEmpty();
  }
}
