package org.aidcmp.lifecycle;

import java.util.List;

/**
 * What a transition returns: the aggregate's new state (null removes it) and the records to emit. Every
 * transition of the topology is a pure function {@code (state, message) -> Decision}.
 */
public record Decision<S>(S state, List<Emit> emits) {}
