package org.aidcmp.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.aidcmp.schemas.lifecycle.ProfileDisabled;
import org.aidcmp.schemas.lifecycle.ProfileEnabled;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.topics.TopicSetup;
import org.assertj.core.groups.Tuple;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The projections service (its own JVM, {@link ProjectionsMain}) is killed with SIGKILL twice while events stream
 * in, and started again each time: no shutdown hook, no clean close, a transaction cut off wherever it was. At the
 * end every event is in the tables once: the timeline has each record's row exactly once, each user's profile
 * holds the state of its last event, and nothing was dead-lettered (a record applied twice would have been
 * refused by the timeline's unique place and dead-lettered).
 */
@ExtendWith(ProjectionsStack.class)
@Timeout(600)
class CrashResumeTest {
  static final int USERS = 60;
  static final int EVENTS_PER_USER = 50;
  static final int TOTAL = USERS * EVENTS_PER_USER;

  @TempDir Path tmp;

  @Test
  void killedTwiceWhileEventsArrive_losesNothing_andDoublesNothing(ProjectionsStack.Stack stack) throws Exception {
    TopicSetup.ensureTopics(stack.kafka.bootstrapServers(), ProjectionsStack.PARTITIONS, (short) 1);
    stack.registry.register(AidTopic.DLQ.valueSubject(), AidTopic.DLQ.valueSchema());
    ProjectionsSettings settings = stack.fresh("crash_probe").withSchema("crash");
    settings = new ProjectionsSettings(settings.jdbcUrl(), settings.user(), settings.password(), "crash",
        settings.kafkaBootstrapServers(), settings.schemaRegistryUrl(), AidTopic.LIFECYCLE_EVENTS.topicName(),
        AidTopic.VEHICLE_EVENTS.topicName(), AidTopic.DLQ.topicName(), settings.pollTimeout(), 200);
    Jdbi jdbi = Database.open(settings);
    Path config = tmp.resolve("aid.properties");
    Files.writeString(config, String.join("\n",
        "postgres.jdbc.url=" + settings.jdbcUrl(), "postgres.user=" + settings.user(),
        "postgres.password=" + settings.password(), "projections.schema=crash",
        "projections.max-poll-records=200",
        "kafka.bootstrap.servers=" + settings.kafkaBootstrapServers(),
        "schema.registry.url=" + settings.schemaRegistryUrl()) + "\n");

    ProjectionsSettings topics = settings;
    AtomicReference<Throwable> writerFailed = new AtomicReference<>();
    Thread writer = new Thread(() -> {
      try (Events w = new Events(stack, topics)) {
        for (int round = 0; round < EVENTS_PER_USER; round++) {
          for (int u = 0; u < USERS; u++) {
            String user = "crash-user-" + u;
            var ref = Events.ref(user, "token-" + u, "iccid-" + u, "VIN" + u, null);
            w.userNoWait(user, round % 2 == 0 ? new ProfileEnabled(ref) : new ProfileDisabled(ref));
          }
          w.flush();
          Thread.sleep(200);
        }
      } catch (Throwable e) {
        writerFailed.set(e);
      }
    }, "crash-test-writer");
    writer.start();

    Process service = start(config, 1);
    awaitTimelineAbove(jdbi, TOTAL / 5, service);
    service.destroyForcibly().waitFor();
    service = start(config, 2);
    awaitTimelineAbove(jdbi, TOTAL / 2, service);
    service.destroyForcibly().waitFor();
    service = start(config, 3);
    writer.join(Duration.ofMinutes(3).toMillis());
    assertThat(writerFailed.get()).isNull();
    try {
      awaitTimelineAbove(jdbi, TOTAL - 1, service);
      Thread.sleep(1000); // anything beyond TOTAL would be a double; give it the chance to show
    } finally {
      service.destroy();
      service.waitFor();
    }

    assertThat(Sql.rows(jdbi, "SELECT count(*), count(DISTINCT (topic, partition, \"offset\")) FROM timeline"))
        .containsExactly(tuple((long) TOTAL, (long) TOTAL));
    assertThat(Sql.count(jdbi, "SELECT count(*) FROM (SELECT cmp_user_id FROM timeline GROUP BY cmp_user_id"
        + " HAVING count(*) <> " + EVENTS_PER_USER + ") wrong")).isZero();
    String last = EVENTS_PER_USER % 2 == 0 ? "DISABLED" : "ENABLED";
    List<Tuple> states = Sql.rows(jdbi, "SELECT state, count(*) FROM profiles GROUP BY state");
    assertThat(states).containsExactly(tuple(last, (long) USERS));
    assertThat(DeadLetters.read(stack, AidTopic.DLQ.topicName(), 0)).isEmpty();
  }

  private Process start(Path config, int run) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = Path.of("target", "crash-resume-run-" + run + ".log");
    Files.createDirectories(log.getParent());
    return new ProcessBuilder(java, "-Xmx256m", "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS", "-cp", System.getProperty("java.class.path"),
        ProjectionsMain.class.getName(), config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void awaitTimelineAbove(Jdbi jdbi, int rows, Process service) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    List<Long> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      long n = Sql.count(jdbi, "SELECT count(*) FROM timeline");
      if (n > rows) {
        return;
      }
      if (!service.isAlive()) {
        throw new AssertionError("the projections service exited with " + service.exitValue() + " (see target/)");
      }
      seen.add(n);
      Thread.sleep(50);
    }
    throw new AssertionError("timeline did not pass " + rows + " rows; it went " + seen.subList(0, Math.min(5, seen.size())));
  }
}
