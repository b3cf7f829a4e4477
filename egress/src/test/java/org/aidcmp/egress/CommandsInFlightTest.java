package org.aidcmp.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CommandsInFlightTest {
  private static final TopicPartition P0 = new TopicPartition("outbound", 0);
  private static final TopicPartition P1 = new TopicPartition("outbound", 1);

  private static MspLane.Job job(String token) {
    return new MspLane.Job(HttpRequest.newBuilder(URI.create("https://127.0.0.1/v1/users/" + token)).DELETE().build(), token);
  }

  @Test
  void aDuplicateWaitsForTheFirstAndIsDoneWhenItsResultIsWritten() {
    CommandsInFlight inFlight = new CommandsInFlight();
    CompletableFuture<Void> first = inFlight.start("c1", P0, job("t1"));
    assertThat(inFlight.running("c1")).isSameAs(first);
    assertThat(inFlight.running("c2")).isNull();
    inFlight.finished("c1");
    assertThat(first).isCompleted().isNotCompletedExceptionally();
    assertThat(inFlight.running("c1")).isNull();
  }

  @Test
  void anAbandonedCommandFailsItsWaitersSoTheirOffsetsStayUnfinished() {
    CommandsInFlight inFlight = new CommandsInFlight();
    CompletableFuture<Void> first = inFlight.start("c1", P0, job("t1"));
    inFlight.abandoned("c1");
    assertThat(first).isCompletedExceptionally();
    assertThat(inFlight.running("c1")).isNull();
  }

  @Test
  void stoppingARevokedPartitionCancelsOnlyItsCallsAndReturnsWhatToWaitFor() {
    CommandsInFlight inFlight = new CommandsInFlight();
    MspLane.Job a = job("t1");
    MspLane.Job b = job("t2");
    MspLane.Job done = job("t3");
    CompletableFuture<Void> settledA = inFlight.start("a", P0, a);
    inFlight.start("b", P1, b);
    inFlight.start("done", P0, done);
    inFlight.finished("done"); // written: nothing to wait for any more

    List<CompletableFuture<Void>> pending = inFlight.stop(List.of(P0));

    assertThat(pending).containsExactly(settledA);
    assertThat(a.cancelled()).isTrue();
    assertThat(b.cancelled()).isFalse();
    assertThat(done.cancelled()).isFalse();
  }

  @Test
  void aWithdrawnCallIsAsIfItHadNeverStarted() {
    CommandsInFlight inFlight = new CommandsInFlight();
    MspLane.Job j = job("t1");
    inFlight.start("c1", P0, j);
    inFlight.withdraw("c1", P0, j);
    assertThat(inFlight.running("c1")).isNull();
    assertThat(inFlight.stop(List.of(P0))).isEmpty();
    assertThat(j.cancelled()).isFalse();
  }
}
