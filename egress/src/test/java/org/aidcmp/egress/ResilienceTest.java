package org.aidcmp.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aidcmp.infra.msp.Fault;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.msp.RecordedRequest;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Outages, a dead MSP beside a live one, a crash mid-retry and a full replay: every command done once. */
@ExtendWith(SharedKafka.class)
class ResilienceTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @Test
  void anMspDownForAWhileThenBackGetsEveryCommandExactlyOnce(SharedKafka.Endpoints kafka) throws Exception {
    try (Harness h = new Harness(kafka, "outage")) {
      h.startWorker(h.settings("outage").retryBudget(30, Duration.ofMillis(100), Duration.ofMillis(400)));
      h.sync.startOutage();
      Set<String> commands = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        commands.add(h.profileStatus("mspS", h.newUser(h.sync, 1), null));
      }
      Thread.sleep(1_500);
      assertThat(h.results()).isEmpty();
      h.sync.endOutage();
      Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, commands);
      assertExactlyOnce(h.sync, done, commands);
    }
  }

  @Test
  void aDeadMspDoesNotDelayALiveOne(SharedKafka.Endpoints kafka) throws Exception {
    try (Harness h = new Harness(kafka, "isolation")) {
      h.startWorker(h.settings("isolation").retryBudget(30, Duration.ofMillis(200), Duration.ofSeconds(1)));
      // mspA answers nothing within an attempt's budget (connect + call timeout, 7 s), every time; its commands
      // interleave with mspS's.
      h.async.faults().all(Fault.hang(Duration.ofSeconds(10)));
      Set<String> dead = new HashSet<>();
      Set<String> live = new HashSet<>();
      for (int i = 0; i < 10; i++) {
        dead.add(h.profileStatus("mspA", h.newUser(h.async, 1), null));
        live.add(h.profileStatus("mspS", h.newUser(h.sync, 1), null));
      }
      Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, live);
      // Every live command is done while not one of the dead MSP's is: nothing of mspA's stood in the way.
      assertThat(done.keySet()).doesNotContainAnyElementsOf(dead);
      assertExactlyOnce(h.sync, done, live);
      h.async.faults().clear();
    }
  }

  @Test
  void aDeadMspWithAFullQueueDefersItsCommandsAndHoldsNoPartitionForTheOthers(SharedKafka.Endpoints kafka)
      throws Exception {
    try (Harness h = new Harness(kafka, "deferral")) {
      // mspA's queue holds 2 and it answers nothing: the rest of its commands must wait as positions while
      // mspS's commands, behind them in the same two partitions, all go through.
      EgressWorker worker = h.startWorker(h.settings("deferral").perMsp(1, 2)
          .retryBudget(40, Duration.ofMillis(200), Duration.ofMillis(500)));
      h.async.faults().all(Fault.hang(Duration.ofSeconds(10)));
      Map<String, List<String>> deadByUser = new java.util.LinkedHashMap<>();
      Set<String> dead = new HashSet<>();
      Set<String> live = new HashSet<>();
      List<String> users = new ArrayList<>();
      for (int u = 0; u < 5; u++) {
        users.add(h.newUser(h.async, 1));
      }
      for (int round = 0; round < 4; round++) {
        for (String user : users) {
          String id = h.profileStatus("mspA", user, null);
          dead.add(id);
          deadByUser.computeIfAbsent(user, unused -> new ArrayList<>()).add(id);
          live.add(h.profileStatus("mspS", h.newUser(h.sync, 1), null));
        }
      }
      Map<String, List<Aid1Result>> liveDone = h.awaitResults(LIMIT, live);
      assertThat(liveDone.keySet()).doesNotContainAnyElementsOf(dead);
      assertThat(worker.deferred()).as("mspA's commands beyond its queue of 2 wait as positions").isGreaterThan(10);

      h.async.faults().clear();
      Set<String> all = new HashSet<>(dead);
      all.addAll(live);
      Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, all);
      assertExactlyOnce(h.async, done, dead);
      assertExactlyOnce(h.sync, done, live);
      assertThat(worker.deferred()).isZero();
      // Deferral kept each user's order: the MSP executed every user's commands in the order they were written.
      deadByUser.forEach((user, sent) -> assertThat(h.async.requests(r -> r.executed() && sent.contains(r.cmpRequestId()))
          .stream().map(RecordedRequest::cmpRequestId).toList()).as(user).isEqualTo(sent));
    }
  }

  @Test
  void aBacklogPastItsBoundStopsTakingUntilItShrinksAndLosesNothing(SharedKafka.Endpoints kafka) throws Exception {
    try (Harness h = new Harness(kafka, "backpressure")) {
      h.startWorker(h.settings("backpressure").perMsp(1, 2).maxDeferredCommands(3));
      h.async.faults().all(Fault.latency(Duration.ofMillis(150)));
      Set<String> commands = new HashSet<>();
      for (int i = 0; i < 8; i++) {
        commands.add(h.profileStatus("mspA", h.newUser(h.async, 1), null));
        commands.add(h.profileStatus("mspS", h.newUser(h.sync, 1), null));
      }
      Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, commands);
      Set<String> toA = new HashSet<>();
      Set<String> toS = new HashSet<>();
      for (String id : commands) {
        (h.async.requests(r -> id.equals(r.cmpRequestId())).isEmpty() ? toS : toA).add(id);
      }
      assertExactlyOnce(h.async, done, toA);
      assertExactlyOnce(h.sync, done, toS);
    }
  }

  @Test
  void aCrashMidRetryLosesNothingAndRunsNothingTwiceAlsoOnAFullReplay(SharedKafka.Endpoints kafka) throws Exception {
    try (Harness h = new Harness(kafka, "crash")) {
      EgressSettings settings = h.settings("crash").retryBudget(50, Duration.ofMillis(200), Duration.ofMillis(400));
      EgressWorker first = h.startWorker(settings);
      Set<String> before = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        before.add(h.profileStatus("mspS", h.newUser(h.sync, 1), null));
      }
      h.awaitResults(LIMIT, before);

      h.sync.faults().all(Fault.serverError(503));
      Set<String> during = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        during.add(h.profileStatus("mspS", h.newUser(h.sync, 1), null));
      }
      // Mid-retry: every new command has failed at least once.
      Harness.await(LIMIT, () -> during.stream().allMatch(id -> !h.sync.requests(r -> id.equals(r.cmpRequestId())).isEmpty()));
      first.closeAbruptly();
      int requestsAtCrash = settle(h.sync);
      assertThat(h.sync.requests(RecordedRequest::executed)).hasSize(5);
      h.sync.faults().clear();

      h.startWorker(settings);
      Set<String> all = new HashSet<>(before);
      all.addAll(during);
      Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, all);
      assertExactlyOnce(h.sync, done, all);
      assertThat(h.sync.requests().size()).isEqualTo(requestsAtCrash + during.size());

      // A full replay of the outbound topic (a new group from the start) calls nothing and writes nothing.
      int requestsBeforeReplay = h.sync.requests().size();
      EgressWorker replay = h.startWorker(h.settings("crash-replay"));
      Harness.await(LIMIT, () -> replay.inFlight() == 0 && committedAll(h, "crash-replay", all.size()));
      assertThat(h.sync.requests()).hasSize(requestsBeforeReplay);
      assertThat(h.results()).hasSize(all.size());
    }
  }

  @Test
  void aRebalanceMidRetryHandsCommandsOverWithoutRunningAnyTwice(SharedKafka.Endpoints kafka) throws Exception {
    try (Harness h = new Harness(kafka, "rebalance")) {
      EgressSettings settings = h.settings("rebalance").retryBudget(50, Duration.ofMillis(100), Duration.ofMillis(300));
      h.startWorker(settings);
      h.sync.faults().all(Fault.serverError(503));
      Set<String> commands = new HashSet<>();
      int[] perPartition = new int[2];
      while (perPartition[0] < 4 || perPartition[1] < 4) {
        // Four users on each of the two partitions, so each worker surely gets commands after the rebalance.
        String token = java.util.UUID.randomUUID().toString();
        int partition = org.apache.kafka.common.utils.Utils.toPositive(
            org.apache.kafka.common.utils.Utils.murmur2(token.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 2;
        if (perPartition[partition] < 4) {
          perPartition[partition]++;
          h.sync.createUser(token, 1);
          commands.add(h.profileStatus("mspS", token, null));
        }
      }
      Harness.await(LIMIT, () -> commands.stream().allMatch(id -> !h.sync.requests(r -> id.equals(r.cmpRequestId())).isEmpty()));
      // A second worker joins the group: the first gives up its partitions while their commands are retrying.
      EgressWorker second = h.startWorker(settings);
      Harness.await(LIMIT, () -> second.inFlight() > 0);
      h.sync.faults().clear();
      Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, commands);
      assertExactlyOnce(h.sync, done, commands);
    }
  }

  @Test
  void aRestartOnItsStateDirectoryReadsOnlyNewResultsAndStillRunsNothingTwice(SharedKafka.Endpoints kafka,
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path state) throws Exception {
    try (Harness h = new Harness(kafka, "state")) {
      EgressSettings settings = h.settings("state").stateDir(state);
      EgressWorker first = h.startWorker(settings);
      Set<String> before = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        before.add(h.profileStatus("mspS", h.newUser(h.sync, 1), null));
      }
      h.awaitResults(LIMIT, before);
      first.close();
      assertThat(first.executedLogRecordsRead()).as("at its stop it read its own results into its store")
          .isEqualTo(before.size());

      // The same commands again (as a replay would bring them) and new ones, to a restarted worker.
      int requestsBefore = h.sync.requests().size();
      EgressWorker second = h.startWorker(h.settings("state-after").stateDir(state));
      Harness.await(LIMIT, () -> second.inFlight() == 0);
      assertThat(second.executedLogRecordsRead()).as("the restart had no result left to read").isZero();
      Set<String> after = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        after.add(h.profileStatus("mspS", h.newUser(h.sync, 1), null));
      }
      Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, after);
      Harness.await(LIMIT, () -> second.inFlight() == 0);
      Set<String> all = new HashSet<>(before);
      all.addAll(after);
      assertExactlyOnce(h.sync, h.awaitResults(LIMIT, all), all);
      assertThat(h.sync.requests()).hasSize(requestsBefore + after.size());
      assertThat(done.keySet()).containsAll(after);
    }
  }

  /** Waits until the simulator's request log stops growing (attempts on the wire at the crash have landed). */
  private static int settle(MspSimulator msp) throws InterruptedException {
    int last = -1;
    while (last != msp.requests().size()) {
      last = msp.requests().size();
      Thread.sleep(700);
    }
    return last;
  }

  private static boolean committedAll(Harness h, String group, int records) {
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", h.endpoints.bootstrapServers()))) {
      var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      return offsets.values().stream().filter(o -> o != null).mapToLong(o -> o.offset()).sum() == records;
    } catch (Exception e) {
      return false;
    }
  }

  /** One result per command, and the MSP executed each exactly once (the simulator's log proves it). */
  static void assertExactlyOnce(MspSimulator msp, Map<String, List<Aid1Result>> results, Set<String> commands) {
    List<String> problems = new ArrayList<>();
    for (String id : commands) {
      if (results.getOrDefault(id, List.of()).size() != 1) {
        problems.add(id + " has " + results.getOrDefault(id, List.of()).size() + " results");
      }
      long executed = msp.requests(r -> id.equals(r.cmpRequestId()) && r.executed()).size();
      if (executed != 1) {
        problems.add(id + " executed " + executed + " times");
      }
    }
    assertThat(problems).isEmpty();
  }
}
