package org.aidcmp.lifecycle.replay;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * What a replay's windows share between the command and the topology's stream thread: the input horizon (an input
 * record stamped later is held back in its partition until the horizon passes it), where each input partition is
 * held and at which record time, the consumer's positions, and counts that show whether the topology is still busy
 * (records handed to it, polls, the producer's sends not yet committed and its commits).
 *
 * <p>Why windows: a replay finds every input on the broker at once, while the platform met them as people and
 * machines sent them, each input's chain through the internal topics long settled before the next input of the same
 * user came. A vehicle's request for an AC (one internal hop to the user) then overtook the federation made by the
 * Send MSP token before it (two hops), on the user's internal partition where arrival order is all there is, and the
 * user decided it NO_SUBSCRIPTION_FOUND. Windows of input time give every chain the time it had: the window's inputs,
 * then their chains until nothing moves, then the next window.
 */
public final class InputWindows {
  /** An input partition held back at this offset, whose record there is stamped {@code timestamp}. */
  public record Held(long offset, long timestamp, java.util.Optional<Integer> leaderEpoch) {}

  private final Set<String> inputTopics;
  private volatile long horizon = Long.MIN_VALUE;
  final Map<TopicPartition, Held> held = new ConcurrentHashMap<>();
  final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  final AtomicLong polls = new AtomicLong();
  final AtomicLong handed = new AtomicLong();
  final AtomicLong uncommittedSends = new AtomicLong();
  final AtomicLong commits = new AtomicLong();
  /** The last offset the topology's producer wrote per partition (acknowledged). */
  final Map<TopicPartition, Long> written = new ConcurrentHashMap<>();

  public InputWindows(Set<String> inputTopics) {
    this.inputTopics = Set.copyOf(inputTopics);
  }

  boolean isInput(TopicPartition tp) {
    return inputTopics.contains(tp.topic());
  }

  /** Input records stamped at most this are handed to the topology. */
  public long horizon() {
    return horizon;
  }

  public void advanceTo(long horizon) {
    if (horizon < this.horizon) {
      throw new IllegalArgumentException("the horizon only moves forward");
    }
    this.horizon = horizon;
  }

  /** The earliest record time an input partition is held at, if any is held. */
  public java.util.OptionalLong nextHeld() {
    return held.values().stream().mapToLong(Held::timestamp).min();
  }

  public Map<TopicPartition, Held> held() {
    return Map.copyOf(held);
  }

  /** The consumer's position in each partition it had when it last polled. */
  public Map<TopicPartition, Long> positions() {
    return Map.copyOf(positions);
  }

  public long polls() {
    return polls.get();
  }

  /** Records the consumer handed to the topology so far (inputs and the topology's own topics). */
  public long handed() {
    return handed.get();
  }

  /** Records the topology's producer sent in the transaction now open (outputs, internal topics, changelogs). */
  public long uncommittedSends() {
    return uncommittedSends.get();
  }

  public long commits() {
    return commits.get();
  }
}
