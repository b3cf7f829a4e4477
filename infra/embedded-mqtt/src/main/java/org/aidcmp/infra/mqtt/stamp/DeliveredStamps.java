package org.aidcmp.infra.mqtt.stamp;

/**
 * Which of this broker instance's stamps it has handed to a client: one bit per counter over a sliding range of
 * {@code capacity} counters (1 MiB of bits covers 8 million messages). A counter below the range is "cannot tell",
 * never "first": forgetting only costs the bridge a check, never a wrong mark.
 */
final class DeliveredStamps {
  private final long[] bits;
  private final long capacity;
  /** Counters below this are forgotten. */
  private long base = 1;

  DeliveredStamps(int capacityBits) {
    if (capacityBits < 64 || Integer.bitCount(capacityBits) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two of at least 64 bits");
    }
    this.bits = new long[capacityBits / 64];
    this.capacity = capacityBits;
  }

  /** Marks {@code counter} handed out; true only when it surely was not before. */
  synchronized boolean firstHandOut(long counter) {
    if (counter < base) {
      return false;
    }
    if (counter >= base + capacity) {
      long newBase = counter - capacity + 1;
      // Clear what leaves the range (at most the whole ring once).
      for (long c = base; c < Math.min(newBase, base + capacity); c++) {
        clear(c);
      }
      base = newBase;
    }
    int index = (int) ((counter % capacity) >>> 6);
    long mask = 1L << (counter & 63);
    boolean before = (bits[index] & mask) != 0;
    bits[index] |= mask;
    return !before;
  }

  private void clear(long counter) {
    bits[(int) ((counter % capacity) >>> 6)] &= ~(1L << (counter & 63));
  }
}
