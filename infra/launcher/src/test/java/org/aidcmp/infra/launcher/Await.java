package org.aidcmp.infra.launcher;

import java.time.Duration;
import java.util.function.Supplier;

/** Bounded waits for the launcher's end-to-end tests: a probe asked until it finds something, or a clear failure. */
final class Await {
  private Await() {}

  /**
   * Asks {@code probe} every {@code every} until it returns non-null, at most {@code limit}; past it, fails saying
   * what was awaited and where things stand ({@code state}), so a slow machine can be told from a bug.
   */
  static <T> T until(String what, Duration limit, Duration every, Supplier<T> probe, Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      T found = probe.get();
      if (found != null) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + limit + "; " + state.get());
      }
      Thread.sleep(every.toMillis());
    }
  }
}
