package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the bridge remembers of the uplink topic to write a redelivered message only once. */
class RecentMessageIdsTest {
  private static final long T = 1_700_000_000_000L;

  @Test
  void anIdAddedIsKnownOnlyOnceHoweverOftenAdded() {
    RecentMessageIds ids = new RecentMessageIds(Duration.ofMinutes(10), 0);
    ids.add(0, "m1", T);
    ids.add(0, "m1", T + 5); // the writer on Kafka's acknowledgement, then the tail reading it
    assertThat(ids.contains("m1")).isTrue();
    assertThat(ids.contains("m2")).isFalse();
    assertThat(ids.size()).isEqualTo(1);
  }

  @Test
  void keepsWhatIsWithinTheWindowOfTheNewestRecordOnItsPartition() {
    RecentMessageIds ids = new RecentMessageIds(Duration.ofSeconds(60), 0);
    ids.add(0, "old", T);
    ids.add(0, "recent", T + 30_000);
    ids.add(1, "other-partition", T);
    assertThat(ids.contains("old")).isTrue();
    ids.add(0, "new", T + 61_000);
    assertThat(ids.contains("old")).as("61 s before the newest on partition 0").isFalse();
    assertThat(ids.contains("recent")).isTrue();
    assertThat(ids.contains("new")).isTrue();
    assertThat(ids.contains("other-partition")).as("partition 1 saw nothing newer").isTrue();
  }

  @Test
  void keepsTheLastTailRecordsOfAPartitionHoweverOld() {
    RecentMessageIds ids = new RecentMessageIds(Duration.ZERO, 2);
    ids.add(3, "a", T);
    ids.add(3, "b", T + 1_000);
    ids.add(3, "c", T + 2_000);
    assertThat(ids.contains("a")).isFalse();
    assertThat(ids.contains("b")).isTrue();
    assertThat(ids.contains("c")).isTrue();
  }

  @Test
  void aWriterClockBehindTheOthersNeitherEvictsEarlyNorLate() {
    RecentMessageIds ids = new RecentMessageIds(Duration.ofSeconds(60), 0);
    ids.add(0, "ahead", T + 120_000);
    ids.add(0, "behind", T); // a bridge whose clock is 2 minutes slow: evicted after the next record
    ids.add(0, "next", T + 120_001);
    assertThat(ids.contains("ahead")).isTrue();
    assertThat(ids.contains("next")).isTrue();
    // Eviction goes in the order records were written: "behind" leaves once it is first and out of the window.
    ids.add(0, "later", T + 180_001);
    assertThat(ids.contains("ahead")).isFalse();
    assertThat(ids.contains("behind")).isFalse();
    assertThat(ids.contains("next")).isTrue();
  }

  @Test
  void refusesANegativeWindowOrTail() {
    assertThatThrownBy(() -> new RecentMessageIds(Duration.ofSeconds(-1), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RecentMessageIds(Duration.ZERO, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
