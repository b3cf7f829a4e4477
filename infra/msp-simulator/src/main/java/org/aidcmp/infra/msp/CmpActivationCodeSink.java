package org.aidcmp.infra.msp;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous MSP's activation codes delivered the way AID.02 means (§7.1.8.2): by the CMP's Send activation
 * code (§7.1.8.2.1) over HTTPS, through a {@link CmpClient}. So a simulator run against the platform needs no
 * test glue between its 201 and the code arriving.
 *
 * <p>An answer that says "not now" (connection error, 5xx, 429; ingress-aid1 answers 503 when the topology's
 * outcome is late) is retried with the same CMP-request-id and correlation-id, so the CMP acts once however
 * often it hears the request. Any other answer is final: 200 assigned, 4xx refused (logged with its code).
 */
public final class CmpActivationCodeSink implements AsyncActivationCodeSink {
  private static final Logger LOG = LoggerFactory.getLogger(CmpActivationCodeSink.class);

  /** One delivery's end: the activationCodeRequestID and the CMP's last status (0: no answer at all). */
  public record Delivery(String activationCodeRequestId, int status, String code) {}

  private final CmpClient cmp;
  private final int maxAttempts;
  private final Duration firstBackoff;
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

  public CmpActivationCodeSink(CmpClient cmp) {
    this(cmp, 6, Duration.ofMillis(250));
  }

  /** {@code maxAttempts} HTTP attempts per code, the wait doubling from {@code firstBackoff}. */
  public CmpActivationCodeSink(CmpClient cmp, int maxAttempts, Duration firstBackoff) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("at least one attempt");
    }
    this.cmp = cmp;
    this.maxAttempts = maxAttempts;
    this.firstBackoff = firstBackoff;
  }

  @Override
  public void deliver(SendActivationCode message) {
    CmpClient.RequestIds ids = CmpClient.RequestIds.fresh();
    Duration backoff = firstBackoff;
    String failure = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        CmpClient.Answer answer = cmp.sendActivationCode(message, ids);
        if (answer.status() < 500 && answer.status() != 429) {
          finished(message, answer.status(), answer.code());
          return;
        }
        failure = "HTTP " + answer.status();
      } catch (IOException e) {
        failure = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the simulator is closing
        finished(message, 0, null);
        return;
      }
      if (attempt < maxAttempts && !sleep(backoff)) {
        break;
      }
      backoff = backoff.multipliedBy(2);
    }
    LOG.warn("Send activation code for request {} gave up: {}", message.activationCodeRequestId(), failure);
    finished(message, 0, null);
  }

  private void finished(SendActivationCode message, int status, String code) {
    deliveries.add(new Delivery(message.activationCodeRequestId(), status, code));
    if (status >= 200 && status < 300) {
      LOG.info("Send activation code for request {}: {}", message.activationCodeRequestId(), status);
    } else if (status != 0) {
      LOG.warn("Send activation code for request {}: {} code {}", message.activationCodeRequestId(), status, code);
    }
  }

  private static boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Every delivery that ended, in order. */
  public List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }
}
