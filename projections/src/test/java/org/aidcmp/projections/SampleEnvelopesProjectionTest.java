package org.aidcmp.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.List;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.samples.SampleEnvelopes;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One random but valid record of every message type of both event topics (`aid samples`): each is applied, none
 * is refused, and each leaves its one timeline row. What random values mean is not checked here (the scenario
 * test does that); that any valid record is taken is.
 */
@ExtendWith(ProjectionsStack.class)
@Timeout(300)
class SampleEnvelopesProjectionTest {

  @Test
  void everyValidRecordOfBothTopics_isApplied_withItsTimelineRow(ProjectionsStack.Stack stack) {
    ProjectionsSettings settings = stack.fresh("samples");
    Jdbi jdbi = Database.open(settings);
    int written = 0;
    try (Events w = new Events(stack, settings)) {
      for (long seed = 1; seed <= 3; seed++) {
        for (SampleEnvelopes.Sample s : SampleEnvelopes.everyMessageType(seed)) {
          if (s.topic() == AidTopic.LIFECYCLE_EVENTS) {
            w.envelope(settings.lifecycleEventsTopic(), "user-" + seed, (LifecycleEvent) s.envelope());
            written++;
          } else if (s.topic() == AidTopic.VEHICLE_EVENTS) {
            w.envelope(settings.vehicleEventsTopic(), "vin-" + seed, (VehicleEvent) s.envelope());
            written++;
          }
        }
      }
    }
    try (Projector projector = new Projector(settings, jdbi, stack.registry)) {
      projector.catchUp(Duration.ofMinutes(2), n -> { });
      assertThat(projector.deadLettered()).isZero();
      assertThat(projector.applied()).isEqualTo(written);
    }
    assertThat(Sql.rows(jdbi, "SELECT count(*), count(DISTINCT event_type) FROM timeline"))
        .containsExactly(tuple((long) written, (long) (LifecycleEvent.getClassSchema().getField("payload").schema()
            .getTypes().size() + VehicleEvent.getClassSchema().getField("payload").schema().getTypes().size())));
    assertThat(DeadLetters.read(stack, settings.deadLetterTopic(), 0)).isEmpty();
  }
}
