package org.aidcmp.ingress.aid2;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The messageIds of the uplink records recently on aid.aid2.uplink.v1, whoever wrote them: what lets a bridge
 * recognise a message the broker delivers again after another bridge (or this one's last connection) already
 * wrote its record. No I/O ({@link UplinkTail} fills it).
 *
 * <p>Kept per partition: every record written within {@code window} of the newest one seen, and in any case the
 * last {@code tailRecords} records. The window covers a bridge found dead late (its keep-alive ran out), the tail
 * a group that was all down for longer than the window (then what was in flight at its death is the last thing
 * on each partition). Thread-safe; each call holds one lock briefly.
 */
final class RecentMessageIds {
  private record Entry(String messageId, long timestamp) {}

  private static final class Partition {
    final ArrayDeque<Entry> entries = new ArrayDeque<>();
    long newest = Long.MIN_VALUE;
  }

  private final long windowMs;
  private final int tailRecords;
  private final Map<Integer, Partition> byPartition = new HashMap<>();
  /** messageId to where it was first seen, so an eviction only removes what it added. */
  private final Map<String, Entry> ids = new HashMap<>();

  RecentMessageIds(java.time.Duration window, int tailRecords) {
    if (window.isNegative() || tailRecords < 0) {
      throw new IllegalArgumentException("a repeat window and tail must not be negative");
    }
    this.windowMs = window.toMillis();
    this.tailRecords = tailRecords;
  }

  /**
   * A record is on the topic's {@code partition}, written at {@code timestamp} (epoch ms). The same
   * record may be added twice (the writer adds it on Kafka's acknowledgement, the tail when it reads it).
   */
  synchronized void add(int partition, String messageId, long timestamp) {
    Entry known = ids.get(messageId);
    if (known != null) {
      return;
    }
    Entry entry = new Entry(messageId, timestamp);
    ids.put(messageId, entry);
    Partition log = byPartition.computeIfAbsent(partition, p -> new Partition());
    log.entries.addLast(entry);
    // Timestamps are the writers' clocks: evict against the newest record seen on the partition, not this
    // machine's clock, so a quiet partition keeps what it has (and memory grows only with what is written).
    log.newest = Math.max(log.newest, timestamp);
    while (log.entries.size() > tailRecords && log.entries.peekFirst().timestamp() < log.newest - windowMs) {
      Entry old = log.entries.removeFirst();
      ids.remove(old.messageId(), old);
    }
  }

  synchronized boolean contains(String messageId) {
    return ids.containsKey(messageId);
  }

  synchronized int size() {
    return ids.size();
  }
}
