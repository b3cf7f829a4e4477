package org.aidcmp.projections;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.aidcmp.schemas.lifecycle.AidTermsAccepted;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.samples.SampleEnvelopes;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * aid projections rebuild: the tables rebuilt from the topics equal the ones the live projector built record by
 * record (every row of every table, the timeline's order ids aside); swapped in while the live projector runs and
 * events keep coming, nothing is lost and nothing applied twice.
 */
@ExtendWith(ProjectionsStack.class)
@Timeout(300)
class RebuildTest {
  static final String TIMELINE_COLUMNS = "topic, partition, \"offset\", message_id, occurred_at, event_type,"
      + " cmp_user_id, vin, iccid, msp_id, summary, reason";

  @Test
  void rebuilt_equalsIncremental_andTheSwapLosesAndDoublesNothing(ProjectionsStack.Stack stack) throws Exception {
    ProjectionsSettings live = stack.fresh("rebuild");
    Jdbi jdbi = Database.open(live);
    int written = 0;
    try (Events w = new Events(stack, live)) {
      for (long seed = 11; seed <= 14; seed++) {
        for (SampleEnvelopes.Sample s : SampleEnvelopes.everyMessageType(seed)) {
          if (s.topic() == AidTopic.LIFECYCLE_EVENTS) {
            w.envelope(live.lifecycleEventsTopic(), "user-" + seed, (LifecycleEvent) s.envelope());
            written++;
          } else if (s.topic() == AidTopic.VEHICLE_EVENTS) {
            w.envelope(live.vehicleEventsTopic(), "vin-" + seed, (VehicleEvent) s.envelope());
            written++;
          }
        }
      }
      w.garbage("user-x", new byte[] {0, 0, 0, 0, 99, 1});
    }
    try (Projector projector = new Projector(live, jdbi, stack.registry).start()) {
      awaitTimeline(jdbi, written);

      Rebuild.Result aside = Rebuild.run(live, stack.registry, Duration.ofMinutes(2), false, n -> { });
      assertThat(aside.records()).isEqualTo(written + 1);
      assertThat(aside.deadLettered()).isEqualTo(1);
      assertThat(aside.rows().get("timeline")).isEqualTo(written);
      for (String table : Rebuild.TABLES) {
        String columns = table.equals("timeline") ? TIMELINE_COLUMNS : "*";
        assertThat(Sql.count(jdbi, "SELECT count(*) FROM ("
            + "(SELECT " + columns + " FROM rebuild." + table + " EXCEPT ALL SELECT " + columns + " FROM rebuild_rebuild." + table + ")"
            + " UNION ALL "
            + "(SELECT " + columns + " FROM rebuild_rebuild." + table + " EXCEPT ALL SELECT " + columns + " FROM rebuild." + table + ")"
            + ") differences")).as(table).isZero();
        assertThat(Sql.count(jdbi, "SELECT count(*) FROM " + table)).as(table).isEqualTo(aside.rows().get(table));
      }

      // Swapped in while the live projector runs and events keep arriving: before, during and after.
      try (Events w = new Events(stack, live)) {
        for (int i = 0; i < 5; i++) {
          w.user("late-" + i, new AidTermsAccepted("late-" + i, "before"));
        }
        Rebuild.Result swapped = Rebuild.run(live, stack.registry, Duration.ofMinutes(2), true, n -> { });
        assertThat(swapped.swapped()).isTrue();
        for (int i = 0; i < 5; i++) {
          w.user("late-" + i, new AidTermsAccepted("late-" + i, "after"));
        }
      }
      awaitTimeline(jdbi, written + 10);
      Thread.sleep(500); // a double would show now
      assertThat(Sql.count(jdbi, "SELECT count(*) FROM timeline")).isEqualTo(written + 10);
      assertThat(Sql.count(jdbi, "SELECT count(*) FROM users WHERE cmp_user_id LIKE 'late-%' AND terms_version = 'after'"))
          .isEqualTo(5);
      assertThat(Sql.count(jdbi, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'rebuild_%'")).isZero();
    }
  }

  private static void awaitTimeline(Jdbi jdbi, long rows) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    long n = -1;
    while (System.nanoTime() < deadline) {
      n = Sql.count(jdbi, "SELECT count(*) FROM timeline");
      if (n >= rows) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timeline has " + n + " rows, not " + rows);
  }
}
