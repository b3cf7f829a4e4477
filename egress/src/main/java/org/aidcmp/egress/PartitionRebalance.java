package org.aidcmp.egress;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partitions moving between workers. Before one goes: no new attempt starts for its commands, attempts on the
 * wire get their budget ({@link EgressSettings#attemptTimeout()}) + 2 s to end and have their results written,
 * then its offset commits, so the new owner finds them executed. When one comes: the executed log is read again,
 * since another worker may have written results for it since we last read.
 */
final class PartitionRebalance implements ConsumerRebalanceListener {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionRebalance.class);

  private final CommandsInFlight inFlight;
  private final OffsetCommits commits;
  private final DeferredCommands deferred;
  private final ExecutedCommands executed;
  private final Duration settleLimit;
  private final BooleanSupplier abrupt;

  PartitionRebalance(CommandsInFlight inFlight, OffsetCommits commits, DeferredCommands deferred,
                     ExecutedCommands executed, Duration attemptTimeout, BooleanSupplier abrupt) {
    this.inFlight = inFlight;
    this.commits = commits;
    this.deferred = deferred;
    this.executed = executed;
    this.settleLimit = attemptTimeout.plusSeconds(2);
    this.abrupt = abrupt;
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (!abrupt.getAsBoolean()) {
      settle(partitions);
      commits.commit(partitions);
    }
    commits.forget(partitions);
    deferred.forget(partitions);
  }

  private void settle(Collection<TopicPartition> partitions) {
    List<CompletableFuture<Void>> pending = inFlight.stop(partitions);
    try {
      CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).handle((ok, error) -> null)
          .get(settleLimit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("{} calls still on the wire while their partitions are revoked", pending.size());
    }
    inFlight.forget(partitions);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    executed.catchUp();
  }
}
