package org.aidcmp.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API, written to that API only, so it works unchanged
 * against Confluent Schema Registry, Apicurio's ccompat API, Karapace, Redpanda and our embedded registry.
 *
 * <p>Ids and registrations are cached: once a schema's id is known, serialising and deserialising never
 * call out again. Every call is bounded by the request timeout; with several URLs, the next one is tried
 * when one cannot be reached.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> baseUrls;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final String authorization;

  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  private RestSchemaRegistryClient(Builder builder) {
    this.baseUrls = builder.urls.stream().map(RestSchemaRegistryClient::withoutTrailingSlash).toList();
    if (baseUrls.isEmpty()) {
      throw new IllegalArgumentException("at least one schema registry URL is needed");
    }
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(builder.connectTimeout);
    if (builder.sslContext != null) {
      http.sslContext(builder.sslContext);
    }
    this.http = http.build();
    this.requestTimeout = builder.requestTimeout;
    this.authorization = builder.basicAuthUserInfo == null
        ? null
        : "Basic " + Base64.getEncoder().encodeToString(builder.basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
  }

  /** A client for one or more comma-separated URLs, with default timeouts. */
  public static RestSchemaRegistryClient of(String urls) {
    return builder().urls(urls).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
    int id = answer.path("id").asInt(-1);
    if (id < 0) {
      throw new SchemaRegistryException("registry answered a registration without an id", null);
    }
    idsBySubjectSchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = call("GET", "/schemas/ids/" + id, null);
    String type = answer.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type)) {
      throw new SchemaRegistryException("schema id " + id + " is of type " + type + ", not AVRO", null);
    }
    Schema schema = parse(answer.path("schema").asText());
    Schema raced = schemasById.putIfAbsent(id, schema);
    return raced == null ? schema : raced;
  }

  @Override
  public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
    try {
      JsonNode answer = call("POST", "/subjects/" + encode(subject), schemaBody(schema));
      RegisteredSchema found = registered(subject, answer);
      idsBySubjectSchema.put(new SubjectSchema(subject, schema), found.id());
      return Optional.of(found);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Optional<RegisteredSchema> latest(String subject) {
    try {
      return Optional.of(registered(subject, call("GET", "/subjects/" + encode(subject) + "/versions/latest", null)));
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<String> subjects() {
    List<String> subjects = new ArrayList<>();
    call("GET", "/subjects", null).forEach(node -> subjects.add(node.asText()));
    return subjects;
  }

  @Override
  public CompatibilityResult testCompatibility(String subject, Schema schema) {
    try {
      JsonNode answer = call("POST",
          "/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true", schemaBody(schema));
      List<String> messages = new ArrayList<>();
      answer.path("messages").forEach(node -> messages.add(node.asText()));
      return new CompatibilityResult(answer.path("is_compatible").asBoolean(false), messages);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        return new CompatibilityResult(true, List.of()); // nothing registered yet: anything may come first
      }
      throw e;
    }
  }

  @Override
  public CompatibilityLevel compatibility(String subject) {
    JsonNode answer;
    try {
      answer = call("GET", "/config/" + encode(subject) + "?defaultToGlobal=true", null);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() != SchemaRegistryException.SUBJECT_NOT_FOUND) {
        throw e;
      }
      // Apicurio's ccompat API and Karapace answer 40401 for a subject with neither versions nor a level of
      // its own, where Confluent answers the global level: such a subject has no level but the global one.
      answer = call("GET", "/config", null);
    }
    String name = answer.path("compatibilityLevel").asText(answer.path("compatibility").asText());
    return CompatibilityLevel.parse(name)
        .orElseThrow(() -> new SchemaRegistryException("unknown compatibility level '" + name + "'", null));
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
    call("PUT", "/config/" + encode(subject), body.toString());
  }

  private RegisteredSchema registered(String subject, JsonNode answer) {
    int id = answer.path("id").asInt();
    Schema schema = schemasById.computeIfAbsent(id, unused -> parse(answer.path("schema").asText()));
    return new RegisteredSchema(answer.path("subject").asText(subject), id, answer.path("version").asInt(), schema);
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static Schema parse(String json) {
    try {
      return new Schema.Parser().parse(json);
    } catch (RuntimeException e) {
      throw new SchemaRegistryException("registry returned a schema that is not valid Avro", e);
    }
  }

  private JsonNode call(String method, String path, String body) {
    SchemaRegistryException unreachable = null;
    for (URI base : baseUrls) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
          .timeout(requestTimeout)
          .header("Accept", ACCEPT)
          .method(method, body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      if (body != null) {
        request.header("Content-Type", CONTENT_TYPE);
      }
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        unreachable = new SchemaRegistryException("schema registry at " + base + " could not be reached: " + e, e);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException("interrupted while calling the schema registry", e);
      }
      return answer(method, path, response);
    }
    throw Objects.requireNonNull(unreachable);
  }

  private static JsonNode answer(String method, String path, HttpResponse<String> response) {
    JsonNode json;
    try {
      json = response.body() == null || response.body().isBlank()
          ? JSON.createObjectNode()
          : JSON.readTree(response.body());
    } catch (IOException e) {
      json = null;
    }
    int status = response.statusCode();
    if (status / 100 == 2 && json != null) {
      return json;
    }
    int errorCode = json == null ? status : json.path("error_code").asInt(status);
    String message = json == null ? "unreadable answer" : json.path("message").asText("no message");
    throw new SchemaRegistryException(status, errorCode, method + " " + path + ": " + message);
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static URI withoutTrailingSlash(String url) {
    String trimmed = url.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return URI.create(trimmed);
  }

  public static final class Builder {
    private List<String> urls = List.of();
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private String basicAuthUserInfo;
    private SSLContext sslContext;

    /** One URL or several, comma-separated (as Confluent's schema.registry.url). */
    public Builder urls(String commaSeparated) {
      this.urls = List.of(commaSeparated.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /** {@code user:password}, as Confluent's basic.auth.user.info. */
    public Builder basicAuthUserInfo(String userInfo) {
      this.basicAuthUserInfo = userInfo;
      return this;
    }

    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    public RestSchemaRegistryClient build() {
      return new RestSchemaRegistryClient(this);
    }
  }
}
