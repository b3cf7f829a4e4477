package org.aidcmp.infra.msp;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The faults switched on for one simulated MSP: for every call, or for one call, which wins. */
public final class Faults {
  private volatile Fault forAll;
  private final Map<MspCall, Fault> perCall = new ConcurrentHashMap<>();

  public Faults all(Fault fault) {
    forAll = fault;
    return this;
  }

  public Faults on(MspCall call, Fault fault) {
    perCall.put(call, fault);
    return this;
  }

  public void clear() {
    forAll = null;
    perCall.clear();
  }

  /** The fault to apply to one request of {@code call}, taking one use of it. */
  Optional<Fault> take(MspCall call) {
    Fault fault = perCall.get(call);
    if (fault != null && fault.take()) {
      return Optional.of(fault);
    }
    Fault all = forAll;
    return all != null && all.take() ? Optional.of(all) : Optional.empty();
  }
}
