package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.launcher.demo.Story;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * {@code aid demo}: the embedded stack, every service, two simulated MSPs and a simulated fleet, then the whole of
 * AID.02 told as a story ({@link Story}), each step with what it checked and the outcome. The stack stays up
 * afterwards for looking around (Ctrl-C stops it; {@code --exit} stops at once, for scripts). Exit code 1 when any
 * check failed.
 */
final class DemoCommand {
  static final String USAGE = """
      usage: aid [--config FILE] demo [--exit]

        starts the embedded stack and every service in a fresh data directory of its own (<aid.data.dir>/../demo,
        emptied first), two simulated MSPs (msp-sync: answers at once, 2 live profiles per subscription;
        msp-async: answers 201 and sends the code later) and three simulated cars, then runs AID.02 from
        onboarding to withdraw, printing every check and its outcome. It uses the configured embedded ports
        (so `aid events`, `aid dlq` work against it): stop a running `aid up` first.
        --exit   stop when the story is told (exit code 0: every check held, 1: one failed)
      """;
  /** Topic partitions for the demo's stack: little traffic, and each partition costs start-up time. */
  private static final int PARTITIONS = 2;
  /** How long one step may wait for an asynchronous outcome (generous: a busy 2-core machine). */
  private static final Duration WAIT = Duration.ofSeconds(120);

  private final PrintStream out;

  DemoCommand(PrintStream out) {
    this.out = out;
  }

  int run(AidConfig loaded, List<String> args) throws InterruptedException {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    for (String a : args) {
      if (!a.equals("--exit")) {
        System.err.println("aid demo: unknown option '" + a + "'");
        System.err.print(USAGE);
        return 2;
      }
    }
    boolean exit = args.contains("--exit");
    Path data = Path.of(loaded.get("aid.data.dir").orElse(".aid/data")).toAbsolutePath().resolveSibling("demo");
    try {
      emptyDirectory(data);
    } catch (IOException e) {
      System.err.println("aid demo: cannot empty " + data + ": " + e);
      return 1;
    }
    AidConfig config = loaded.with(Map.of("aid.data.dir", data.toString()));
    long begin = System.nanoTime();
    out.println("aid demo: starting the embedded stack, every service, two MSPs and three cars ...");
    EmbeddedStack stack = EmbeddedStack.start(config);
    DemoPlatform platform = null;
    boolean handedOver = false; // to the Ctrl-C hook, which closes everything
    try {
      ContractSetup.ensureTopics(stack.endpoints().kafkaBootstrapServers(), PARTITIONS, (short) 1);
      try (SchemaRegistryClient registry = Aid.registryClient(config, stack.endpoints())) {
        ContractSetup.registerSchemas(registry);
      }
      platform = new DemoPlatform(config, stack.endpoints(), data, data.resolve("services"), WAIT);
      out.printf("aid demo: up in %.1f s; the story of AID.02:%n", (System.nanoTime() - begin) / 1e9);
      List<Story.Told> told = Story.tell(platform.world(), out);
      Story.summary(told, out);
      boolean passed = Story.passed(told);
      out.println();
      stack.endpoints().describe().forEach((what, where) -> out.printf("  %-24s %s%n", what, where));
      platform.urls().forEach((what, where) -> out.printf("  %-24s %s%n", what, where));
      out.printf("%naid demo: %s in %.0f s.%n", passed ? "every check held" : "SOME CHECKS FAILED",
          (System.nanoTime() - begin) / 1e9);
      if (!exit) {
        out.println("aid demo: the platform stays up for looking around; Ctrl-C stops everything.");
        handedOver = true;
        awaitCtrlC(platform, stack);
      }
      return passed ? 0 : 1;
    } catch (Exception e) {
      System.err.println("aid demo: could not run: " + e);
      return 1;
    } finally {
      if (!handedOver) {
        if (platform != null) {
          platform.close();
        }
        stack.close();
      }
    }
  }

  private void awaitCtrlC(DemoPlatform platform, EmbeddedStack stack) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("aid demo: stopping ...");
      platform.close();
      stack.close();
      stopped.countDown();
    }, "aid-demo-shutdown"));
    stopped.await();
  }

  /** The demo's own directory, emptied (never another). */
  private static void emptyDirectory(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
  }
}
