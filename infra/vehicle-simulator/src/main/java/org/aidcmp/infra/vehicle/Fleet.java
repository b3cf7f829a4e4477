package org.aidcmp.infra.vehicle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aidcmp.schemas.aid2.wire.Aid2Json;

/**
 * Simulated vehicles sharing one SM-DP+, one pool of threads, one timer, one {@link Aid2Json} and one record of
 * {@link Outcomes}. Each vehicle has its own connection (client id = its VIN, its credentials) and its own
 * {@link Faults}. Closing the fleet disconnects every vehicle.
 */
public final class Fleet implements AutoCloseable {

  /** How a fleet behaves: how many pool threads, how long any flow or connect may take. */
  public record Settings(int threads, Duration flowDeadline) {
    public Settings {
      if (threads < 1) {
        throw new IllegalArgumentException("a fleet needs at least one thread");
      }
      if (flowDeadline == null || flowDeadline.isNegative() || flowDeadline.isZero()) {
        throw new IllegalArgumentException("a flow deadline is positive");
      }
    }

    public static Settings defaults() {
      return new Settings(Math.max(2, Runtime.getRuntime().availableProcessors() * 2), Duration.ofSeconds(60));
    }
  }

  private final Smdp smdp;
  private final Settings settings;
  private final Aid2Json json = new Aid2Json();
  private final Outcomes outcomes = new Outcomes();
  private final ExecutorService pool;
  private final ScheduledExecutorService timer;
  private final Map<String, SimulatedVehicle> vehicles = new ConcurrentHashMap<>();

  public Fleet(Smdp smdp, Settings settings) {
    this.smdp = smdp;
    this.settings = settings;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(settings.threads(), r -> daemon(r, "vehicle-" + n.incrementAndGet()));
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vehicle-timer"));
  }

  public Fleet(Smdp smdp) {
    this(smdp, Settings.defaults());
  }

  /** A new vehicle, not yet online (see {@link SimulatedVehicle#goOnline}). */
  public SimulatedVehicle add(SimulatedVehicle.Spec spec, VehicleConnection connection, Faults faults) {
    if (!connection.clientId().equals(spec.vin())) {
      throw new IllegalArgumentException("a vehicle's client id is its VIN: " + connection.clientId() + " is not "
          + spec.vin());
    }
    SimulatedVehicle vehicle = new SimulatedVehicle(spec, connection, smdp, faults, outcomes, json, pool, timer,
        settings.flowDeadline());
    if (vehicles.putIfAbsent(spec.vin(), vehicle) != null) {
      throw new IllegalArgumentException("the fleet has a vehicle " + spec.vin() + " already");
    }
    return vehicle;
  }

  public SimulatedVehicle add(SimulatedVehicle.Spec spec, VehicleConnection connection) {
    return add(spec, connection, new Faults());
  }

  /** Every vehicle online; completes when all are connected (each bounded by the flow deadline). */
  public CompletableFuture<Void> goOnline() {
    return CompletableFuture.allOf(vehicles.values().stream().map(SimulatedVehicle::goOnline)
        .toArray(CompletableFuture[]::new));
  }

  public SimulatedVehicle vehicle(String vin) {
    return vehicles.get(vin);
  }

  public List<SimulatedVehicle> vehicles() {
    return new ArrayList<>(vehicles.values());
  }

  public Outcomes outcomes() {
    return outcomes;
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public void close() {
    vehicles.values().parallelStream().forEach(SimulatedVehicle::close);
    pool.shutdown();
    timer.shutdownNow();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
