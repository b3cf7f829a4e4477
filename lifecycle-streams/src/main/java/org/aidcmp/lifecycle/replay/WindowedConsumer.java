package org.aidcmp.lifecycle.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The replay's main consumer: Kafka Streams' own, except that an input partition's records stamped past the
 * {@link InputWindows#horizon()} are not handed on. The partition is sought back to the first of them and paused
 * until the horizon passes it, so the consumer's position (and the next offset Streams commits) stays at that
 * record: nothing is skipped, nothing read twice. Kafka Streams' own pauses (a full buffer) are kept apart from the
 * replay's, so neither resumes what the other paused.
 */
final class WindowedConsumer extends KafkaConsumer<byte[], byte[]> {
  private final InputWindows windows;
  /** What Kafka Streams paused itself. */
  private final Set<TopicPartition> pausedByStreams = new HashSet<>();

  WindowedConsumer(Map<String, Object> config, InputWindows windows) {
    super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.windows = windows;
  }

  @Override
  public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    release();
    ConsumerRecords<byte[], byte[]> got = super.poll(timeout);
    long horizon = windows.horizon();
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> kept = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>(got.nextOffsets());
    long handed = 0;
    for (TopicPartition tp : got.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> records = got.records(tp);
      int upTo = records.size();
      if (windows.isInput(tp)) {
        for (int i = 0; i < records.size(); i++) {
          if (records.get(i).timestamp() > horizon) {
            upTo = i;
            break;
          }
        }
      }
      if (upTo < records.size()) {
        ConsumerRecord<byte[], byte[]> first = records.get(upTo);
        super.seek(tp, new OffsetAndMetadata(first.offset(), first.leaderEpoch(), ""));
        super.pause(List.of(tp));
        windows.held.put(tp, new InputWindows.Held(first.offset(), first.timestamp(), first.leaderEpoch()));
        next.put(tp, new OffsetAndMetadata(first.offset(), first.leaderEpoch(), ""));
      }
      if (upTo > 0) {
        kept.put(tp, new ArrayList<>(records.subList(0, upTo)));
        handed += upTo;
      }
    }
    notePositions();
    windows.handed.addAndGet(handed);
    windows.polls.incrementAndGet();
    return new ConsumerRecords<>(kept, next);
  }

  /** Resumes the held partitions the horizon has passed (unless Kafka Streams paused them itself). */
  private void release() {
    Set<TopicPartition> assigned = assignment();
    List<TopicPartition> resume = new ArrayList<>();
    for (var e : windows.held.entrySet()) {
      if (!assigned.contains(e.getKey())) {
        windows.held.remove(e.getKey()); // revoked: whoever takes it starts from the committed offset
      } else if (e.getValue().timestamp() <= windows.horizon()) {
        windows.held.remove(e.getKey());
        if (!pausedByStreams.contains(e.getKey())) {
          resume.add(e.getKey());
        }
      }
    }
    if (!resume.isEmpty()) {
      super.resume(resume);
    }
  }

  private void notePositions() {
    for (TopicPartition tp : assignment()) {
      InputWindows.Held h = windows.held.get(tp);
      if (h != null) {
        windows.positions.put(tp, h.offset());
        continue;
      }
      try {
        windows.positions.put(tp, super.position(tp, Duration.ZERO));
      } catch (RuntimeException notKnownYet) {
        windows.positions.remove(tp);
      }
    }
    windows.positions.keySet().retainAll(assignment());
  }

  @Override
  public void pause(Collection<TopicPartition> partitions) {
    pausedByStreams.addAll(partitions);
    super.pause(partitions);
  }

  @Override
  public void resume(Collection<TopicPartition> partitions) {
    pausedByStreams.removeAll(partitions);
    List<TopicPartition> notHeld = partitions.stream().filter(tp -> !windows.held.containsKey(tp)).toList();
    super.resume(notHeld);
  }

  /** What Kafka Streams paused: the replay's holds are its own business. */
  @Override
  public Set<TopicPartition> paused() {
    Set<TopicPartition> paused = new HashSet<>(super.paused());
    paused.retainAll(pausedByStreams);
    return paused;
  }
}
