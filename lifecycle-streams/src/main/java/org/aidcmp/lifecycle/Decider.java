package org.aidcmp.lifecycle;

import java.time.Instant;

/**
 * A procedure's transitions over one aggregate, in the decider pattern: a pure function of the state (null
 * while the aggregate does not exist), the message and the time, to the new state and the records to emit.
 * A decider reads no store and no clock: the processor hands it both, and wall-clock waits that are over
 * arrive as messages.
 */
@FunctionalInterface
public interface Decider<S> {
  Decision<S> decide(S state, Message message, Instant now);
}
