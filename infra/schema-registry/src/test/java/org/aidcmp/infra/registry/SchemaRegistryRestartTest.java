package org.aidcmp.infra.registry;

import static org.aidcmp.infra.registry.Http.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Everything lives in the topic: a new server on the same Kafka has it all, and never reuses an id. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SchemaRegistryRestartTest {

  @TempDir static Path dir;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  static String record(String name, String... fields) {
    StringBuilder s = new StringBuilder("{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[");
    for (int i = 0; i < fields.length; i++) {
      s.append(i == 0 ? "" : ",").append("{\"name\":\"").append(fields[i]).append("\",\"type\":\"string\"}");
    }
    return s.append("]}").toString();
  }

  static int register(Http http, String subject, String schema) {
    Http.Response r = http.post("/subjects/" + subject + "/versions", schemaBody(schema));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("id").asInt();
  }

  SchemaRegistryServer server(String topic) {
    return SchemaRegistryServer.builder(kafka.bootstrapServers()).topic(topic).replicationFactor((short) 1)
        .defaultCompatibility(CompatibilityLevel.BACKWARD).build().start();
  }

  @Test
  void aRestartKeepsIdsVersionsAndConfigAndNeverReusesAnId() {
    int a1;
    int a2;
    int b1;
    int gone;
    try (SchemaRegistryServer first = server("_schemas_restart")) {
      Http http = new Http(first.url());
      a1 = register(http, "a-value", record("A", "x"));
      b1 = register(http, "b-value", record("B", "x"));
      assertThat(http.put("/config/a-value", "{\"compatibility\":\"NONE\"}").status()).isEqualTo(200);
      a2 = register(http, "a-value", record("A", "y"));
      assertThat(http.put("/config", "{\"compatibility\":\"FULL\"}").status()).isEqualTo(200);
      // The highest id so far, removed for good: it must still not be handed out again.
      gone = register(http, "gone-value", record("Gone", "x"));
      assertThat(http.delete("/subjects/gone-value").status()).isEqualTo(200);
      assertThat(http.delete("/subjects/gone-value?permanent=true").status()).isEqualTo(200);
    }
    assertThat(gone).isGreaterThan(Math.max(a2, b1));

    try (SchemaRegistryServer second = server("_schemas_restart")) {
      Http http = new Http(second.url());
      assertThat(http.get("/subjects").json().toString()).isEqualTo("[\"a-value\",\"b-value\"]");
      assertThat(http.get("/subjects/a-value/versions").json().toString()).isEqualTo("[1,2]");
      assertThat(http.get("/subjects/a-value/versions/1").json().get("id").asInt()).isEqualTo(a1);
      assertThat(http.get("/subjects/a-value/versions/2").json().get("id").asInt()).isEqualTo(a2);
      assertThat(http.get("/schemas/ids/" + b1).status()).isEqualTo(200);
      assertThat(http.get("/schemas/ids/" + gone).status()).isEqualTo(404);
      assertThat(http.get("/config/a-value").json().get("compatibilityLevel").asText()).isEqualTo("NONE");
      assertThat(http.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("FULL");
      // Registering a known schema again returns its id; a fresh one gets the next, higher id.
      assertThat(register(http, "b-value", record("B", "x"))).isEqualTo(b1);
      int fresh = register(http, "c-value", record("C", "x"));
      assertThat(fresh).isEqualTo(gone + 1);
    }
  }

  @Test
  void startFailsClearlyWhenKafkaIsNotThere() {
    SchemaRegistryServer unreachable =
        SchemaRegistryServer.builder("127.0.0.1:1").timeout(Duration.ofSeconds(3)).build();
    long started = System.nanoTime();
    assertThatThrownBy(unreachable::start).isInstanceOf(IllegalStateException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    unreachable.close();
  }
}
