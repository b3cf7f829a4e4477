package org.aidcmp.infra.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.msp.CmpClient;

/**
 * Send MSP token (§7.1.4) end to end on the embedded stack, as an MSP sees it: mutual TLS, every check,
 * phone number re-encryption, the record on Kafka, the real lifecycle-streams topology deciding (user, token
 * claim, user), the reply, the answer. Prints requests per second and p50 / p99 latency per concurrency (a
 * harness, not a test), one stack for all of them, each beside the raw limit of the same run: the same calls
 * from the same client refused at the api-key check, which is the HTTPS round trip with nothing behind it. The account ids are made first through the touchpoint API and
 * are not timed; 50 calls of each round are warm-up.
 *
 * <p>Run (from the repository root): {@code mvn -q -DskipTests -pl infra/launcher -am test-compile
 * dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt} then {@code
 * java -cp infra/launcher/target/test-classes:infra/launcher/target/classes:$(cat
 * infra/launcher/target/bench-classpath.txt) org.aidcmp.infra.launcher.SendMspTokenBenchmark 600 1,8,64}
 * (requests per round, concurrencies).
 */
public final class SendMspTokenBenchmark {
  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1); // the MQTT client's threads are not daemons
    }
    System.exit(0);
  }

  private static void run(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 600;
    List<Integer> concurrencies = java.util.Arrays.stream((args.length > 1 ? args[1] : "1,8,64").split(","))
        .map(Integer::valueOf).toList();
    Path dir = Files.createTempDirectory("aid-bench-");
    AidConfig config = SharedEmbeddedStack.testConfig(dir, SharedEmbeddedStack.freePorts());
    try (EmbeddedStack stack = EmbeddedStack.start(config)) {
      ContractSetup.ensureTopics(stack.endpoints().kafkaBootstrapServers(), 6, (short) 1);
      try (var registry = Aid.registryClient(config, stack.endpoints())) {
        ContractSetup.registerSchemas(registry);
      }
      try (TestPlatform platform = new TestPlatform(stack.endpoints(), dir)) {
        CmpClient refused = platform.mspClient("not-the-api-key-of-msp-a");
        for (int concurrency : concurrencies) {
          round(platform, refused, requests, concurrency);
        }
      }
    } finally {
      SharedEmbeddedStack.deleteRecursively(dir);
    }
  }

  private static void round(TestPlatform platform, CmpClient refused, int requests, int concurrency)
      throws Exception {
    List<String[]> calls = new ArrayList<>();
    long accountIdsBegin = System.nanoTime();
    for (int i = 0; i < requests + 50; i++) {
      calls.add(new String[] {platform.accountId("bench-" + UUID.randomUUID()), UUID.randomUUID().toString()});
    }
    System.out.printf(Locale.ROOT, "Request account id (touchpoint, one hop through the topology), one at a time: "
        + "mean %.1f ms%n", (System.nanoTime() - accountIdsBegin) / 1e6 / calls.size());
    for (String[] c : calls.subList(0, 50)) { // warm-up: connections, JIT, caches
      check(sendMspToken(platform.msp, c), 201);
      check(sendMspToken(refused, c), 401);
    }
    List<String[]> timed = calls.subList(50, calls.size());
    // The raw limit in the same run: the same client, TLS handshake and HTTP server, refused at the api-key
    // check before any handler (401 code 201), so nothing reaches Kafka.
    measure("refused at the api-key check (the HTTPS round trip alone)", timed, concurrency, c -> {
      check(sendMspToken(refused, c), 401);
    });
    measure("Send MSP token end to end (mTLS, embedded stack, real topology)", timed, concurrency, c -> {
      check(sendMspToken(platform.msp, c), 201);
    });
  }

  interface Call {
    void run(String[] call) throws Exception;
  }

  private static void measure(String what, List<String[]> calls, int concurrency, Call call) throws Exception {
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long begin = System.nanoTime();
    List<Future<?>> answers = new ArrayList<>();
    for (String[] c : calls) {
      answers.add(pool.submit(() -> {
        long t0 = System.nanoTime();
        call.run(c);
        latencies.add(System.nanoTime() - t0);
        return null;
      }));
    }
    for (Future<?> answer : answers) {
      answer.get(120, TimeUnit.SECONDS);
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    pool.shutdownNow();
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf(Locale.ROOT,
        "%s: %d requests, concurrency %d: %.0f requests/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, on %d cores%n",
        what, calls.size(), concurrency, calls.size() / seconds, sorted.get(sorted.size() / 2) / 1e6,
        sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) / 1e6, sorted.get(sorted.size() - 1) / 1e6,
        Runtime.getRuntime().availableProcessors());
  }

  /** One Send MSP token with an encrypted phone number: {account id, msp_token}. */
  private static int sendMspToken(CmpClient client, String[] call) throws Exception {
    return client.sendMspToken(call[0], CmpClient.SendMspToken.of(call[1], "4918974020143", "private")).status();
  }

  private static void check(int status, int expected) {
    if (status != expected) {
      throw new IllegalStateException("Send MSP token answered " + status + ", not " + expected);
    }
  }
}
