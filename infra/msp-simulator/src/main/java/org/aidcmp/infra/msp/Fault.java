package org.aidcmp.infra.msp;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault the simulator injects before its normal answer. Latency delays the normal answer; the others
 * replace it. A fault applies {@link #times} times, or until cleared.
 */
public final class Fault {
  public enum Kind { LATENCY, SERVER_ERROR, TOO_MANY_REQUESTS, HANG }

  private final Kind kind;
  private final Duration delay;
  private final int status;
  private final int retryAfterSeconds;
  private final AtomicInteger remaining;

  private Fault(Kind kind, Duration delay, int status, int retryAfterSeconds, int times) {
    this.kind = kind;
    this.delay = delay;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
    this.remaining = new AtomicInteger(times);
  }

  /** The normal answer, {@code delay} later. */
  public static Fault latency(Duration delay) {
    return new Fault(Kind.LATENCY, delay, 0, 0, -1);
  }

  /** A 5xx answer with the §5.1.5 body {code: 90}. */
  public static Fault serverError(int status) {
    return new Fault(Kind.SERVER_ERROR, Duration.ZERO, status, 0, -1);
  }

  /** 429 with Retry-After in seconds. */
  public static Fault tooManyRequests(int retryAfterSeconds) {
    return new Fault(Kind.TOO_MANY_REQUESTS, Duration.ZERO, 429, retryAfterSeconds, -1);
  }

  /** No answer for {@code delay} (longer than the client's timeout), then a 504 nobody waits for. */
  public static Fault hang(Duration delay) {
    return new Fault(Kind.HANG, delay, 504, 0, -1);
  }

  /** The same fault, applied to the next {@code n} requests only. */
  public Fault times(int n) {
    return new Fault(kind, delay, status, retryAfterSeconds, n);
  }

  public Kind kind() {
    return kind;
  }

  public Duration delay() {
    return delay;
  }

  public int status() {
    return status;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** Takes one use of this fault; false when it is used up. */
  boolean take() {
    while (true) {
      int left = remaining.get();
      if (left < 0) {
        return true;
      }
      if (left == 0) {
        return false;
      }
      if (remaining.compareAndSet(left, left - 1)) {
        return true;
      }
    }
  }
}
