package org.aidcmp.lifecycle;

import java.util.List;

/**
 * What a transition returns: the aggregate's new state (null removes it, or keeps it absent) and the records
 * to emit. A state that did not change is the very instance the decider was given, so the processor writes
 * only what changed.
 */
public record Decision<S>(S state, List<Emit> emits) {
  public static <S> Decision<S> unchanged(S state) {
    return new Decision<>(state, List.of());
  }
}
