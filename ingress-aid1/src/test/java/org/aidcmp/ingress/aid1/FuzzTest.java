package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.aidcmp.infra.pki.Tls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A few thousand malformed requests on both ports (bodies, headers, paths from an authenticated MSP and an
 * authenticated touchpoint user), then request lines, paths, headers and bodies no HTTP client would send, over
 * raw TLS sockets: never a 5xx, every answer a §5.1.5 {@code {code, error}} body, never a connection closed
 * without an answer (a connection the answer does not close still answers the next request), never a record on
 * Kafka, and the service still answers a correct call afterwards. Seeded, so a failure can be replayed.
 */
@ExtendWith(TestStack.class)
class FuzzTest {
  private static final long SEED = Long.getLong("fuzz.seed", 20260517L);
  private final TestStack.Stack stack;

  FuzzTest(TestStack.Stack stack) {
    this.stack = stack;
  }

  /** One request that is wrong in at least one way the ingress must catch. */
  private record Case(String method, String path, String body, Map<String, String> headers) {}

  private static final String[] FIELDS = {"msp_token", "phoneNumber", "iv", "subscriptionType", "customerGroup", "error",
      "reason", "profiles", "iccid", "status", "activationCode", "profileType", "activationCodeRequestID", "swappedIccid"};
  /** Invalid for every field: wrong type, control characters, longer than any field may be. */
  private static final String[] ALWAYS_BAD = {"42", "true", "{}", "[]", "-1e999", "[null]", "\"\\u0000\"",
      "\"" + "x".repeat(600) + "\"", "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":{\"q\":1}}}}}}}}}}}}}}}}}"};
  /** Invalid for some fields, fine for others. */
  private static final String[] BAD_VALUES = {"42", "true", "{}", "[]", "\"\"", "\"" + "x".repeat(600) + "\"",
      "\"\\u0000\"", "\"not-a-uuid\"", "-1e999", "\"123\"", "[{\"iccid\":1}]", "\"PRIVATE\"", "\"gold\"", "[null]",
      "\"1$\"", "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":{\"q\":1}}}}}}}}}}}}}}}}}"};

  private String randomBody(Random random, String[] knownFields) {
    switch (random.nextInt(6)) {
      case 0: {
        byte[] bytes = new byte[1 + random.nextInt(200)]; // never empty: no body is a valid invalidation
        random.nextBytes(bytes);
        bytes[0] = (byte) ('!' + random.nextInt(90)); // not blank either
        return new String(bytes, StandardCharsets.ISO_8859_1);
      }
      case 1: {
        String valid = "{\"msp_token\":\"" + UUID.randomUUID() + "\",\"subscriptionType\":\"private\"}";
        return valid.substring(0, 1 + random.nextInt(valid.length() - 1));
      }
      case 2:
        return "[" + "[".repeat(random.nextInt(2000)) ;
      default: {
        // A JSON object in which a field the route reads has a wrong type or length: never a valid request.
        StringBuilder b = new StringBuilder("{");
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            b.append(',');
          }
          // The first field is always wrong, so the whole request is; the others are whatever.
          String[] values = i == 0 ? ALWAYS_BAD : BAD_VALUES;
          String[] fields = i == 0 ? knownFields : FIELDS;
          b.append('"').append(fields[random.nextInt(fields.length)]).append("\":")
              .append(values[random.nextInt(values.length)]);
        }
        return b.append('}').toString();
      }
    }
  }

  private Case bodyCase(Random random, MspClient client) {
    String token = UUID.randomUUID().toString();
    // Send MSP token with a bad account id still parses the body first; token paths take any body.
    String[][] routes = {{"POST", "/cesim/msp/v1/users/bad.account.id"}, {"POST", "/cesim/msp/v1/users/" + token + "/profiles"},
        {"PATCH", "/cesim/msp/v1/subscriptions/" + token}, {"POST", "/cesim/msp/v1/activation-codes/" + token},
        {"POST", "/cesim/msp/v1/users/" + token + "/invalidate"}};
    String[][] reads = {FIELDS, {"profiles"}, {"phoneNumber", "iv", "subscriptionType", "customerGroup"},
        {"iccid", "activationCode", "profileType", "activationCodeRequestID", "swappedIccid", "error"}, {"reason"}};
    int which = random.nextInt(routes.length);
    String[] route = routes[which];
    String body = randomBody(random, reads[which]);
    return new Case(route[0], route[1], body, client.headers());
  }

