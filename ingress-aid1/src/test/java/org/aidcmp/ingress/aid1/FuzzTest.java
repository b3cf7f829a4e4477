package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * A few thousand malformed requests from an authenticated MSP (bodies, headers, paths) and raw garbage over
 * TLS: never a 5xx, never a record on Kafka, and the service still answers a correct call afterwards.
 * Seeded, so a failure can be replayed.
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

  @Test
  void fuzz_malformedRequests_neverA5xx_neverARecord_serviceStillAnswers() throws Exception {
    MspClient client = stack.client(stack.mspACertificate, "mspa");
    Random random = new Random(SEED);
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      cases.add(bodyCase(random, client));
      cases.add(headerCase(random, client));
      cases.add(pathCase(random, client));
    }
    long before = stack.recordsWritten();
    int receivedBefore = stack.topology.received.size();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Case c : cases) {
        futures.add(pool.submit(() -> {
          try {
            MspClient.Response r = callRetryingClosedConnections(client, c);
            if (r.status() >= 500 || r.status() < 400) {
              failures.add(r.status() + " for " + c.method() + " " + c.path() + " " + c.headers() + " "
                  + abbreviate(c.body()) + " -> " + abbreviate(r.body()));
            }
          } catch (IllegalArgumentException e) {
            // The client itself refused to send it (e.g. a header value it considers illegal): nothing to test.
          } catch (Exception e) {
            failures.add(e + " for " + c.method() + " " + c.path());
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(failures).as("answers that are not a 4xx").isEmpty();
    rawGarbage(random);
    assertThat(stack.recordsWritten()).as("records written by malformed requests: %s",
        stack.topology.received.subList(receivedBefore, stack.topology.received.size())).isEqualTo(before);
    // Still serving: a correct call works.
    assertThat(Onboarding.mspToken(stack, "mspa")).isNotNull();
  }

  /** Bytes no HTTP client would send, straight over TLS: broken request lines, lengths, encodings. */
  private void rawGarbage(Random random) throws Exception {
    String[] requests = {
        "GARBAGE\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n{}",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
        "POST /cesim/msp/v1/users/x HTTP/1.1\r\nHost: a\r\nX: " + "y".repeat(40_000) + "\r\n\r\n",
        "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /cesim/msp/v1/users/x HTTP/9.9\r\n\r\n",
        "\u0000\u0001\u0002\r\n\r\n"};
    var tls = Tls.clientContext(stack.mspACertificate, List.of(stack.ca.certificate()));
    for (int i = 0; i < 200; i++) {
      String request = requests[i % requests.length];
      if (i >= requests.length) {
        byte[] noise = new byte[random.nextInt(300)];
        random.nextBytes(noise);
        request = new String(noise, StandardCharsets.ISO_8859_1) + "\r\n\r\n";
      }
      try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", stack.ingress.server().mspPort())) {
        socket.setSoTimeout(2000);
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] head = new byte[12];
        int n = in.readNBytes(head, 0, 12);
        if (n >= 12) {
          String statusLine = new String(head, StandardCharsets.ISO_8859_1);
          if (request.contains("HTTP/9.9")) {
            // RFC 9110 §15.6.6: the one 5xx that is a refusal of the request, not a fault of the server.
            assertThat(statusLine).startsWith("HTTP/1.1 505");
          } else {
            assertThat(statusLine.charAt(9)).as(statusLine + " for raw request #" + i).isEqualTo('4');
          }
        }
      } catch (java.net.SocketTimeoutException | javax.net.ssl.SSLException | java.net.SocketException e) {
        // Closed on us: a fine answer to garbage.
      }
    }
  }

  /**
   * Jetty closes the connection after refusing a request whose body it did not read; the client may have sent
   * the next request on it already and sees "no bytes". That is the connection, not an answer: send again.
   */
  private static MspClient.Response callRetryingClosedConnections(MspClient client, Case c) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.call(c.method(), c.path(), c.body(), c.headers());
      } catch (java.io.IOException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
