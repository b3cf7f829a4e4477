package org.aidcmp.egress;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What egress counts, per MSP: results by kind, HTTP attempts, and how long a command took from being taken to
 * its outcome (all attempts and backoff included). Names in Micrometer's dotted style.
 */
final class EgressMetrics {
  private final MeterRegistry registry;

  EgressMetrics(MeterRegistry registry, String group, Supplier<Number> inFlight, Supplier<Number> deferred) {
    this.registry = registry;
    // Strong: the registry holds gauges weakly, and nothing else holds this supplier.
    Gauge.builder("aid.egress.commands.in.flight", inFlight).tag("group", group).strongReference(true)
        .register(registry);
    Gauge.builder("aid.egress.commands.deferred", deferred).tag("group", group).strongReference(true)
        .register(registry);
  }

  void outcome(MspCommand command, CallOutcome outcome, Object resultPayload, Duration took) {
    String msp = command.mspId();
    registry.counter("aid.egress.results", "msp", msp, "call", command.call().name(),
        "result", resultPayload.getClass().getSimpleName()).increment();
    registry.counter("aid.egress.attempts", "msp", msp).increment(outcome.attempts());
    Timer.builder("aid.egress.command.duration").tag("msp", msp).publishPercentiles(0.5, 0.99)
        .register(registry).record(took);
  }
}
