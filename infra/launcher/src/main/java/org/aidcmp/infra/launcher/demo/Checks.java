package org.aidcmp.infra.launcher.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The checks of one chapter, each printed as it is made. */
public final class Checks {
  private final List<Check> made = new ArrayList<>();
  private final PrintStream out;
  private final Duration wait;

  Checks(PrintStream out, Duration wait) {
    this.out = out;
    this.wait = wait;
  }

  /** Records a check made now. */
  public boolean that(String what, boolean passed, String observed) {
    Check check = new Check(what, passed, observed);
    made.add(check);
    out.printf("    %s %s%n        %s%n", passed ? "[ok]  " : "[FAIL]", what, observed);
    return passed;
  }

  /**
   * A check on an outcome that arrives asynchronously (an event on a topic, a projection row, a simulator's
   * state): {@code probe} asked until it gives non-null, at most the world's wait. Returns what it found, or null
   * (the check failed) so the chapter can stop.
   */
  public <T> T eventually(String what, Probe<T> probe, Function<T, String> observed) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    Exception last = null;
    while (true) {
      T found;
      try {
        found = probe.get();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        found = null; // not there yet (a read model not written, an API not answering): ask again
        last = e;
      }
      if (found != null) {
        that(what, true, observed.apply(found));
        return found;
      }
      if (System.nanoTime() > deadline) {
        that(what, false, "not seen within " + wait.toSeconds() + " s"
            + (last == null ? "" : " (the last look failed: " + last + ")"));
        return null;
      }
      Thread.sleep(100);
    }
  }

  /** Asks where things stand; may throw while they are not there yet. */
  @FunctionalInterface
  public interface Probe<T> {
    T get() throws Exception;
  }

  /** Stops the chapter when a check it depends on failed (the runner records why). */
  public static <T> T needed(T value, String what) {
    if (value == null) {
      throw new ChapterStopped(what);
    }
    return value;
  }

  public List<Check> made() {
    return List.copyOf(made);
  }

  /** A chapter could not go on: a check its next steps depend on failed. */
  static final class ChapterStopped extends RuntimeException {
    ChapterStopped(String what) {
      super("cannot go on without: " + what);
    }
  }
}
