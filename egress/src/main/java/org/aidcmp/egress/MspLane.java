package org.aidcmp.egress;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.aidcmp.infra.config.MspRegistry.Msp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one MSP's calls go through, apart from every other MSP's: its own HTTP client (connection pool),
 * a bounded queue, a bulkhead (calls in flight), a circuit breaker and a retry with exponential backoff and
 * jitter that honours Retry-After. A slow or dead MSP fills only its own queue.
 */
final class MspLane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MspLane.class);

  /**
   * A call to make, and where its outcome goes. Cancelled (its partition went to another worker): no further
   * attempt starts; an attempt already on the wire still ends normally.
   */
  record Job(HttpRequest request, String mspToken, CompletableFuture<CallOutcome> outcome, AtomicBoolean cancelled) {
    Job(HttpRequest request, String mspToken) {
      this(request, mspToken, new CompletableFuture<>(), new AtomicBoolean());
    }

    void cancel() {
      cancelled.set(true);
    }
  }

  private final Msp msp;
  private final HttpClient http;
  private final ExecutorService httpExecutor;
  /**
   * The threads that make this MSP's attempts, one per call the bulkhead lets through: a blocking
   * {@code HttpClient.send} as a plain client makes it. Not {@code sendAsync}: it completes every response on
   * the common fork-join pool, which on a 2-core machine (parallelism 1) means a new thread per response.
   */
  private final ExecutorService callers;
  /** Jobs offered and a user's turn ending ({@link Freed}), in order: the dispatcher's only input. */
  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
  /** Jobs offered and not yet finished; bounded by the queue size so a dead MSP holds a bounded backlog. */
  private final AtomicInteger pending = new AtomicInteger();
  private final int capacity;
  /** Dispatcher thread only: users with a call under way, and their later commands waiting their turn. */
  private final Map<String, ArrayDeque<Job>> waitingByUser = new HashMap<>();
  private final Bulkhead bulkhead;
  private final CircuitBreaker circuitBreaker;
  private final Retry retry;
  private final ScheduledExecutorService scheduler;
  private final Thread dispatcher;
  private volatile boolean running = true;

  MspLane(Msp msp, EgressSettings settings, ScheduledExecutorService scheduler) {
    this.msp = msp;
    this.scheduler = scheduler;
    this.httpExecutor = Executors.newCachedThreadPool(daemon("egress-http-" + msp.id()));
    this.http = HttpClient.newBuilder()
        .sslContext(settings.tls.context(msp))
        .connectTimeout(settings.connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(httpExecutor)
        .build();
    this.callers = Executors.newFixedThreadPool(settings.maxConcurrentCallsPerMsp, daemon("egress-call-" + msp.id()));
    this.capacity = settings.queuedCommandsPerMsp;
    this.bulkhead = Bulkhead.of("msp-" + msp.id(), BulkheadConfig.custom()
        .maxConcurrentCalls(settings.maxConcurrentCallsPerMsp)
        .maxWaitDuration(Duration.ofMillis(500))
        .build());
    this.circuitBreaker = CircuitBreaker.of("msp-" + msp.id(), CircuitBreakerConfig.custom()
        .slidingWindowSize(20)
        .minimumNumberOfCalls(10)
        .failureRateThreshold(50)
        .waitDurationInOpenState(settings.circuitOpenFor)
        .permittedNumberOfCallsInHalfOpenState(2)
        .recordException(MspLane::retryable)
        .recordResult(r -> r instanceof MspResponse response && response.retryable())
        .build());
    IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(
        settings.initialBackoff, 2.0, 0.5, settings.maxBackoff);
    Duration maxRetryAfter = settings.maxRetryAfter;
    this.retry = Retry.of("msp-" + msp.id(), RetryConfig.<MspResponse>custom()
        .maxAttempts(settings.maxAttempts)
        .retryOnResult(MspResponse::retryable)
        .retryOnException(MspLane::retryable)
        .intervalBiFunction((attempt, last) -> {
          if (last.isRight() && last.get().retryAfter().isPresent()) {
            Duration asked = last.get().retryAfter().get();
            return Math.min(asked.toMillis(), maxRetryAfter.toMillis());
          }
          return backoff.apply(attempt);
        })
        .build());
    this.dispatcher = new Thread(this::dispatch, "egress-lane-" + msp.id());
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  Msp msp() {
    return msp;
  }

  /** Queues a call; false when this MSP's queue is full (the caller must wait, the other MSPs need not). */
  boolean offer(Job job) {
    if (!running || pending.incrementAndGet() > capacity) {
      pending.decrementAndGet();
      return false;
    }
    events.add(job);
    return true;
  }

  /** How many more commands the queue takes now. */
  int room() {
    return capacity - pending.get();
  }

  /** One user's call ended: the next of that user's commands may go. */
  private record Freed(String mspToken) {}

  /**
   * Starts queued calls as the bulkhead lets them, one at a time per user (msp_token) in the order taken, so
   * an MSP never sees a user's commands reordered (e.g. invalidate, then CSIM status deleted, §4.4). This
   * thread waits only for its own MSP.
   */
  private void dispatch() {
    while (running) {
      try {
        Object event = events.poll(200, TimeUnit.MILLISECONDS);
        if (event instanceof Job job) {
          ArrayDeque<Job> waiting = waitingByUser.get(job.mspToken());
          if (waiting != null) {
            waiting.add(job);
          } else {
            waitingByUser.put(job.mspToken(), new ArrayDeque<>());
            start(job);
          }
        } else if (event instanceof Freed freed) {
          ArrayDeque<Job> waiting = waitingByUser.get(freed.mspToken());
          Job next = waiting == null ? null : waiting.poll();
          if (next == null) {
            waitingByUser.remove(freed.mspToken());
          } else {
            start(next);
          }
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void start(Job job) throws InterruptedException {
    while (!acquire()) {
      if (!running) {
        throw new InterruptedException("lane closed");
      }
    }
    CompletionStage<CallOutcome> called;
    try {
      called = call(job);
    } catch (RuntimeException e) {
      // Never let one bad request end this MSP's dispatcher: the command gives up with the reason.
      called = CompletableFuture.completedFuture(new CallOutcome(null, e, 0));
    }
    called.whenComplete((outcome, error) -> {
      bulkhead.onComplete();
      pending.decrementAndGet();
      events.add(new Freed(job.mspToken()));
      job.outcome().complete(outcome);
    });
  }

  private boolean acquire() {
    try {
      bulkhead.acquirePermission();
      return true;
    } catch (BulkheadFullException full) {
      return false;
    }
  }

  /** All attempts of one command, counted; the outcome is the last response or the last error. */
  CompletionStage<CallOutcome> call(Job job) {
    AtomicInteger attempts = new AtomicInteger();
    Supplier<CompletionStage<MspResponse>> attempt = () -> {
      if (job.cancelled().get()) {
        return CompletableFuture.failedFuture(new CancellationException("partition revoked"));
      }
      attempts.incrementAndGet();
      return CompletableFuture.supplyAsync(() -> send(job.request()), callers);
    };
    Supplier<CompletionStage<MspResponse>> guarded = CircuitBreaker.decorateCompletionStage(circuitBreaker, attempt);
    return Retry.decorateCompletionStage(retry, scheduler, guarded).get()
        .handle((response, error) -> new CallOutcome(response, error == null ? null : unwrap(error), attempts.get()));
  }

  /** One attempt, on a caller thread; an I/O error fails the attempt as {@code sendAsync} would. */
  private MspResponse send(HttpRequest request) {
    try {
      return MspResponse.of(http.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new CompletionException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(new java.io.InterruptedIOException("lane closed"));
    }
  }

  /**
   * Connection errors, timeouts and an open circuit are worth another attempt; a TLS handshake that refused a
   * certificate is not ({@link MspTls#certificateRefused}).
   */
  static boolean retryable(Throwable t) {
    Throwable cause = unwrap(t);
    if (MspTls.certificateRefused(cause)) {
      return false;
    }
    return cause instanceof IOException || cause instanceof CallNotPermittedException;
  }

  static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  @Override
  public void close() {
    running = false;
    dispatcher.interrupt();
    callers.shutdownNow();
    httpExecutor.shutdownNow();
    LOG.debug("lane {} closed with {} commands pending", msp.id(), pending.get());
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
