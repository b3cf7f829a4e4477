package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Send MSP token measured end to end on the embedded stack: mutual TLS, header and account id checks, phone
 * number re-encryption, the record on Kafka, the stand-in's reply and the wait for it. The figures go to
 * target/send-msp-token-load.txt and standard output; the assertion only guards against a collapse.
 */
@ExtendWith(TestStack.class)
class SendMspTokenLoadTest {
  private static final int REQUESTS = Integer.getInteger("load.requests", 600);
  private static final int CONCURRENCY = Integer.getInteger("load.concurrency", 8);
  private final TestStack.Stack stack;

  SendMspTokenLoadTest(TestStack.Stack stack) {
    this.stack = stack;
  }

  @Test
  void sendMspToken_7_1_4_rateAndP99_endToEnd() throws Exception {
    MspClient client = stack.client(stack.mspACertificate, "mspa");
    List<String[]> calls = new ArrayList<>();
    for (int i = 0; i < REQUESTS + 50; i++) {
      String[] phone = MspClient.encryptPhone(stack.msp("mspa"), "4918974020143");
      calls.add(new String[] {Onboarding.accountId(stack, "mspa"), "{\"msp_token\":\"" + UUID.randomUUID()
          + "\",\"phoneNumber\":\"" + phone[0] + "\",\"iv\":\"" + phone[1] + "\",\"subscriptionType\":\"private\"}"});
    }
    // Warm-up: connections, JIT, the schema ids.
    for (String[] c : calls.subList(0, 50)) {
      assertThat(client.call("POST", "/cesim/msp/v1/users/" + c[0], c[1]).status()).isEqualTo(201);
    }
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    long start = System.nanoTime();
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (String[] c : calls.subList(50, calls.size())) {
        futures.add(pool.submit(() -> {
          long t0 = System.nanoTime();
          int status = client.call("POST", "/cesim/msp/v1/users/" + c[0], c[1]).status();
          latencies.add(System.nanoTime() - t0);
          return status;
        }));
      }
      for (Future<Integer> f : futures) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(201);
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    double p50 = sorted.get(sorted.size() / 2) / 1e6;
    double p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) / 1e6;
    String report = String.format(java.util.Locale.ROOT,
        "Send MSP token end to end (mTLS, embedded Kafka, stand-in topology): %d requests, concurrency %d, "
            + "%.0f requests/s, p50 %.1f ms, p99 %.1f ms, on %d cores%n",
        REQUESTS, CONCURRENCY, REQUESTS / seconds, p50, p99, Runtime.getRuntime().availableProcessors());
    System.out.print(report);
    Files.writeString(Path.of("target", "send-msp-token-load.txt"), report);
    assertThat(p99).isLessThan(5000);
  }
}
