package org.aidcmp.lifecycle;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.aidcmp.schemas.topics.AidTopic;

/**
 * Which decider takes a message, by the topic it came from and the type of its payload: a processor's whole
 * vocabulary in one table. What the table does not name is not guessed at: the processor dead-letters it.
 */
public final class Dispatch<S> {
  private static final String OWN = "";
  private final Map<String, Map<Class<?>, Decider<S>>> byTopic = new HashMap<>();

  /** Payloads of these types arriving on the topic go to the decider. */
  public Dispatch<S> on(AidTopic topic, Decider<S> decider, Class<?>... payloads) {
    Map<Class<?>, Decider<S>> table = byTopic.computeIfAbsent(topic.topicName(), t -> new HashMap<>());
    for (Class<?> payload : payloads) {
      if (table.put(payload, decider) != null) {
        throw new IllegalStateException(payload.getSimpleName() + " on " + topic + " has two deciders");
      }
    }
    return this;
  }

  /** A tombstone on the topic means something there (the fleet registry retires a vehicle with one). */
  public Dispatch<S> onTombstone(AidTopic topic, Decider<S> decider) {
    return on(topic, decider, Void.class);
  }

  /** Messages the processor makes itself (a wall-clock wait that is over). */
  public Dispatch<S> onOwn(Class<?> payload, Decider<S> decider) {
    byTopic.computeIfAbsent(OWN, t -> new HashMap<>()).put(payload, decider);
    return this;
  }

  public Optional<Decider<S>> find(Message message) {
    Map<Class<?>, Decider<S>> table = byTopic.get(message.topic() == null ? OWN : message.topic());
    if (table == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(table.get(message.payload() == null ? Void.class : message.payload().getClass()));
  }
}