  private Case headerCase(Random random, MspClient client) {
    Map<String, String> h = client.headers();
    String[] names = {"CMP-request-id", "correlation-id", "api-key", "client-id", "target-id", "Content-Type"};
    String name = names[random.nextInt(names.length)];
    String[] values = {null, "", " ", "x", UUID.randomUUID() + "0", UUID.randomUUID().toString().replace('-', '_'),
        "a".repeat(300), "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "application/xml", "keyA1234567890x", "'; DROP TABLE"};
    String value = values[random.nextInt(values.length)];
    if (name.equals("Content-Type") && value == null) {
      value = "text/plain";
    }
    h.put(name, value);
    return new Case("POST", "/cesim/msp/v1/users/" + UUID.randomUUID() + "/invalidate", "{\"reason\":\"x\"}", h);
  }

  private Case pathCase(Random random, MspClient client) {
    String[] prefixes = {"/cesim/msp/v1/users/", "/cesim/msp/v1/subscriptions/", "/cesim/msp/v1/activation-codes/",
        "/cesim/msp/v2/users/", "/api/v1/fleet/vehicles/", "/", "/cesim/msp/v1/users/%2e%2e/"};
    StringBuilder p = new StringBuilder(prefixes[random.nextInt(prefixes.length)]);
    int len = random.nextInt(60);
    for (int i = 0; i < len; i++) {
      int c = random.nextInt(256);
      if (Character.isLetterOrDigit(c) && c < 128) {
        p.append((char) c);
      } else {
        p.append('%').append(String.format("%02X", c));
      }
    }
    if (random.nextBoolean()) {
      p.append("/invalidate");
    }
    String[] methods = {"GET", "PUT", "DELETE", "POST", "PATCH", "OPTIONS"};
    return new Case(methods[random.nextInt(methods.length)], p.toString(), "{}", client.headers());
  }

  /** The touchpoint API's body fields, per route, that a route reads before it writes anything. */
  private Case touchpointBodyCase(Random random, Map<String, String> bearer) {
    String token = UUID.randomUUID().toString();
    String[][] routes = {{"POST", "/api/v1/onboarding/account-ids"}, {"POST", "/api/v1/onboarding/msp-redirects"},
        {"POST", "/api/v1/terms/acceptance"}, {"PUT", "/api/v1/subscriptions/preferred"},
        {"POST", "/api/v1/subscriptions/" + token + "/withdraw"},
        {"POST", "/api/v1/subscriptions/" + token + "/profile-status-sync"},
        {"PUT", "/api/v1/fleet/vehicles/WBAUX11030A334483"}};
    String[][] reads = {{"mspId", "ver", "redirect_uri"}, {"mspId", "redirect_uri"}, {"termsVersion"}, {"msp_token"},
        {"mspId"}, {"iccid"}, {"eid", "imei"}};
    int which = random.nextInt(routes.length);
    String body = randomBody(random, reads[which]);
    // A body that happens to be blank is a valid "no body" for the optional ones: never send that.
    return new Case(routes[which][0], routes[which][1], body.isBlank() ? "{" : body, new LinkedHashMap<>(bearer));
  }

  private Case touchpointHeaderCase(Random random, Map<String, String> bearer) {
    Map<String, String> h = new LinkedHashMap<>(bearer);
    if (random.nextBoolean()) {
      String[] values = {null, "", "Bearer", "Bearer ", "Bearer x.y.z", "Basic dXNlcjpwYXNz", "bearer " + "a".repeat(300),
          "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "'; DROP TABLE"};
      h.put("Authorization", values[random.nextInt(values.length)]);
    } else {
      String[] values = {"text/plain", "application/xml", "x", "application/jsonx", "multipart/form-data"};
      h.put("Content-Type", values[random.nextInt(values.length)]);
    }
    return new Case("POST", "/api/v1/terms/acceptance", "{\"termsVersion\":\"v1\"}", h);
  }

  private Map<String, String> bearer() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", "Bearer " + stack.issuer.token("fuzz-" + UUID.randomUUID(), List.of("fleet"), Duration.ofMinutes(30)));
    h.put("Content-Type", "application/json");
    return h;
  }

  @Test
  void fuzz_malformedRequests_neverA5xx_alwaysAnErrorBody_neverARecord_serviceStillAnswers() throws Exception {
    MspClient client = stack.client(stack.mspACertificate, "mspa");
    MspClient touchpoint = new MspClient(Tls.clientContext(null, List.of(stack.ca.certificate())),
        stack.ingress.server().touchpointPort(), null);
    Map<String, String> bearer = bearer();
    Random random = new Random(SEED);
    List<Target> cases = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      cases.add(new Target(client, bodyCase(random, client)));
      cases.add(new Target(client, headerCase(random, client)));
      cases.add(new Target(client, pathCase(random, client)));
    }
    for (int i = 0; i < 300; i++) {
      cases.add(new Target(touchpoint, touchpointBodyCase(random, bearer)));
      cases.add(new Target(touchpoint, touchpointHeaderCase(random, bearer)));
      Case path = pathCase(random, client);
      Map<String, String> h = new LinkedHashMap<>(bearer);
      cases.add(new Target(touchpoint, new Case(path.method(), path.path().replace("/cesim/msp/", "/api/"), path.body(), h)));
    }
    long before = stack.recordsWritten();
    int receivedBefore = stack.topology.received.size();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    long start = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Target t : cases) {
        Case c = t.c();
        futures.add(pool.submit(() -> {
          try {
            // No retry: a connection closed without an answer is a failure (the client reuses a connection
            // only when the previous answer did not say Connection: close).
            MspClient.Response r = t.client().call(c.method(), c.path(), c.body(), c.headers());
            if (r.status() >= 500 || r.status() < 400 || !isErrorBody(r.body())) {
              failures.add(r.status() + " for " + c.method() + " " + c.path() + " " + c.headers() + " "
                  + abbreviate(c.body()) + " -> " + abbreviate(r.body()));
            }
          } catch (IllegalArgumentException e) {
            // The client itself refused to send it (e.g. a header value it considers illegal): the raw cases
            // below send such requests.
          } catch (Exception e) {
            // When: a connection the server closed idle (30 s) and the client took from its pool would fail here.
            failures.add(e + " for " + c.method() + " " + c.path() + ", "
                + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + " s into the run");
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(failures).as("answers that are not a 4xx with a {code, error} body").isEmpty();
    assertThat(stack.recordsWritten()).as("records written by malformed requests: %s",
        stack.topology.received.subList(receivedBefore, stack.topology.received.size())).isEqualTo(before);
    // Still serving: a correct call works.
    assertThat(Onboarding.mspToken(stack, "mspa")).isNotNull();
  }

  private record Target(MspClient client, Case c) {}

  /** §5.1.5: a JSON object with a textual code and error. */
  private static boolean isErrorBody(String body) {
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      return node != null && node.isObject() && node.path("code").isTextual() && !node.path("code").asText().isEmpty()
          && node.path("error").isTextual();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Request lines, paths, headers and bodies no HTTP client would send; {H} is a correct set of headers. */
  private static List<String> rawCases() {
    List<String> cases = new ArrayList<>(List.of(
        // request lines
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/9.9\r\n{H}\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1 extra\r\n{H}\r\n",
        "POST  /cesim/msp/v1/users/x  HTTP/1.1\r\n{H}\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n\r\n",
        "post /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Content-Length: 2\r\n\r\n{}",
        "FOO /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Content-Length: 2\r\n\r\n{}",
        "TRACE /cesim/msp/v1/users/x HTTP/1.1\r\n{H}\r\n",
        "CONNECT 127.0.0.1:443 HTTP/1.1\r\n{H}\r\n",
        "OPTIONS * HTTP/1.1\r\n{H}\r\n",
        "POST * HTTP/1.1\r\n{H}\r\n",
        "POST http://elsewhere.example/cesim/msp/v1/users/x HTTP/1.1\r\n{H}\r\n",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\n{H}\r\n",
        "\u0000\u0001\u0002\r\n\r\n",
        // headers
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}X: " + "y".repeat(40_000) + "\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Content-Length: 99999999999\r\n\r\n{}",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Content-Length: -1\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Content-Length: abc\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Transfer-Encoding: gzip\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\nZZ\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}X-Folded: a\r\n  b\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}No colon here\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}Bad Name: x\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}X: a\u0000b\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n{H}\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\n{H}" + "X-Many: 1\r\n".repeat(2000) + "\r\n",
        // bodies
        "POST /cesim/msp/v1/users/" + UUID.randomUUID() + "/profiles HTTP/1.1\r\n{H}Content-Length: 0\r\n\r\n",
        "POST /cesim/msp/v1/users/" + UUID.randomUUID() + "/profiles HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n"
            + "4000\r\n" + "[".repeat(0x4000) + "\r\n4000\r\n" + "[".repeat(0x4000) + "\r\n0\r\n\r\n",
        "POST /cesim/msp/v1/users/" + UUID.randomUUID() + "/profiles HTTP/1.1\r\n{H}Content-Length: 20000\r\n\r\n"
            + "{".repeat(20_000),
        "POST /cesim/msp/v1/users/" + UUID.randomUUID() + "/profiles HTTP/1.1\r\n{H}Content-Length: 4\r\n\r\n\u00ff\u00fe\u0000\u0001"));
    // paths: malformed and ambiguous percent-escapes, encoded separators, dot segments, path parameters
    String[] segments = {"%u0041", "%uD800", "%ff%fe", "%c0%af", "%e2%82", "..;", "%2e%2e", "a%2fb", "%5c", "", "%00",
        "%zz", "%", "%u00", ".", ";jsessionid=x", "x?q=%zz", "x%20y", "\u00e4"};
    for (String seg : segments) {
      for (String method : new String[] {"POST", "PATCH", "PUT", "DELETE", "GET", "FOO"}) {
        cases.add(method + " /cesim/msp/v1/users/" + seg + "/invalidate HTTP/1.1\r\n{H}Content-Length: 2\r\n\r\n{}");
        cases.add(method + " /api/v1/subscriptions/" + seg + "/withdraw HTTP/1.1\r\n{H}Content-Length: 2\r\n\r\n{}");
      }
    }
    return cases;
  }

  /** One answer read off a raw connection: status, headers (lower-cased names), body. */
  private record RawAnswer(int status, Map<String, String> headers, String body) {
    boolean closes() {
      return "close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
    }
  }

  /** Reads one HTTP/1.1 answer (Content-Length or chunked); null if the connection closed before a status line. */
  private static RawAnswer readAnswer(InputStream in) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      String h = line(in);
      if (h == null || h.isEmpty()) {
        break;
      }
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), h.substring(colon + 1).trim());
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < 1000; i++) {
        int size = Integer.parseInt(line(in).trim(), 16);
        if (size == 0) {
          line(in);
          break;
        }
        out.write(in.readNBytes(size));
        line(in);
      }
      body = out.toByteArray();
    } else {
      body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
    }
    return new RawAnswer(Integer.parseInt(statusLine.substring(9, 12)), headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 65_536; i++) {
      int c = in.read();
      if (c == -1) {
        return b.length() == 0 ? null : b.toString();
      }
      if (c == '\n') {
        return b.toString().stripTrailing();
      }
      b.append((char) c);
    }
    throw new IOException("line too long");
  }

  /**
   * Each raw case on both ports: an answer (never a closed connection without one), a 4xx, a §5.1.5 body; and
   * unless that answer says Connection: close, the same connection answers a correct request next (a client
   * reuses it: a connection closed after an answer that did not say so leaves the client's next request
   * without any answer).
   */
  @Test
  void fuzz_rawRequestLinesPathsHeadersBodies_bothPorts_alwaysAnAnswer_a4xx_anErrorBody() throws Exception {
    Random random = new Random(SEED);
    long before = stack.recordsWritten();
    List<String> failures = new ArrayList<>();
    List<String> requests = rawCases();
    for (int i = 0; i < 100; i++) {
      byte[] noise = new byte[1 + random.nextInt(300)];
      random.nextBytes(noise);
      requests.add(new String(noise, StandardCharsets.ISO_8859_1) + "\r\n\r\n");
    }
    MspClient msp = stack.client(stack.mspACertificate, "mspa");
    Map<String, String> bearer = bearer();
    for (boolean mspPort : new boolean[] {true, false}) {
      for (String template : requests) {
        StringBuilder h = new StringBuilder("Host: 127.0.0.1\r\n");
        (mspPort ? msp.headers() : bearer).forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        String request = template.replace("{H}", h);
        String label = (mspPort ? "msp port: " : "touchpoint port: ") + abbreviate(template.replace("\r\n", "\\r\\n"));
        String failure = rawCall(mspPort, request, h.toString());
        if (failure != null) {
          failures.add(failure + " for " + label);
        }
      }
    }
    assertThat(failures).as("raw requests answered without a 4xx and a {code, error} body").isEmpty();
    assertThat(stack.recordsWritten()).as("records written by raw requests").isEqualTo(before);
    assertThat(Onboarding.mspToken(stack, "mspa")).isNotNull();
  }

  /**
   * A refusal answered before the request's body arrived (the bearer or the content type is refused before the body
   * is read; a client sends the headers and the body in separate writes, the body late on a loaded machine): the
   * answer either says Connection: close, or the same connection takes the late body and answers the next request.
   * A connection closed after an answer that did not say so is what the JDK client met as "received no bytes" on its
   * next POST, which it does not retry.
   */
  @Test
  void aRefusalAnsweredBeforeTheBodyArrived_saysCloseOrServesTheNextRequest() throws Exception {
    String body = "{\"termsVersion\":\"v1\"}";
    List<String> failures = new ArrayList<>();
    // {method, path, refused header, its value}
    String[][] refusals = {{"POST", "/api/v1/terms/acceptance", "Authorization", "Bearer x.y.z"},
        {"POST", "/api/v1/terms/acceptance", "Content-Type", "text/plain"},
        {"POST", "/api/v1/nothing-here", "X-Nothing", "x"},
        {"DELETE", "/api/v1/terms/acceptance", "X-Nothing", "x"},
        {"POST", "/cesim/msp/v1/users/x", "X-Nothing", "x"}};
    for (String[] refused : refusals) {
      Map<String, String> h = new LinkedHashMap<>(bearer());
      h.put(refused[2], refused[3]);
      StringBuilder head = new StringBuilder(refused[0] + " " + refused[1] + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      h.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("Content-Length: ").append(body.length()).append("\r\n\r\n");
      String label = refused[0] + " " + refused[1] + " " + refused[2];
      var tls = Tls.clientContext(null, List.of(stack.ca.certificate()));
      try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1",
          stack.ingress.server().touchpointPort())) {
        socket.setSoTimeout(2_000);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        RawAnswer answer;
        boolean early;
        try {
          answer = readAnswer(in);
          early = true;
        } catch (java.net.SocketTimeoutException e) {
          out.write(body.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          socket.setSoTimeout(10_000);
          answer = readAnswer(in);
          early = false;
        }
        System.out.printf("%s: %s %s before the body%n", label, answer == null ? "no answer" : answer.status(),
            early ? "answered" : "not answered");
        if (answer == null || answer.status() < 400 || answer.status() >= 500) {
          failures.add(label + ": " + (answer == null ? "no answer" : answer.status()));
          continue;
        }
        if (answer.closes()) {
          continue;
        }
        socket.setSoTimeout(10_000);
        try {
          if (early) {
            out.write(body.getBytes(StandardCharsets.ISO_8859_1));
          }
          out.write(("GET " + IngressServer.OPENAPI_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          RawAnswer next = readAnswer(in);
          if (next == null || next.status() != 200) {
            failures.add(label + ": " + answer.status() + " without Connection: close, then the next request got "
                + (next == null ? "no answer" : next.status()));
          }
        } catch (IOException e) {
          failures.add(label + ": " + answer.status() + " without Connection: close, then " + e);
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  /** Null when the answer is right, else what is wrong with it. */
  private String rawCall(boolean mspPort, String request, String headers) throws Exception {
    var tls = Tls.clientContext(mspPort ? stack.mspACertificate : null, List.of(stack.ca.certificate()));
    int port = mspPort ? stack.ingress.server().mspPort() : stack.ingress.server().touchpointPort();
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      try {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (java.net.SocketException e) {
        // The server answered and closed while the rest was still being sent: the answer is still readable.
      }
      RawAnswer answer = readAnswer(in);
      if (answer == null) {
        return "connection closed without an answer";
      }
      if (answer.status() < 400 || answer.status() >= 500 || !isErrorBody(answer.body())) {
        return answer.status() + " " + abbreviate(answer.body());
      }
      if (!answer.closes()) {
        out.write(("GET " + IngressServer.OPENAPI_PATH + " HTTP/1.1\r\n" + headers + "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        RawAnswer next = readAnswer(in);
        if (next == null || next.status() != 200) {
          return answer.status() + " kept the connection open, but the next request got "
              + (next == null ? "no answer" : next.status());
        }
      }
      return null;
    } catch (java.net.SocketTimeoutException e) {
      return "no answer within 10 s";
    }
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
