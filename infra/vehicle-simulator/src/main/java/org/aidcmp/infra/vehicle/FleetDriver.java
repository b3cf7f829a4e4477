package org.aidcmp.infra.vehicle;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Drives a fleet for a while as drivers would: each vehicle, after a pause, either logs its current user out or
 * logs a random user in (the user's profile downloaded on the first login to that vehicle), and again, until the
 * run's time is up; then it waits for the flows still running (each bounded by its deadline). Reports progress
 * at a fixed period. What happened is in the fleet's {@link Outcomes}.
 */
public final class FleetDriver {

  /** How long, with which users, how long a vehicle pauses between flows (uniform in 0..maxPause). */
  public record Plan(Duration duration, List<String> users, Duration maxPause, long seed) {
    public Plan {
      if (users.isEmpty()) {
        throw new IllegalArgumentException("a run needs at least one user");
      }
      users = List.copyOf(users);
    }
  }

  /** Where a run stands: time elapsed, flows ended (and how many of them succeeded), flows running now. */
  public record Progress(Duration elapsed, int ended, int succeeded, int running) {}

  private final Fleet fleet;

  public FleetDriver(Fleet fleet) {
    this.fleet = fleet;
  }

  /** Runs the plan; returns once every flow started has ended, or its deadline passed. */
  public void run(Plan plan, Duration progressEvery, Consumer<Progress> progress) throws InterruptedException {
    long begin = System.nanoTime();
    long end = begin + plan.duration().toNanos();
    RandomGenerator pick = new java.util.SplittableRandom(plan.seed()); // used under its own lock
    AtomicInteger running = new AtomicInteger();
    Map<String, String> loggedIn = new ConcurrentHashMap<>();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fleet-driver");
      t.setDaemon(true);
      return t;
    });
    List<SimulatedVehicle> vehicles = fleet.vehicles();
    CompletableFuture<?>[] done = new CompletableFuture<?>[vehicles.size()];
    try {
      for (int i = 0; i < vehicles.size(); i++) {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        done[i] = finished;
        next(vehicles.get(i), plan, end, pick, loggedIn, running, scheduler, finished);
      }
      CompletableFuture<Void> all = CompletableFuture.allOf(done);
      long limit = end + fleet.settings().flowDeadline().toNanos() * 2;
      while (!all.isDone() && System.nanoTime() < limit) {
        long wait = Math.min(progressEvery.toMillis(), Math.max(1, (limit - System.nanoTime()) / 1_000_000));
        try {
          all.get(wait, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
          // report and keep waiting
        }
        Outcomes outcomes = fleet.outcomes();
        progress.accept(new Progress(Duration.ofNanos(System.nanoTime() - begin), outcomes.size(),
            outcomes.matching(o -> o.result().success()).size(), running.get()));
      }
    } finally {
      scheduler.shutdownNow();
    }
  }

  private void next(SimulatedVehicle vehicle, Plan plan, long end, RandomGenerator random,
                    Map<String, String> loggedIn, AtomicInteger running, ScheduledExecutorService scheduler,
                    CompletableFuture<Void> finished) {
    long pause;
    synchronized (random) {
      pause = plan.maxPause().isZero() ? 0 : random.nextLong(plan.maxPause().toMillis() + 1);
    }
    if (System.nanoTime() + pause * 1_000_000 >= end) {
      finished.complete(null);
      return;
    }
    scheduler.schedule(() -> {
      String current = loggedIn.get(vehicle.vin());
      String user;
      synchronized (random) {
        user = plan.users().get(random.nextInt(plan.users().size()));
      }
      running.incrementAndGet();
      CompletableFuture<Outcome> flow = current != null ? vehicle.logout(current) : vehicle.login(user);
      flow.whenComplete((outcome, error) -> {
        running.decrementAndGet();
        if (outcome != null) {
          boolean in = outcome.flow() == Outcome.Flow.LOGIN && outcome.result().success();
          boolean stillIn = outcome.flow() == Outcome.Flow.LOGOUT && outcome.result() == Outcome.Result.DISABLE_FAILED;
          if (in) {
            loggedIn.put(vehicle.vin(), user);
          } else if (!stillIn) {
            loggedIn.remove(vehicle.vin());
          }
        }
        next(vehicle, plan, end, random, loggedIn, running, scheduler, finished);
      });
    }, pause, TimeUnit.MILLISECONDS);
  }
}
