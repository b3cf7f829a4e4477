package org.aidcmp.infra.vehicle;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one vehicle's tasks one at a time, in order, on a pool shared by the fleet: hundreds of vehicles need no
 * hundreds of threads, and a vehicle never sees two of its messages at once.
 */
final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
  /** Tasks run before the pool thread goes to another vehicle. */
  private static final int BATCH = 32;

  private final Executor pool;
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private boolean scheduled;

  SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      tasks.add(task);
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    submit();
  }

  private void submit() {
    try {
      pool.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        tasks.clear(); // the fleet is closing
        scheduled = false;
      }
    }
  }

  private void drain() {
    for (int i = 0; i < BATCH; i++) {
      Runnable task;
      synchronized (this) {
        task = tasks.poll();
        if (task == null) {
          scheduled = false;
          return;
        }
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("vehicle task failed", e);
      }
    }
    submit();
  }
}
