package org.aidcmp.projections;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.lifecycle.OnboardingFailedAtMsp;
import org.aidcmp.schemas.lifecycle.OnboardingRejected;
import org.aidcmp.schemas.lifecycle.ProfileInstallFailed;
import org.aidcmp.schemas.lifecycle.ProfileInstalled;
import org.aidcmp.schemas.metrics.AidMeters;

/**
 * The provisioning flows as the lifecycle events tell them, counted where the projections read every event once
 * (after their transaction commits): onboarding (§4.1: federation established or refused), activation codes
 * (§4.3: received or failed, and the round trip from request to code) and profile installs (§7.2.3). Tags are
 * bounded: outcome and a reason from an enum or the §5.1.5 code, never an id.
 */
final class FlowMeters {
  /** Requests still awaiting their code; bounded so a flood of unanswered ones cannot grow it without end. */
  private static final int PENDING_KEPT = 100_000;

  private final MeterRegistry registry;
  private final Timer roundTrip;
  private final Map<String, Instant> requested = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
      return size() > PENDING_KEPT;
    }
  };

  FlowMeters(MeterRegistry registry) {
    this.registry = registry;
    this.roundTrip = Timer.builder(AidMeters.ACTIVATION_CODE_ROUND_TRIP).publishPercentiles(0.5, 0.99)
        .register(registry);
  }

  void observe(LifecycleEvent event) {
    Instant at = event.getHeader().getOccurredAt();
    Object payload = event.getPayload();
    if (payload instanceof FederationEstablished) {
      flow("onboarding", "completed", "none");
    } else if (payload instanceof OnboardingRejected r) {
      flow("onboarding", "failed", "code-" + r.getError().getCode());
    } else if (payload instanceof OnboardingFailedAtMsp) {
      flow("onboarding", "failed", "msp-error");
    } else if (payload instanceof ActivationCodeRequested r) {
      requested.put(r.getActivationCodeRequestId(), at);
    } else if (payload instanceof ActivationCodeReceived r) {
      flow("activation-code", "completed", "none");
      Instant asked = requested.remove(r.getActivationCodeRequestId());
      if (asked != null && !at.isBefore(asked)) {
        roundTrip.record(Duration.between(asked, at));
      }
    } else if (payload instanceof ActivationCodeFailed f) {
      requested.remove(f.getActivationCodeRequestId());
      flow("activation-code", "failed", f.getFailure().name());
    } else if (payload instanceof ProfileInstalled) {
      flow("profile-install", "completed", "none");
    } else if (payload instanceof ProfileInstallFailed f) {
      flow("profile-install", "failed", f.getDownloadInstallResult().name());
    }
  }

  private void flow(String flow, String outcome, String reason) {
    registry.counter(AidMeters.FLOWS, "flow", flow, "outcome", outcome, "reason", reason).increment();
  }
}
