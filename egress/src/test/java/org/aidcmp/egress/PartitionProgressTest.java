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
  void aGivenBackOffsetIsReadAgainAndHoldsTheCommit() {
    PartitionProgress p = new PartitionProgress();
    p.taken(0);
    p.finished(0);
    p.taken(1);
    p.givenBack(1);
    assertThat(p.toCommit()).isEqualTo(1);
    assertThat(p.inFlight()).isZero();
  }

  @Test
  void retryAfterIsSecondsOrAnHttpDate() {
    assertThat(MspResponse.retryAfter("3")).contains(Duration.ofSeconds(3));
    assertThat(MspResponse.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ZERO);
    assertThat(MspResponse.retryAfter("soon")).isEmpty();
  }
}
