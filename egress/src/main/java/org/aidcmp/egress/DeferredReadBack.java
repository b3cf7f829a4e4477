package org.aidcmp.egress;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves deferred commands into their MSPs' queues as room frees, oldest first, and bounds the backlog: past
 * {@code maxDeferredCommands} every partition waits until it shrinks, which bounds memory when an MSP stays
 * dead for very long. Polling thread only.
 */
final class DeferredReadBack {
  private static final Logger LOG = LoggerFactory.getLogger(DeferredReadBack.class);
  private static final Duration READ_LIMIT = Duration.ofMillis(200);

  /** Pauses and resumes every assigned partition (the consumer's pause/resume). */
  interface Intake {
    void pauseAll();

    void resumeAll();
  }

  private final DeferredCommands deferred;
  private final Collection<MspLane> lanes;
  private final CommandIntake intake;
  private final OffsetCommits commits;
  private final int maxDeferred;
  private boolean pausedForBacklog;

  DeferredReadBack(DeferredCommands deferred, Collection<MspLane> lanes, CommandIntake intake, OffsetCommits commits,
                   int maxDeferred) {
    this.deferred = deferred;
    this.lanes = lanes;
    this.intake = intake;
    this.commits = commits;
    this.maxDeferred = maxDeferred;
  }

  void takeDeferred() {
    for (MspLane lane : lanes) {
      String mspId = lane.msp().id();
      int room = lane.room();
      if (room <= 0 || !deferred.has(mspId)) {
        continue;
      }
      List<DeferredCommands.ReadBack> readBack = deferred.takeOldest(mspId, Math.min(room, 500), READ_LIMIT);
      for (int i = 0; i < readBack.size(); i++) {
        DeferredCommands.ReadBack r = readBack.get(i);
        TopicPartition tp = r.position().partition();
        if (!commits.assigned(tp)) {
          continue; // revoked meanwhile: its new owner reads it from the committed offset
        }
        if (r.record() == null) {
          intake.giveUp(tp, new ConsumerRecord<>(tp.topic(), tp.partition(), r.position().offset(), null, null),
              "deferred command no longer in the log (retention) while its MSP " + mspId + " had no room");
        } else if (!intake.take(tp, r.record(), true)) {
          deferred.putBack(mspId, readBack.subList(i, readBack.size()).stream().map(DeferredCommands.ReadBack::position).toList());
          break;
        }
      }
    }
  }

  /** The backlog holds a position per command (tens of bytes); past the bound, every partition waits. */
  void bound(Intake partitions) {
    if (!pausedForBacklog && deferred.size() >= maxDeferred) {
      partitions.pauseAll();
      pausedForBacklog = true;
      LOG.warn("{} commands deferred for MSPs without room {}: taking no more until it shrinks",
          deferred.size(), deferred.sizeByMsp());
    } else if (pausedForBacklog && deferred.size() < maxDeferred) {
      partitions.resumeAll();
      pausedForBacklog = false;
    }
  }
}
