package org.aidcmp.infra.registry;

import static org.aidcmp.infra.registry.Http.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.registry.Http.Response;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The REST API against one embedded Kafka and one registry for the whole class. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchemaRegistryServerTest {

  static final String V1 = """
      {"type":"record","name":"Thing","namespace":"org.aidcmp.test","fields":[
        {"name":"a","type":"string"}]}""";
  /** V1 plus a field with a default: BACKWARD compatible. */
  static final String V2 = """
      {"type":"record","name":"Thing","namespace":"org.aidcmp.test","fields":[
        {"name":"a","type":"string"},{"name":"b","type":"int","default":0}]}""";
  /** V1 plus a field without a default: the new schema cannot read old data, so not BACKWARD. */
  static final String BREAKING = """
      {"type":"record","name":"Thing","namespace":"org.aidcmp.test","fields":[
        {"name":"a","type":"string"},{"name":"c","type":"long"}]}""";

  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static SchemaRegistryServer server;
  static Http http;

  @BeforeAll
  static void start() {
    kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
    server = SchemaRegistryServer.builder(kafka.bootstrapServers()).replicationFactor((short) 1).build().start();
    http = new Http(server.url());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  static String canonical(String schema) {
    return new Schema.Parser().parse(schema).toString();
  }

  static int register(String subject, String schema) {
    Response r = http.post("/subjects/" + subject + "/versions", schemaBody(schema));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("id").asInt();
  }

  static void assertError(Response r, int status, int code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith(Http.V1);
    assertThat(r.json().get("error_code").asInt()).as(r.body()).isEqualTo(code);
    assertThat(r.json().get("message").asText()).isNotBlank();
  }

  @Test
  void rootTypesAndMode() {
    Response root = http.get("/");
    assertThat(root.status()).isEqualTo(200);
    assertThat(root.contentType()).startsWith(Http.V1);
    assertThat(root.json().isObject()).isTrue();
    assertThat(http.get("/schemas/types").json().toString()).isEqualTo("[\"AVRO\"]");
    assertThat(http.get("/mode").json().get("mode").asText()).isEqualTo("READWRITE");
    assertThat(http.get("/mode/any").json().get("mode").asText()).isEqualTo("READWRITE");
  }

  @Test
  void registerLookupAndGetById() {
    String own = """
        {"type":"record","name":"Registered","namespace":"org.aidcmp.test","fields":[
          {"name":"when","type":{"type":"long","logicalType":"timestamp-millis"}}]}""";
    int id = register("reg-value", own);
    assertThat(id).isPositive();

    JsonNode byId = http.get("/schemas/ids/" + id).json();
    assertThat(byId.get("schema").asText()).isEqualTo(canonical(own));
    assertThat(byId.has("schemaType")).as("only sent for non-AVRO").isFalse();
    assertThat(canonical(http.get("/schemas/ids/" + id + "/schema").body())).isEqualTo(canonical(own));
    assertThat(http.get("/schemas/ids/" + id + "/versions").json().toString())
        .isEqualTo("[{\"subject\":\"reg-value\",\"version\":1}]");
    assertThat(http.get("/schemas/ids/" + id + "/subjects").json().toString()).isEqualTo("[\"reg-value\"]");

    assertThat(http.get("/subjects").json().toString()).contains("\"reg-value\"");
    assertThat(http.get("/subjects/reg-value/versions").json().toString()).isEqualTo("[1]");
    for (String v : new String[] {"1", "latest", "-1"}) {
      JsonNode version = http.get("/subjects/reg-value/versions/" + v).json();
      assertThat(version.get("subject").asText()).isEqualTo("reg-value");
      assertThat(version.get("version").asInt()).isEqualTo(1);
      assertThat(version.get("id").asInt()).isEqualTo(id);
      assertThat(version.get("schema").asText()).isEqualTo(canonical(own));
      assertThat(version.has("schemaType")).isFalse();
    }
    assertThat(canonical(http.get("/subjects/reg-value/versions/1/schema").body())).isEqualTo(canonical(own));

    Response lookup = http.post("/subjects/reg-value", schemaBody(own));
    assertThat(lookup.status()).isEqualTo(200);
    assertThat(lookup.json().get("subject").asText()).isEqualTo("reg-value");
    assertThat(lookup.json().get("id").asInt()).isEqualTo(id);
    assertThat(lookup.json().get("version").asInt()).isEqualTo(1);
    assertThat(lookup.json().get("schema").asText()).isEqualTo(canonical(own));
  }

  @Test
  void theSameSchemaGetsTheSameId() {
    int id = register("same-value", V1);
    // Whitespace and attribute order do not make a different schema.
    String reformatted = "{ \"fields\" : [ { \"type\" : \"string\", \"name\" : \"a\" } ],"
        + " \"namespace\" : \"org.aidcmp.test\", \"name\" : \"Thing\", \"type\" : \"record\" }";
    assertThat(register("same-value", reformatted)).isEqualTo(id);
    assertThat(http.get("/subjects/same-value/versions").json().toString()).isEqualTo("[1]");
    // Another subject: same global id, its own version 1.
    assertThat(register("same-other-value", V1)).isEqualTo(id);
    assertThat(http.get("/subjects/same-other-value/versions/latest").json().get("version").asInt()).isEqualTo(1);
    assertThat(http.get("/schemas/ids/" + id + "/subjects").json().toString())
        .contains("same-value", "same-other-value");
  }

  @Test
  void aBackwardIncompatibleChangeIsRefusedWith409() {
    int first = register("compat-value", V1);
    Response refused = http.post("/subjects/compat-value/versions", schemaBody(BREAKING));
    assertError(refused, 409, 409);
    assertThat(refused.json().get("message").asText())
        .startsWith("Schema being registered is incompatible with an earlier schema for subject \"compat-value\"");

    Response check = http.post("/compatibility/subjects/compat-value/versions/latest?verbose=true", schemaBody(BREAKING));
    assertThat(check.status()).isEqualTo(200);
    assertThat(check.json().get("is_compatible").asBoolean()).isFalse();
    assertThat(check.json().get("messages")).isNotEmpty();
    Response brief = http.post("/compatibility/subjects/compat-value/versions", schemaBody(BREAKING));
    assertThat(brief.json().toString()).isEqualTo("{\"is_compatible\":false}");
    assertThat(http.post("/compatibility/subjects/compat-value/versions/1", schemaBody(V2)).json()
        .get("is_compatible").asBoolean()).isTrue();

    int second = register("compat-value", V2);
    assertThat(second).isGreaterThan(first);
    assertThat(http.get("/subjects/compat-value/versions").json().toString()).isEqualTo("[1,2]");
  }

  @Test
  void configPerSubject() {
    assertThat(http.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    assertError(http.get("/config/cfg-value"), 404, 40408);
    assertThat(http.get("/config/cfg-value?defaultToGlobal=true").json().get("compatibilityLevel").asText())
        .isEqualTo("BACKWARD");

    register("cfg-value", V1);
    assertError(http.post("/subjects/cfg-value/versions", schemaBody(BREAKING)), 409, 409);

    Response put = http.put("/config/cfg-value", "{\"compatibility\":\"NONE\"}");
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.json().toString()).isEqualTo("{\"compatibility\":\"NONE\"}");
    assertThat(http.get("/config/cfg-value").json().toString()).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");
    register("cfg-value", BREAKING);
    assertThat(http.get("/config").json().get("compatibilityLevel").asText()).as("global untouched").isEqualTo("BACKWARD");

    assertError(http.put("/config/cfg-value", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);
    assertThat(http.delete("/config/cfg-value").json().toString()).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");
    assertError(http.get("/config/cfg-value"), 404, 40408);
  }

  @Test
  void notFoundErrorsCarryConfluentCodes() {
    register("nf-value", V1);
    assertError(http.get("/subjects/no-such-subject/versions"), 404, 40401);
    assertError(http.get("/subjects/no-such-subject/versions/1"), 404, 40401);
    assertError(http.get("/subjects/nf-value/versions/99"), 404, 40402);
    assertError(http.get("/subjects/nf-value/versions/abc"), 422, 42202);
    assertError(http.get("/subjects/nf-value/versions/0"), 422, 42202);
    assertError(http.get("/schemas/ids/987654"), 404, 40403);
    assertError(http.get("/schemas/ids/987654/versions"), 404, 40403);
    assertError(http.post("/subjects/nf-value", schemaBody(BREAKING)), 404, 40403);
    assertError(http.post("/subjects/no-such-subject", schemaBody(V1)), 404, 40401);
    assertError(http.post("/compatibility/subjects/no-such-subject/versions/latest", schemaBody(V1)), 404, 40401);
    assertError(http.get("/no/such/path"), 404, 404);
    assertThat(http.get("/no/such/path").json().get("message").asText()).isEqualTo("HTTP 404 Not Found");
    assertError(http.method("PATCH", "/subjects"), 405, 405);
  }

  @Test
  void garbageRequestsGet4xxNever500() {
    register("garbage-value", V1);
    assertError(http.post("/subjects/garbage-value/versions", "this is not json"), 400, 400);
    assertError(http.post("/subjects/garbage-value/versions", "{\"schema\": "), 400, 400);
    assertError(http.post("/subjects/garbage-value/versions", "[1,2,3]"), 422, 422);
    assertError(http.post("/subjects/garbage-value/versions", ""), 422, 422);
    assertError(http.post("/subjects/garbage-value/versions", "{\"schema\": 5}"), 422, 422);
    assertError(http.post("/subjects/garbage-value/versions", "{}"), 422, 42201);
    assertError(http.post("/subjects/garbage-value/versions", schemaBody("{not avro")), 422, 42201);
    assertError(http.post("/subjects/garbage-value/versions", schemaBody("{\"type\":\"nonsense\"}")), 422, 42201);
    assertError(http.post("/subjects/garbage-value/versions",
        "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}"), 422, 42201);
    assertError(http.post("/subjects/garbage-value/versions",
        "{\"schema\":\"\\\"string\\\"\",\"references\":[{\"name\":\"x\",\"subject\":\"y\",\"version\":1}]}"), 422, 42201);
    assertError(http.post("/subjects/garbage-value", "\u0000\u0001binary"), 400, 400);
    assertError(http.put("/config", "nope"), 400, 400);
    assertError(http.put("/config", "{\"compatibility\": 7}"), 422, 42203);
    assertError(http.post("/compatibility/subjects/garbage-value/versions/latest", "{{"), 400, 400);
    assertThat(http.get("/subjects/garbage-value/versions").json().toString()).as("nothing registered").isEqualTo("[1]");
  }

  @Test
  void acceptsTheContentTypesConfluentClientsSend() {
    for (String type : new String[] {"application/json", "application/vnd.schemaregistry+json",
        "application/vnd.schemaregistry.v1+json", "text/plain"}) {
      Response r = http.post("/subjects/ct-value/versions", schemaBody(V1), type);
      assertThat(r.status()).as(type + ": " + r.body()).isEqualTo(200);
    }
    Response none = http.post("/subjects/ct-value/versions", schemaBody(V1), null);
    assertThat(none.status()).as(none.body()).isEqualTo(200);
    assertThat(http.get("/subjects/ct-value/versions").json().toString()).isEqualTo("[1]");
  }

  @Test
  void normalizeMatchesLoosely() {
    String documented = """
        {"type":"record","name":"Doc","fields":[{"name":"a","type":"string","doc":"the a"}]}""";
    String bare = """
        {"type":"record","name":"Doc","fields":[{"name":"a","type":"string"}]}""";
    int id = register("norm-value", documented);
    assertError(http.post("/subjects/norm-value", schemaBody(bare)), 404, 40403);
    assertThat(http.post("/subjects/norm-value?normalize=true", schemaBody(bare)).json().get("id").asInt()).isEqualTo(id);
    Response again = http.post("/subjects/norm-value/versions?normalize=true", schemaBody(bare));
    assertThat(again.json().get("id").asInt()).isEqualTo(id);
  }

  @Test
  void softAndPermanentDeletes() {
    int id1 = register("del-value", V1);
    register("del-value", V2);

    assertThat(http.delete("/subjects/del-value/versions/2").json().asInt()).isEqualTo(2);
    assertError(http.delete("/subjects/del-value/versions/2"), 404, 40406);
    assertThat(http.get("/subjects/del-value/versions").json().toString()).isEqualTo("[1]");
    assertThat(http.get("/subjects/del-value/versions?deleted=true").json().toString()).isEqualTo("[1,2]");
    assertError(http.get("/subjects/del-value/versions/2"), 404, 40402);
    assertError(http.delete("/subjects/del-value/versions/1?permanent=true"), 404, 40407);
    assertThat(http.delete("/subjects/del-value/versions/2?permanent=true").json().asInt()).isEqualTo(2);
    assertThat(http.get("/subjects/del-value/versions?deleted=true").json().toString()).isEqualTo("[1]");

    assertError(http.delete("/subjects/del-value?permanent=true"), 404, 40405);
    assertThat(http.delete("/subjects/del-value").json().toString()).isEqualTo("[1]");
    assertError(http.delete("/subjects/del-value"), 404, 40404);
    assertThat(http.get("/subjects").json().toString()).doesNotContain("\"del-value\"");
    assertThat(http.get("/subjects?deleted=true").json().toString()).contains("\"del-value\"");
    assertThat(http.get("/schemas/ids/" + id1).status()).as("soft-deleted still readable by id").isEqualTo(200);
    assertThat(http.delete("/subjects/del-value?permanent=true").json().toString()).isEqualTo("[1]");
    assertError(http.get("/subjects/del-value/versions?deleted=true"), 404, 40401);
    assertError(http.delete("/subjects/del-value"), 404, 40401);
  }
}
