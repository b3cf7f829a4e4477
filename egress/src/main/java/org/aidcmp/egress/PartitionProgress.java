package org.aidcmp.egress;

import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The offsets of one partition taken but not finished. Commands of many MSPs (or publishes acknowledged by the
 * MQTT broker) finish out of order; the offset to commit is the lowest unfinished one, so a crash re-runs at most
 * what was in flight. Used by the MSP worker and the vehicle downlink.
 */
public final class PartitionProgress {
  private final ConcurrentSkipListSet<Long> unfinished = new ConcurrentSkipListSet<>();
  private volatile long next = -1;
  private long committed = -1;

  public void taken(long offset) {
    unfinished.add(offset);
    next = Math.max(next, offset + 1);
  }

  public void finished(long offset) {
    unfinished.remove(offset);
  }

  /** The offset to commit if it moved since the last commit, else -1. */
  public long toCommit() {
    long candidate = next;
    Long lowest = unfinished.ceiling(Long.MIN_VALUE); // null when none: finishes race with this read
    if (lowest != null) {
      candidate = Math.min(candidate, lowest);
    }
    return candidate > committed ? candidate : -1;
  }

  /** Where reading must start again to take every unfinished offset: the lowest unfinished, else the next. */
  public long resumeAt() {
    Long lowest = unfinished.ceiling(Long.MIN_VALUE);
    return lowest == null ? next : Math.min(next, lowest);
  }

  public void committed(long offset) {
    committed = offset;
  }

  public int inFlight() {
    return unfinished.size();
  }
}
