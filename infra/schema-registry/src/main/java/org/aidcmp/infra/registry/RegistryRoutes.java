package org.aidcmp.infra.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.List;
import org.aidcmp.infra.registry.RegistryState.Entry;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confluent Schema Registry's REST API over a {@link Registry}: the same paths, bodies, status codes
 * and error bodies, so Confluent's clients work unchanged. Request bodies are read as JSON whatever
 * their content type says (Confluent accepts several, clients send all sorts).
 */
final class RegistryRoutes {

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Logger LOG = LoggerFactory.getLogger(RegistryRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Registry registry;

  RegistryRoutes(Registry registry) {
    this.registry = registry;
  }

  void install(RoutesConfig r) {
    r.get("/", ctx -> send(ctx, JSON.createObjectNode()));
    r.get("/schemas/types", ctx -> send(ctx, List.of("AVRO")));
    r.get("/schemas/ids/{id}", ctx -> send(ctx,
        JSON.createObjectNode().put("schema", registry.schemaById(id(ctx)))));
    r.get("/schemas/ids/{id}/schema", ctx -> sendRaw(ctx, registry.schemaById(id(ctx))));
    r.get("/schemas/ids/{id}/versions", ctx -> {
      ArrayNode out = JSON.createArrayNode();
      registry.usesOf(id(ctx), flag(ctx, "deleted"))
          .forEach(e -> out.addObject().put("subject", e.subject()).put("version", e.version()));
      send(ctx, out);
    });
    r.get("/schemas/ids/{id}/subjects", ctx -> send(ctx,
        registry.usesOf(id(ctx), flag(ctx, "deleted")).stream().map(Entry::subject).distinct().toList()));

    r.get("/subjects", ctx -> send(ctx, registry.subjects(flag(ctx, "deleted"), ctx.queryParam("subjectPrefix"))));
    r.get("/subjects/{subject}/versions", ctx -> send(ctx,
        registry.versions(subject(ctx), flag(ctx, "deleted"))));
    r.get("/subjects/{subject}/versions/{version}", ctx -> send(ctx,
        versionBody(registry.version(subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted")))));
    r.get("/subjects/{subject}/versions/{version}/schema", ctx -> sendRaw(ctx,
        registry.version(subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted")).schema()));
    r.post("/subjects/{subject}/versions", ctx -> send(ctx, JSON.createObjectNode().put("id",
        registry.register(subject(ctx), candidate(ctx), flag(ctx, "normalize")))));
    r.post("/subjects/{subject}", ctx -> send(ctx, versionBody(
        registry.lookup(subject(ctx), candidate(ctx), flag(ctx, "normalize"), flag(ctx, "deleted")))));
    r.delete("/subjects/{subject}", ctx -> send(ctx,
        registry.deleteSubject(subject(ctx), flag(ctx, "permanent"))));
    r.delete("/subjects/{subject}/versions/{version}", ctx -> send(ctx,
        registry.deleteVersion(subject(ctx), ctx.pathParam("version"), flag(ctx, "permanent"))));

    r.get("/config", ctx -> send(ctx, level("compatibilityLevel", registry.globalLevel())));
    r.put("/config", ctx -> send(ctx, level("compatibility", registry.setGlobalLevel(levelIn(ctx)))));
    r.delete("/config", ctx -> send(ctx, level("compatibilityLevel", registry.deleteGlobalLevel())));
    r.get("/config/{subject}", ctx -> send(ctx, level("compatibilityLevel",
        registry.subjectLevel(subject(ctx), flag(ctx, "defaultToGlobal")))));
    r.put("/config/{subject}", ctx -> send(ctx, level("compatibility",
        registry.setSubjectLevel(subject(ctx), levelIn(ctx)))));
    r.delete("/config/{subject}", ctx -> send(ctx, level("compatibilityLevel",
        registry.deleteSubjectLevel(subject(ctx)))));

    r.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> sendCompatibility(ctx,
        registry.checkCompatibility(subject(ctx), ctx.pathParam("version"), candidate(ctx))));
    r.post("/compatibility/subjects/{subject}/versions", ctx -> sendCompatibility(ctx,
        registry.checkCompatibility(subject(ctx), null, candidate(ctx))));

    // Writes are always allowed: no IMPORT / READONLY modes here.
    r.get("/mode", ctx -> send(ctx, JSON.createObjectNode().put("mode", "READWRITE")));
    r.get("/mode/{subject}", ctx -> send(ctx, JSON.createObjectNode().put("mode", "READWRITE")));

    r.exception(RegistryException.class, (e, ctx) -> error(ctx, e.httpStatus, e.errorCode, e.getMessage()));
    r.exception(BadRequest.class, (e, ctx) -> error(ctx, e.status, e.status, e.getMessage()));
    // Javalin's own answers (no such route, wrong method, body too large) in Confluent's error shape.
    r.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getStatus(),
        "HTTP " + e.getStatus() + " " + HttpStatus.forStatus(e.getStatus()).getMessage()));
    r.exception(Exception.class, (e, ctx) -> {
      // No request bodies in the log: they are schemas, but could be anything a client sent.
      LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.toString());
      error(ctx, 500, 500, "Internal Server Error");
    });
  }

  // ---- request parsing ----------------------------------------------------------------------

  /** A request the server cannot read at all: malformed JSON (400) or JSON of the wrong shape (422). */
  static final class BadRequest extends RuntimeException {
    final int status;

    BadRequest(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private static JsonNode body(Context ctx) {
    String text = ctx.body();
    if (text.isBlank()) {
      throw new BadRequest(422, "Request body is empty");
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRequest(400, "Malformed JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new BadRequest(422, "Request body must be a JSON object");
    }
    return node;
  }

  private static Registry.Candidate candidate(Context ctx) {
    JsonNode body = body(ctx);
    JsonNode schema = body.get("schema");
    if (schema != null && !schema.isTextual() && !schema.isNull()) {
      throw new BadRequest(422, "Field 'schema' must be a string");
    }
    JsonNode refs = body.get("references");
    boolean hasRefs = refs != null && refs.isArray() && !refs.isEmpty();
    JsonNode type = body.get("schemaType");
    return Registry.Candidate.parse(
        schema == null ? null : schema.asText(null),
        type == null || type.isNull() ? null : type.asText(),
        hasRefs);
  }

  private static CompatibilityLevel levelIn(Context ctx) {
    JsonNode level = body(ctx).get("compatibility");
    return CompatibilityLevel.parse(level == null || !level.isTextual() ? null : level.asText())
        .orElseThrow(RegistryException::invalidCompatibilityLevel);
  }

  private static int id(Context ctx) {
    String id = ctx.pathParam("id");
    try {
      return Integer.parseInt(id);
    } catch (NumberFormatException e) {
      // Confluent's router only matches numeric ids; anything else is no such resource.
      throw new RegistryException(404, 404, "HTTP 404 Not Found");
    }
  }

  private static String subject(Context ctx) {
    return ctx.pathParam("subject");
  }

  private static boolean flag(Context ctx, String name) {
    return Boolean.parseBoolean(ctx.queryParam(name));
  }

  // ---- responses ----------------------------------------------------------------------------

  private static ObjectNode versionBody(Entry e) {
    // schemaType is only present for non-AVRO schemas, and this registry holds AVRO only.
    return JSON.createObjectNode()
        .put("subject", e.subject())
        .put("version", e.version())
        .put("id", e.id())
        .put("schema", e.schema());
  }

  private static ObjectNode level(String field, CompatibilityLevel level) {
    return JSON.createObjectNode().put(field, level.name());
  }

  private static void sendCompatibility(Context ctx, List<String> problems) throws JsonProcessingException {
    ObjectNode out = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
    if (flag(ctx, "verbose")) {
      out.set("messages", JSON.valueToTree(problems));
    }
    send(ctx, out);
  }

  private static void send(Context ctx, Object body) throws JsonProcessingException {
    respond(ctx, 200, JSON.writeValueAsString(body));
  }

  private static void sendRaw(Context ctx, String schema) {
    respond(ctx, 200, schema);
  }

  private static void error(Context ctx, int status, int code, String message) {
    ObjectNode body = JSON.createObjectNode().put("error_code", code).put("message", message);
    respond(ctx, status, body.toString());
  }

  /**
   * JSON is UTF-8 (RFC 8259 §8.1). As bytes: a String result is encoded in the content type's charset, which
   * Confluent's type does not name, so the server's default (ISO-8859-1) garbled every "§" of our schemas' docs
   * and Confluent's own Java deserializer could not read them.
   */
  private static void respond(Context ctx, int status, String json) {
    ctx.status(status).contentType(CONTENT_TYPE).result(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
