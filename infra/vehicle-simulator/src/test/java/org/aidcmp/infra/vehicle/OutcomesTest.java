package org.aidcmp.infra.vehicle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Counts, nearest-rank percentiles and the summary a fleet run prints. */
class OutcomesTest {

  @Test
  void countsPercentilesAndFailureReasons() {
    Outcomes outcomes = new Outcomes();
    for (int i = 1; i <= 100; i++) {
      outcomes.record(new Outcome("V", "u", Outcome.Flow.LOGIN, Outcome.Result.PROVISIONED, null,
          Duration.ofMillis(i), Instant.now()));
    }
    outcomes.record(new Outcome("V", "u", Outcome.Flow.LOGIN, Outcome.Result.REFUSED, "TERMS_NOT_ACCEPTED",
        Duration.ofMillis(1000), Instant.now()));
    assertThat(outcomes.counts()).containsEntry(Outcome.Result.PROVISIONED, 100).containsEntry(Outcome.Result.REFUSED, 1);
    assertThat(outcomes.latency(0.5, o -> o.result() == Outcome.Result.PROVISIONED)).isEqualTo(Duration.ofMillis(50));
    assertThat(outcomes.latency(0.99, o -> o.result() == Outcome.Result.PROVISIONED)).isEqualTo(Duration.ofMillis(99));
    assertThat(outcomes.latency(0.5, o -> o.flow() == Outcome.Flow.LOGOUT)).isNull();
    assertThat(outcomes.summary()).contains("LOGIN").contains("PROVISIONED 100").contains("REFUSED 1")
        .contains("1  REFUSED TERMS_NOT_ACCEPTED");
  }
}
