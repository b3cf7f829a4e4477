package org.aidcmp.infra.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny client for the tests: java.net.http, bounded timeouts, JSON bodies parsed on demand. */
final class Http {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String V1 = "application/vnd.schemaregistry.v1+json";

  record Response(int status, String body, String contentType) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  Http(String base) {
    this.base = base;
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), null);
  }

  Response method(String method, String path) {
    return send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()), null);
  }

  Response delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE(), null);
  }

  Response post(String path, String body) {
    return post(path, body, V1);
  }

  Response post(String path, String body, String contentType) {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)), contentType);
  }

  Response put(String path, String body) {
    return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)), V1);
  }

  /** {"schema": "<schema>"} as Confluent's clients send it. */
  static String schemaBody(String schema) {
    return JSON.createObjectNode().put("schema", schema).toString();
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private Response send(HttpRequest.Builder request, String contentType) {
    request.timeout(Duration.ofSeconds(30)).header("Accept", V1 + ", application/json");
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    try {
      HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
    } catch (Exception e) {
      throw new AssertionError("request failed", e);
    }
  }
}
