package org.aidcmp.infra.launcher.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.aidcmp.infra.vehicle.Fleet;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;

/**
 * The steady load of a fault drill: every vehicle, one flow at a time, logs in a user none of whose profiles it
 * holds (a car provisioning flow, §4.3; a swap when the user's pool at the MSP is full, §4.3.1), waits for the
 * flow's outcome, pauses, logs the user out (§4.9), pauses, and again, until told to stop starting flows. Each
 * login is kept with its start time, its user's MSP and how it ended, for {@link DrillLedger} to count.
 */
public final class DrillLoad implements AutoCloseable {

  /** One login a vehicle started: when (nanoTime), for which user at which MSP, and its outcome (null: none came). */
  public record Flow(String vin, String cmpUserId, String mspId, long startNanos, Outcome outcome) {}

  private final Fleet fleet;
  private final Map<String, String> mspOfUser;
  private final List<String> users;
  private final Duration pause;
  private final Duration outcomeWait;
  private final List<Flow> flows = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ExecutorService loops;
  private volatile boolean starting = true;

  /**
   * {@code mspOfUser}: every user the load logs in, with the MSP they are federated with; {@code flowDeadline}:
   * the vehicles' own deadline (a login waits that long plus a margin for its outcome).
   */
  public DrillLoad(Fleet fleet, Map<String, String> mspOfUser, Duration pause, Duration flowDeadline) {
    this.fleet = fleet;
    this.mspOfUser = Map.copyOf(mspOfUser);
    this.users = List.copyOf(new java.util.TreeSet<>(mspOfUser.keySet()));
    this.pause = pause;
    this.outcomeWait = flowDeadline.plusSeconds(30);
    this.loops = Executors.newFixedThreadPool(fleet.vehicles().size(), r -> {
      Thread t = new Thread(r, "drill-load");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts one loop per vehicle. */
  public void start() {
    int i = 0;
    for (SimulatedVehicle v : fleet.vehicles()) {
      long seed = 31L * i++;
      loops.execute(() -> loop(v, new SplittableRandom(seed)));
    }
  }

  private void loop(SimulatedVehicle v, SplittableRandom random) {
    while (starting) {
      Set<String> held = new HashSet<>();
      v.profiles().forEach(p -> held.add(p.cmpUserId()));
      List<String> candidates = users.stream().filter(u -> !held.contains(u)).toList();
      if (candidates.isEmpty() && !sleep(random)) {
        return;
      }
      if (candidates.isEmpty()) {
        continue;
      }
      String user = candidates.get(random.nextInt(candidates.size()));
      long start = System.nanoTime();
      inFlight.incrementAndGet();
      Outcome outcome = null;
      try {
        outcome = v.login(user).get(outcomeWait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // no outcome: the ledger counts it as lost
      } finally {
        flows.add(new Flow(v.vin(), user, mspOfUser.get(user), start, outcome));
        inFlight.decrementAndGet();
      }
      if (Thread.currentThread().isInterrupted() || !sleep(random)) {
        return;
      }
      boolean enabled = v.profiles().stream().anyMatch(p -> p.cmpUserId().equals(user)
          && p.status() == org.aidcmp.schemas.common.VehicleProfileStatus.ENABLED);
      if (enabled) {
        try {
          v.logout(user).get(outcomeWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (ExecutionException | TimeoutException e) {
          // a logout is not counted; the next login of this vehicle disables it anyway
        }
      }
      if (!sleep(random)) {
        return;
      }
    }
  }

  private boolean sleep(SplittableRandom random) {
    try {
      Thread.sleep(1 + random.nextLong(Math.max(1, pause.toMillis())));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** No vehicle starts another flow; the ones under way go on to their outcome. */
  public void stopStarting() {
    starting = false;
  }

  /** Waits, at most {@code atMost}, for every loop to end (after {@link #stopStarting()}); whether they did. */
  public boolean awaitIdle(Duration atMost) throws InterruptedException {
    loops.shutdown();
    return loops.awaitTermination(atMost.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Logins under way now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Every login started so far that has ended (with an outcome or without), in the order they ended. */
  public List<Flow> flows() {
    synchronized (flows) {
      return new ArrayList<>(flows);
    }
  }

  @Override
  public void close() {
    starting = false;
    loops.shutdownNow();
  }
}
