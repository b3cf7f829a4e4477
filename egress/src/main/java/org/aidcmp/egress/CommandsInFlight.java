package org.aidcmp.egress;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The commands being called now, by command id and by partition: a duplicate in the log waits for the first
 * instead of calling again, and a revoked partition's calls can be stopped and waited for. Each has a future
 * that completes when its result is written, or fails when it is abandoned (its partition went elsewhere).
 */
final class CommandsInFlight {
  private final Map<String, CompletableFuture<Void>> byCommand = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Map<MspLane.Job, CompletableFuture<Void>>> byPartition = new ConcurrentHashMap<>();

  /** The command's future if it is being called, else null. */
  CompletableFuture<Void> running(String commandId) {
    return byCommand.get(commandId);
  }

  /** Registers a call about to be queued; the future settles when its result is written or it is abandoned. */
  CompletableFuture<Void> start(String commandId, TopicPartition tp, MspLane.Job job) {
    CompletableFuture<Void> settled = new CompletableFuture<>();
    Map<MspLane.Job, CompletableFuture<Void>> jobs = byPartition.computeIfAbsent(tp, unused -> new ConcurrentHashMap<>());
    byCommand.put(commandId, settled);
    jobs.put(job, settled);
    settled.whenComplete((ok, error) -> jobs.remove(job));
    return settled;
  }

  /** The lane did not take it after all (queue full): as if it had never started. */
  void withdraw(String commandId, TopicPartition tp, MspLane.Job job) {
    byCommand.remove(commandId);
    Map<MspLane.Job, CompletableFuture<Void>> jobs = byPartition.get(tp);
    if (jobs != null) {
      jobs.remove(job);
    }
  }

  /** Its result is written: duplicates waiting for it are done too. */
  void finished(String commandId) {
    CompletableFuture<Void> waiting = byCommand.remove(commandId);
    if (waiting != null) {
      waiting.complete(null);
    }
  }

  /** No result: its partition went elsewhere before it was done; its new owner runs it. */
  void abandoned(String commandId) {
    CompletableFuture<Void> waiting = byCommand.remove(commandId);
    if (waiting != null) {
      waiting.completeExceptionally(new CancellationException("abandoned"));
    }
  }

  /** Starts no further attempt of these partitions' calls; returns what to wait for before their offsets commit. */
  List<CompletableFuture<Void>> stop(Collection<TopicPartition> partitions) {
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      byPartition.getOrDefault(tp, Map.of()).forEach((job, settled) -> {
        job.cancel();
        pending.add(settled);
      });
    }
    return pending;
  }

  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(byPartition::remove);
  }
}
