package org.aidcmp.infra.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code aid drill streams-kill}: lifecycle-streams in a process of its own ({@code aid run lifecycle-streams}
 * against the drill platform's broker and registry, {@link ServiceProcess}), the rest of the platform in the drill's
 * JVM. Each round kills it with SIGKILL under load (its open transaction left to be aborted, nothing closed) and,
 * after the outage, starts a new process with the same application id and instance id (static membership): the
 * first round on the same state directory, the second on a fresh one, so its stores are restored from their
 * changelogs. Reports, per round, the time from the kill to the new instance ready (RUNNING, no store restoring)
 * and to the first lifecycle event it committed (read_committed, so the old instance's aborted writes are not it).
 */
final class StreamsKill implements DrillFault {
  static final String NAME = "streams-kill";
  private static final Duration START_BOUND = Duration.ofMinutes(3);

  /** One kill and restart: when (nanoTime) it was killed, the new process started and was ready. */
  private record Recovery(int round, long killed, long started, long ready) {}

  private final PrintStream out;
  private final Path data;
  private final ServiceProcess child;
  private final List<Recovery> recoveries = new ArrayList<>();
  private long killed;
  private long killedPid;

  StreamsKill(LocalPlatform platform, PrintStream out) throws java.io.IOException {
    this.out = out;
    this.data = Path.of(platform.config().require("aid.data.dir")).toAbsolutePath();
    // The log beside the data directory, which the drill removes: kept for a look after a failed run.
    this.child = new ServiceProcess(AidService.LIFECYCLE_STREAMS, platform.config(),
        data.resolve("lifecycle-streams.properties"), data.resolveSibling(data.getFileName() + "-lifecycle-streams.log"),
        "768m");
  }

  @Override
  public String what() {
    return "lifecycle-streams killed (SIGKILL of its process), restarted after the outage with the same "
        + "application id: round 1 on its state directory, round 2 on a fresh one (restored from the changelogs)";
  }

  @Override
  public int rounds() {
    return 2;
  }

  private String stateDir(int round) {
    return data.resolve(round < 1 ? "lifecycle-streams-child" : "lifecycle-streams-child-fresh").toString();
  }

  @Override
  public void setUp() throws InterruptedException {
    long begin = System.nanoTime();
    child.start(Map.of("lifecycle.state-dir", stateDir(0)));
    child.awaitReady(START_BOUND);
    out.printf("aid drill %s: lifecycle-streams in its own process (pid %d), ready in %.1f s; its log: %s%n", NAME,
        child.pid(), seconds(System.nanoTime() - begin), child.log());
  }

  @Override
  public boolean ready() {
    return child.ready();
  }

  @Override
  public void begin(int round) throws InterruptedException {
    killedPid = child.pid();
    killed = System.nanoTime();
    child.kill9();
    out.printf("aid drill %s: kill -9 of lifecycle-streams (pid %d), round %d%n", NAME, killedPid, round + 1);
  }

  @Override
  public void end(int round) throws InterruptedException {
    String dir = stateDir(round);
    long started = System.nanoTime();
    child.start(Map.of("lifecycle.state-dir", dir));
    child.awaitReady(START_BOUND);
    long ready = System.nanoTime();
    recoveries.add(new Recovery(round + 1, killed, started, ready));
    out.printf("aid drill %s: lifecycle-streams restarted (pid %d, %s state directory), ready %.1f s after the kill%n",
        NAME, child.pid(), round < 1 ? "the same" : "a fresh", seconds(ready - killed));
  }

  @Override
  public void report(Run run) {
    out.println("  lifecycle-streams kill -9 and restart, from the kill (s):");
    for (Recovery r : recoveries) {
      OptionalLong first = run.tracker().firstReadFrom(r.started());
      String decision = first.isPresent() ? String.format("%.1f", seconds(first.getAsLong() - r.killed())) : "none";
      out.printf("    round %d (%s state directory): restart begun %.1f, ready (RUNNING, restored) %.1f, "
              + "first decision (lifecycle event) %s%n", r.round(), r.round() == 1 ? "same" : "fresh",
          seconds(r.started() - r.killed()), seconds(r.ready() - r.killed()), decision);
      String key = "streams_kill_round" + r.round() + "_";
      run.figures().put(key + "ready_s", seconds(r.ready() - r.killed()));
      run.figures().put(key + "first_decision_s", first.isPresent() ? seconds(first.getAsLong() - r.killed()) : null);
    }
  }

  @Override
  public void close() throws InterruptedException {
    child.close();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
