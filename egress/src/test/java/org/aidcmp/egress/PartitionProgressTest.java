package org.aidcmp.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

  @Test
  void commitsOnlyUpToTheLowestUnfinishedOffset() {
    PartitionProgress p = new PartitionProgress();
    p.taken(10);
    p.taken(11);
    p.taken(12);
    p.finished(11);
    p.finished(12);
    assertThat(p.toCommit()).isEqualTo(10);
    p.committed(10);
    assertThat(p.toCommit()).isEqualTo(-1);
    p.finished(10);
    assertThat(p.toCommit()).isEqualTo(13);
  }

  @Test
  void aDeferredOffsetHoldsTheCommitWhileLaterOnesFinish() {
    PartitionProgress p = new PartitionProgress();
    p.taken(0);
    p.finished(0);
    p.taken(1); // deferred: its MSP's queue was full
    p.taken(2);
    p.finished(2);
    assertThat(p.toCommit()).isEqualTo(1);
    p.committed(1);
    p.finished(1);
    assertThat(p.toCommit()).isEqualTo(3);
  }

  @Test
  void retryAfterIsSecondsOrAnHttpDate() {
    assertThat(MspResponse.retryAfter("3")).contains(Duration.ofSeconds(3));
    assertThat(MspResponse.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ZERO);
    assertThat(MspResponse.retryAfter("soon")).isEmpty();
  }
}
