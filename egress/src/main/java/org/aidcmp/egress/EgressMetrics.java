package org.aidcmp.egress;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

  /** Per MSP, its meters, looked up once: a registry lookup per call builds tags and hashes them every time. */
  private record PerMsp(Counter attempts, Timer duration, Map<String, Counter> results) {}

  private final Map<String, PerMsp> perMsp = new ConcurrentHashMap<>();

  void outcome(MspCommand command, CallOutcome outcome, Object resultPayload, Duration took) {
    String msp = command.mspId();
    PerMsp meters = perMsp.computeIfAbsent(msp, id -> new PerMsp(
        registry.counter("aid.egress.attempts", "msp", id),
        Timer.builder("aid.egress.command.duration").tag("msp", id).publishPercentiles(0.5, 0.99).register(registry),
        new ConcurrentHashMap<>()));
    String call = command.call().name();
    String result = resultPayload.getClass().getSimpleName();
    meters.results().computeIfAbsent(call + '/' + result,
        unused -> registry.counter("aid.egress.results", "msp", msp, "call", call, "result", result)).increment();
    meters.attempts().increment(outcome.attempts());
    meters.duration().record(took);
  }
}
