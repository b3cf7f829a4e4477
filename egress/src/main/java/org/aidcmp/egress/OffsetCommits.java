package org.aidcmp.egress;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Per assigned partition, the commands taken and not finished ({@link PartitionProgress}); an offset commits
 * only up to the lowest unfinished command, so a crash re-reads at most what had no result yet.
 */
final class OffsetCommits {
  private final Map<TopicPartition, PartitionProgress> progress = new ConcurrentHashMap<>();
  private final Consumer<Map<TopicPartition, OffsetAndMetadata>> committer;

  /** {@code committer} commits synchronously (the consumer's commitSync) or throws. */
  OffsetCommits(Consumer<Map<TopicPartition, OffsetAndMetadata>> committer) {
    this.committer = committer;
  }

  void taken(TopicPartition tp, long offset) {
    progress.computeIfAbsent(tp, unused -> new PartitionProgress()).taken(offset);
  }

  /** Finished (result written, or nothing to do); a revoked partition's finish changes nothing. */
  void finished(TopicPartition tp, long offset) {
    PartitionProgress p = progress.get(tp);
    if (p != null) {
      p.finished(offset);
    }
  }

  boolean assigned(TopicPartition tp) {
    return progress.containsKey(tp);
  }

  Set<TopicPartition> partitions() {
    return progress.keySet();
  }

  /** Commits what moved since the last commit, for these partitions. */
  void commit(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      PartitionProgress p = progress.get(tp);
      long offset = p == null ? -1 : p.toCommit();
      if (offset >= 0) {
        offsets.put(tp, new OffsetAndMetadata(offset));
      }
    }
    if (!offsets.isEmpty()) {
      committer.accept(offsets);
      offsets.forEach((tp, o) -> {
        PartitionProgress p = progress.get(tp);
        if (p != null) {
          p.committed(o.offset());
        }
      });
    }
  }

  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(progress::remove);
  }

  /** Commands taken and not yet finished, over all partitions. */
  int inFlight() {
    return progress.values().stream().mapToInt(PartitionProgress::inFlight).sum();
  }
}
