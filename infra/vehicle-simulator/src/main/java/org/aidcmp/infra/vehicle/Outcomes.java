package org.aidcmp.infra.vehicle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Every outcome of every vehicle's flows, in the order they ended; counts and latency percentiles. Thread-safe. */
public final class Outcomes {
  private final List<Outcome> all = new CopyOnWriteArrayList<>();
  private final List<Consumer<Outcome>> listeners = new CopyOnWriteArrayList<>();

  void record(Outcome outcome) {
    all.add(outcome);
    listeners.forEach(l -> l.accept(outcome));
  }

  /** Called with each outcome as it is recorded (on the vehicle's thread: keep it short). */
  public void onOutcome(Consumer<Outcome> listener) {
    listeners.add(listener);
  }

  public List<Outcome> all() {
    return new ArrayList<>(all);
  }

  public List<Outcome> of(String vin) {
    return matching(o -> o.vin().equals(vin));
  }

  public List<Outcome> matching(Predicate<Outcome> filter) {
    return all.stream().filter(filter).toList();
  }

  public int size() {
    return all.size();
  }

  /** How many ended with each result. */
  public Map<Outcome.Result, Integer> counts() {
    Map<Outcome.Result, Integer> counts = new EnumMap<>(Outcome.Result.class);
    all.forEach(o -> counts.merge(o.result(), 1, Integer::sum));
    return counts;
  }

  /** The latency at {@code quantile} (0 to 1, nearest rank) of the outcomes that match; null for none. */
  public Duration latency(double quantile, Predicate<Outcome> filter) {
    List<Duration> sorted = all.stream().filter(filter).map(Outcome::latency).sorted().toList();
    if (sorted.isEmpty()) {
      return null;
    }
    int rank = (int) Math.ceil(quantile * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /** A few lines: counts by flow and result, and p50 / p99 latency per flow. */
  public String summary() {
    StringBuilder text = new StringBuilder();
    for (Outcome.Flow flow : Outcome.Flow.values()) {
      List<Outcome> mine = matching(o -> o.flow() == flow);
      if (mine.isEmpty()) {
        continue;
      }
      Map<Outcome.Result, Integer> counts = new EnumMap<>(Outcome.Result.class);
      mine.forEach(o -> counts.merge(o.result(), 1, Integer::sum));
      text.append(String.format("  %-20s %6d  ", flow, mine.size()));
      counts.forEach((result, n) -> text.append(result).append(' ').append(n).append("  "));
      Duration p50 = latency(0.50, o -> o.flow() == flow);
      Duration p99 = latency(0.99, o -> o.flow() == flow);
      text.append(String.format("p50 %d ms, p99 %d ms%n", p50.toMillis(), p99.toMillis()));
      Map<String, Integer> reasons = new java.util.TreeMap<>();
      mine.stream().filter(o -> !o.result().success())
          .forEach(o -> reasons.merge(o.result() + " " + o.detail(), 1, Integer::sum));
      reasons.forEach((reason, n) -> text.append(String.format("      %5d  %s%n", n, reason)));
    }
    return text.toString();
  }
}
