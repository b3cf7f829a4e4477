package org.aidcmp.egress;

import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The offsets of one partition taken but not finished. Commands of many MSPs finish out of order; the offset
 * to commit is the lowest unfinished one, so a crash re-runs at most what was in flight.
 */
final class PartitionProgress {
  private final ConcurrentSkipListSet<Long> unfinished = new ConcurrentSkipListSet<>();
  private volatile long next = -1;
  private long committed = -1;

  void taken(long offset) {
    unfinished.add(offset);
    next = Math.max(next, offset + 1);
  }

  void finished(long offset) {
    unfinished.remove(offset);
  }

  /** The offset to commit if it moved since the last commit, else -1. */
  long toCommit() {
    long candidate = next;
    Long lowest = unfinished.ceiling(Long.MIN_VALUE); // null when none: finishes race with this read
    if (lowest != null) {
      candidate = Math.min(candidate, lowest);
    }
    return candidate > committed ? candidate : -1;
  }

  void committed(long offset) {
    committed = offset;
  }

  int inFlight() {
    return unfinished.size();
  }
}
