package org.aidcmp.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetCommitsTest {
  private static final TopicPartition P0 = new TopicPartition("outbound", 0);
  private static final TopicPartition P1 = new TopicPartition("outbound", 1);

  private final List<Map<TopicPartition, OffsetAndMetadata>> committed = new ArrayList<>();
  private final OffsetCommits commits = new OffsetCommits(committed::add);

  @Test
  void commitsEachPartitionUpToItsLowestUnfinishedCommandAndOnlyWhenItMoved() {
    commits.taken(P0, 5);
    commits.taken(P0, 6);
    commits.taken(P1, 9);
    commits.finished(P0, 6); // 5 still runs: nothing past it may commit
    commits.finished(P1, 9);

    commits.commit(commits.partitions());
    assertThat(committed).containsExactly(Map.of(P0, new OffsetAndMetadata(5), P1, new OffsetAndMetadata(10)));
    assertThat(commits.inFlight()).isEqualTo(1);

    commits.commit(commits.partitions());
    assertThat(committed).hasSize(1); // nothing moved

    commits.finished(P0, 5);
    commits.commit(List.of(P0));
    assertThat(committed.get(1)).isEqualTo(Map.of(P0, new OffsetAndMetadata(7)));
  }

  @Test
  void aRevokedPartitionIsForgottenAndItsLateFinishesChangeNothing() {
    commits.taken(P0, 1);
    commits.forget(List.of(P0));
    commits.finished(P0, 1);
    assertThat(commits.assigned(P0)).isFalse();
    commits.commit(List.of(P0));
    assertThat(committed).isEmpty();
    assertThat(commits.inFlight()).isZero();
  }
}
