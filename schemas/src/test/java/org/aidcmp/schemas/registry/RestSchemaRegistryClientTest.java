package org.aidcmp.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the client reads answers that differ between Confluent-compatible registries. Each registry's own
 * behaviour is checked for real by RegistryConformance (against ours in the build, against Apicurio and
 * Karapace by the scripts in infra/interop); this pins the answers those registries were seen to give.
 */
class RestSchemaRegistryClientTest {
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private HttpServer server;

  /** Answers GET /config/{subject} like Apicurio's ccompat API and Karapace (40401), and GET /config with FULL. */
  private String registryAnsweringSubjectNotFoundForItsLevel() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      asked.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
      boolean global = path.equals("/config");
      byte[] body = (global ? "{\"compatibilityLevel\":\"FULL\"}"
          : path.startsWith("/config/unknown")
              ? "{\"error_code\":40401,\"message\":\"Subject 'unknown-value' not found.\"}"
              : "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
      exchange.sendResponseHeaders(global ? 200 : path.startsWith("/config/unknown") ? 404 : 500, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void aSubjectTheRegistryDoesNotKnowHasTheGlobalLevel() throws IOException {
    try (RestSchemaRegistryClient client = RestSchemaRegistryClient.of(registryAnsweringSubjectNotFoundForItsLevel())) {
      assertThat(client.compatibility("unknown-value")).isEqualTo(CompatibilityLevel.FULL);
      assertThat(asked).containsExactly("GET /config/unknown-value?defaultToGlobal=true", "GET /config");
    }
  }

  @Test
  void otherErrorsReadingALevelAreNotTakenForTheGlobalOne() throws IOException {
    try (RestSchemaRegistryClient client = RestSchemaRegistryClient.of(registryAnsweringSubjectNotFoundForItsLevel())) {
      assertThatThrownBy(() -> client.compatibility("broken-value"))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(50001));
      assertThat(asked).noneMatch(a -> a.equals("GET /config"));
    }
  }
}
