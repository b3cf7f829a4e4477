package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailure;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.aidcmp.schemas.lifecycle.AidTermsAccepted;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SRE commands as typed, on the shared stack: aid events (a user's and a vehicle's history from the topics),
 * aid projections rebuild (with --no-swap, then swapped; the tables then hold the history), aid dlq show.
 */
@ExtendWith(SharedEmbeddedStack.class)
class SreCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  private Path config(Endpoints endpoints) throws Exception {
    Path config = tmp.resolve("aid.properties");
    Files.writeString(config, String.join("\n",
        "kafka.bootstrap.servers=" + endpoints.kafkaBootstrapServers(),
        "schema.registry.url=" + endpoints.schemaRegistryUrl(),
        "postgres.jdbc.url=" + endpoints.postgresJdbcUrl(),
        "postgres.user=" + endpoints.postgresUser(),
        "postgres.password=" + endpoints.postgresPassword(),
        "projections.schema=sre_cli") + "\n");
    return config;
  }

  private static void publish(Endpoints endpoints, String key, Object payload) throws Exception {
    try (SchemaRegistryClient registry = Aid.registryClient(org.aidcmp.infra.config.AidConfig.of(Map.of()), endpoints);
        KafkaProducer<String, LifecycleEvent> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()),
            new StringSerializer(), new AvroSerializer<>(registry, false))) {
      producer.send(new ProducerRecord<>(AidTopic.LIFECYCLE_EVENTS.topicName(), key, LifecycleEvent.newBuilder()
          .setHeader(Envelopes.header("lifecycle-streams", null, null, Instant.now())).setPayload(payload).build())).get();
    }
  }

  @Test
  void eventsTellAUsersAndAVehiclesHistory_andRebuildPutsItInTheTables(Endpoints endpoints) throws Exception {
    Path config = config(endpoints);
    String user = "sre-" + UUID.randomUUID();
    String vin = "WBAUX11030A3" + (10000 + (int) (Math.random() * 89999));
    // what lifecycle-streams would have written for this user
    publish(endpoints, user, new AidTermsAccepted(user, "v7"));
    publish(endpoints, user, new ActivationCodeRequested(user, "msp-a", "token-sre", vin, "8904" + "0".repeat(28),
        "acr-" + user, null, Instant.now().plusSeconds(900)));
    publish(endpoints, user, new ActivationCodeFailed(user, "msp-a", "token-sre", vin, "acr-" + user,
        ActivationCodeFailure.MSP_REJECTED, new ErrorInfo("8", "Profile type not available")));

    String table = run(0, config, "events", "--user", user);
    assertThat(table).contains("AidTermsAccepted", "ActivationCodeRequested", "ActivationCodeFailed",
        "MSP_REJECTED (code 8: Profile type not available)", "aid events: 3 facts").doesNotContain("token-sre");
    JsonNode byVin = JSON.readTree(run(0, config, "events", "--vin", vin, "--json"));
    assertThat(byVin.path("facts").findValuesAsText("eventType"))
        .containsExactly("ActivationCodeRequested", "ActivationCodeFailed");

    JsonNode aside = JSON.readTree(run(0, config, "projections", "rebuild", "--no-swap", "--json"));
    assertThat(aside.path("swapped").asBoolean()).isFalse();
    assertThat(aside.path("schema").asText()).isEqualTo("sre_cli_rebuild");
    JsonNode swapped = JSON.readTree(run(0, config, "projections", "rebuild", "--json"));
    assertThat(swapped.path("swapped").asBoolean()).isTrue();
    assertThat(swapped.path("rows").path("timeline").asLong()).isGreaterThanOrEqualTo(3);
    try (Connection c = DriverManager.getConnection(endpoints.postgresJdbcUrl(), endpoints.postgresUser(),
        endpoints.postgresPassword());
        ResultSet rs = c.createStatement().executeQuery("SELECT state, failure FROM sre_cli.activation_code_requests"
            + " WHERE activation_code_request_id = 'acr-" + user + "'")) {
      assertThat(rs.next()).isTrue();
      assertThat(List.of(rs.getString(1), rs.getString(2))).containsExactly("FAILED", "MSP_REJECTED");
    }
    assertThat(run(0, config, "projections", "rebuild")).contains("timeline", "swapped in");
  }

  @Test
  void dlqShowGivesOneLetterInFull(Endpoints endpoints) throws Exception {
    Path config = config(endpoints);
    try (DeadLetterFixtures f = new DeadLetterFixtures(endpoints)) {
      String source = f.topic("show");
      var written = f.undecodableLetter(AidTopic.DLQ.topicName(), new ConsumerRecord<>(source, 0, 7L,
          DeadLetterFixtures.utf8("VIN-SHOW"), new byte[] {9, 9}), "Unknown magic byte 9");
      String at = written.partition() + ":" + written.offset();
      String shown = run(0, config, "dlq", "show", at);
      assertThat(shown).contains("source", source + ":0:7", "Unknown magic byte 9", "valueBytes");
      JsonNode json = JSON.readTree(run(0, config, "dlq", "show", at, "--json"));
      assertThat(json.path("at").asText()).isEqualTo(at);
      assertThat(json.path("valueBytes").asInt()).isEqualTo(2);
      run(1, config, "dlq", "show", "0:999999999");
    }
  }

  @Test
  void helpAndBadInput(Endpoints endpoints) throws Exception {
    Path config = config(endpoints);
    assertThat(run(0, config, "events", "--help")).contains("--user", "--vin", "--iccid", "--json");
    assertThat(run(0, config, "projections", "--help")).contains("rebuild", "--no-swap");
    assertThat(run(2, config, "projections")).isEmpty();
    assertThat(run(2, config, "events")).isEmpty();
    assertThat(run(2, config, "events", "--user", "a", "--vin", "b")).isEmpty();
    assertThat(run(2, config, "dlq", "show")).isEmpty();
  }

  private static String run(int exitCode, Path config, String... args) throws InterruptedException {
    return AidCommandLine.run(exitCode, config, args);
  }
}
