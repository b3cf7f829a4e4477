package org.aidcmp.egress;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Commands taken while their MSP's queue was full, held as positions in the outbound topic only, oldest first per
 * MSP, and read back from Kafka when that MSP has room. So a slow or dead MSP never pauses a partition: the
 * worker goes on with the other MSPs' commands behind it, and the backlog costs a position per command, not
 * the command. Offsets of deferred commands stay unfinished, so a crash re-reads them from the committed offset.
 *
 * <p>Used from the worker's polling thread only.
 */
final class DeferredCommands implements AutoCloseable {

  record Position(TopicPartition partition, long offset) {}

  private final KafkaConsumer<String, byte[]> reader;
  private final Map<String, ArrayDeque<Position>> byMsp = new HashMap<>();
  /** Written by the polling thread only; read by metrics and tests. */
  private volatile int size;

  DeferredCommands(EgressSettings settings) {
    this.reader = settings.groupLessReader("deferred", new ByteArrayDeserializer(), 500);
  }

  /** True while the MSP has deferred commands: its newer ones must queue behind them, to keep each user's order. */
  boolean has(String mspId) {
    ArrayDeque<Position> backlog = byMsp.get(mspId);
    return backlog != null && !backlog.isEmpty();
  }

  void defer(String mspId, Position position) {
    byMsp.computeIfAbsent(mspId, unused -> new ArrayDeque<>()).addLast(position);
    size++;
  }

  /** Back to the head, in order: they were read back but could not be queued after all. */
  void putBack(String mspId, List<Position> positions) {
    ArrayDeque<Position> backlog = byMsp.computeIfAbsent(mspId, unused -> new ArrayDeque<>());
    for (int i = positions.size() - 1; i >= 0; i--) {
      backlog.addFirst(positions.get(i));
    }
    size += positions.size();
  }

  int size() {
    return size;
  }

  Map<String, Integer> sizeByMsp() {
    Map<String, Integer> sizes = new HashMap<>();
    byMsp.forEach((msp, backlog) -> sizes.put(msp, backlog.size()));
    return sizes;
  }

  /** The partitions went to another worker, which reads these commands from its committed offset. */
  void forget(Collection<TopicPartition> revoked) {
    for (ArrayDeque<Position> backlog : byMsp.values()) {
      Iterator<Position> it = backlog.iterator();
      while (it.hasNext()) {
        if (revoked.contains(it.next().partition())) {
          it.remove();
          size--;
        }
      }
    }
  }

  /**
   * A deferred command read back: its record, or null when the log no longer has it (retention deleted it
   * while its MSP was down), which the worker reports as a dead letter rather than lose silently.
   */
  record ReadBack(Position position, ConsumerRecord<String, byte[]> record) {}

  /**
   * Reads back up to {@code max} of the MSP's oldest deferred commands and takes them off the backlog, in
   * order. Stops at the first one not read within {@code limit}; it and those after it stay at the head.
   */
  List<ReadBack> takeOldest(String mspId, int max, Duration limit) {
    ArrayDeque<Position> backlog = byMsp.get(mspId);
    if (backlog == null || backlog.isEmpty() || max <= 0) {
      return List.of();
    }
    List<Position> wanted = new ArrayList<>();
    Iterator<Position> it = backlog.iterator();
    while (it.hasNext() && wanted.size() < max) {
      wanted.add(it.next());
    }
    Map<Position, ConsumerRecord<String, byte[]>> found = new HashMap<>();
    Set<Position> gone = read(wanted, limit, found);
    List<ReadBack> taken = new ArrayList<>();
    for (Position position : wanted) {
      ConsumerRecord<String, byte[]> record = found.get(position);
      if (record == null && !gone.contains(position)) {
        break;
      }
      taken.add(new ReadBack(position, record));
      backlog.removeFirst();
      size--;
    }
    return taken;
  }

  /**
   * Puts the records at these positions into {@code found}, as many as can be read within the limit; returns
   * the positions a partition was read past without finding them.
   */
  private Set<Position> read(List<Position> wanted, Duration limit, Map<Position, ConsumerRecord<String, byte[]>> found) {
    Map<TopicPartition, Long> from = new HashMap<>();
    Map<TopicPartition, Long> to = new HashMap<>();
    Set<Position> missing = new HashSet<>(wanted);
    for (Position p : wanted) {
      from.merge(p.partition(), p.offset(), Math::min);
      to.merge(p.partition(), p.offset(), Math::max);
    }
    reader.assign(from.keySet());
    from.forEach(reader::seek);
    long deadline = System.nanoTime() + limit.toNanos();
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(50))) {
        Position at = new Position(new TopicPartition(record.topic(), record.partition()), record.offset());
        if (missing.remove(at)) {
          found.put(at, record);
        }
      }
      // A partition read past its last wanted offset has nothing more to give; stop fetching it.
      List<TopicPartition> done = new ArrayList<>();
      for (TopicPartition tp : reader.assignment()) {
        if (!reader.paused().contains(tp) && reader.position(tp) > to.get(tp)) {
          done.add(tp);
        }
      }
      reader.pause(done);
      if (missing.stream().allMatch(p -> reader.paused().contains(p.partition()))) {
        break;
      }
    }
    Set<Position> gone = new HashSet<>();
    for (Position p : missing) {
      if (reader.paused().contains(p.partition())) {
        gone.add(p);
      }
    }
    reader.resume(reader.paused());
    return gone;
  }

  @Override
  public void close() {
    reader.close(Duration.ZERO);
  }
}
