package org.aidcmp.egress;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The flow of one command, in order: intake (decode; skip one already executed; a duplicate of one being called
 * waits for it) → lane (its MSP's, or deferred while that MSP has no room) → call → result (and dead letter) →
 * finished, which lets its offset commit ({@link OffsetCommits}).
 *
 * <p>Order of effects: result acknowledged by Kafka, then the command counts as executed, then its offset may
 * commit. A crash anywhere re-runs only commands without a result.
 */
final class CommandIntake {
  /** What to do when a result could not be written: stop the worker (a restart re-runs the command). */
  interface Failure {
    void stop(Throwable error);
  }

  private final AvroDeserializer<Aid1Outbound> commands;
  private final ExecutedCommands executed;
  private final CommandsInFlight inFlight;
  private final Map<String, MspLane> lanes;
  private final DeferredCommands deferred;
  private final MspRequests requests;
  private final ResultMapper mapper = new ResultMapper();
  private final EgressMetrics metrics;
  private final ResultWriter writer;
  private final OffsetCommits commits;
  private final Failure failure;
  /** True after a crash-like stop: nothing more is written. */
  private final BooleanSupplier abrupt;

  CommandIntake(AvroDeserializer<Aid1Outbound> commands, ExecutedCommands executed, CommandsInFlight inFlight,
                Map<String, MspLane> lanes, DeferredCommands deferred, MspRequests requests, EgressMetrics metrics,
                ResultWriter writer, OffsetCommits commits, Failure failure, BooleanSupplier abrupt) {
    this.commands = commands;
    this.executed = executed;
    this.inFlight = inFlight;
    this.lanes = lanes;
    this.deferred = deferred;
    this.requests = requests;
    this.metrics = metrics;
    this.writer = writer;
    this.commits = commits;
    this.failure = failure;
    this.abrupt = abrupt;
  }

  /**
   * Takes one command, read now or read back from the deferred backlog. When its MSP's queue is full, or that
   * MSP already has deferred commands (which go first, to keep each user's order), it is deferred; the
   * partition goes on. False only for a read-back command that could not be queued after all.
   */
  boolean take(TopicPartition tp, ConsumerRecord<String, byte[]> record, boolean readBack) {
    MspCommand command;
    try {
      command = MspCommand.of(commands.deserialize(record.topic(), record.value()));
    } catch (RuntimeException unreadable) {
      writer.deadLetter(record, null, "unreadable command: " + unreadable.getMessage(), unreadable.getClass().getName(), 0)
          .whenComplete((ok, error) -> finish(tp, record.offset(), null, error));
      return true;
    }
    if (executed.contains(command.commandId())) {
      commits.finished(tp, record.offset());
      return true;
    }
    CompletableFuture<Void> running = inFlight.running(command.commandId());
    if (running != null) {
      // Done when the first is done; if the first is abandoned this offset stays unfinished and re-runs later.
      running.thenRun(() -> commits.finished(tp, record.offset()));
      return true;
    }
    MspLane lane = lanes.get(command.mspId());
    if (lane == null) {
      complete(tp, record, command, mapper.cannotCall(command, "unknown MSP " + command.mspId()));
      return true;
    }
    if (!readBack && deferred.has(lane.msp().id())) {
      deferred.defer(lane.msp().id(), new DeferredCommands.Position(tp, record.offset()));
      return true;
    }
    MspLane.Job job = new MspLane.Job(requests.build(lane.msp(), command), command.mspToken());
    inFlight.start(command.commandId(), tp, job);
    if (!lane.offer(job)) {
      inFlight.withdraw(command.commandId(), tp, job);
      if (readBack) {
        return false;
      }
      deferred.defer(lane.msp().id(), new DeferredCommands.Position(tp, record.offset()));
      return true;
    }
    long takenAt = System.nanoTime();
    job.outcome().thenAccept(outcome -> called(tp, record, command, outcome, takenAt));
    return true;
  }

  /** A dead letter for a command that can no longer be called (e.g. a deferred one retention removed). */
  void giveUp(TopicPartition tp, ConsumerRecord<String, byte[]> record, String reason) {
    writer.deadLetter(record, null, reason, null, 0).whenComplete((ok, error) -> finish(tp, record.offset(), null, error));
  }

  private void called(TopicPartition tp, ConsumerRecord<String, byte[]> record, MspCommand command, CallOutcome outcome,
                      long takenAt) {
    if (outcome.failure() instanceof CancellationException) {
      inFlight.abandoned(command.commandId());
      return;
    }
    try {
      ResultMapper.Mapped mapped = mapper.map(command, outcome);
      metrics.outcome(command, outcome, mapped.result().getPayload(), Duration.ofNanos(System.nanoTime() - takenAt));
      complete(tp, record, command, mapped);
    } catch (RuntimeException e) {
      finish(tp, record.offset(), command.commandId(), e); // stops the worker: a restart re-runs the command
    }
  }

  private void complete(TopicPartition tp, ConsumerRecord<String, byte[]> record, MspCommand command,
                        ResultMapper.Mapped mapped) {
    if (abrupt.getAsBoolean()) {
      return;
    }
    writer.result(record, command, mapped).whenComplete((ok, error) -> {
      if (error == null) {
        executed.add(command.commandId());
      }
      finish(tp, record.offset(), command.commandId(), error);
    });
  }

  private void finish(TopicPartition tp, long offset, String commandId, Throwable error) {
    if (error != null) {
      // Without the result written the command must not count as done: stop, a restart re-runs it.
      if (!abrupt.getAsBoolean()) {
        failure.stop(error);
      }
      return;
    }
    commits.finished(tp, offset);
    if (commandId != null) {
      inFlight.finished(commandId);
    }
  }
}
