package org.aidcmp.infra.launcher;

import java.io.PrintStream;

/**
 * Runs every {@link RegistryConformance} check against the registry at a URL (Confluent's REST API, e.g.
 * Apicurio's {@code http://127.0.0.1:8080/apis/ccompat/v7}): prints PASS or FAIL per check, then
 * "N passed, N failed", and exits non-zero when any check failed. Used by infra/interop/check-apicurio-registry.sh.
 */
public final class RegistryConformanceMain {
  private RegistryConformanceMain() {}

  public static void main(String[] args) {
    if (args.length != 1 || args[0].isBlank()) {
      System.err.println("usage: RegistryConformanceMain <schema registry URL>");
      System.exit(2);
    }
    System.exit(run(args[0], System.out));
  }

  /** Runs every check; returns the exit code (0 when all passed). */
  static int run(String url, PrintStream out) {
    out.println("registry conformance against " + url);
    int passed = 0;
    int failed = 0;
    for (RegistryConformance.Check check : new RegistryConformance(url).checks()) {
      long start = System.nanoTime();
      try {
        check.body().run();
        passed++;
        out.printf("PASS %s (%d ms)%n", check.name(), (System.nanoTime() - start) / 1_000_000);
      } catch (Throwable e) { // an AssertionError or the registry's exception: either way, this check failed
        failed++;
        out.printf("FAIL %s (%d ms): %s%n", check.name(), (System.nanoTime() - start) / 1_000_000,
            String.valueOf(e).replace(System.lineSeparator(), System.lineSeparator() + "     "));
      }
    }
    out.printf("%d passed, %d failed%n", passed, failed);
    return failed == 0 ? 0 : 1;
  }
}
