package org.aidcmp.projections;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.aidcmp.schemas.lifecycle.ProfileDisabled;
import org.aidcmp.schemas.lifecycle.ProfileEnabled;
import org.aidcmp.schemas.lifecycle.ProfileRef;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jdbi.v3.core.Jdbi;

/**
 * Not a test: how many events per second the projections write into PostgreSQL, beside what the same PostgreSQL
 * takes as raw inserts and what the same topic gives a bare consumer, all in one run on the embedded stack.
 * Warm-up first (a tenth of the events, and raw inserts), then the measured part.
 *
 * <pre>
 * mvn -q -B -pl projections -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt \
 *   -Dmdep.includeScope=test
 * java -cp "projections/target/test-classes:projections/target/classes:$(cat projections/target/cp.txt)" \
 *   org.aidcmp.projections.ProjectionsThroughputHarness 200000 10000      # events, users
 * </pre>
 */
public final class ProjectionsThroughputHarness {
  private ProjectionsThroughputHarness() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int warmup = Math.max(users, events / 10);
    ProjectionsStack.Stack stack = new ProjectionsStack.Stack();
    try {
      ProjectionsSettings settings = stack.fresh("harness");
      Jdbi jdbi = Database.open(settings);
      System.out.printf("writing %d + %d events for %d users ...%n", warmup, events, users);
      write(stack, settings, 0, warmup, users);

      try (Projector projector = new Projector(settings, jdbi, stack.registry)) {
        projector.catchUp(Duration.ofMinutes(30), n -> { });
        raw(jdbi, warmup); // warm the raw path too
        write(stack, settings, warmup, events, users);

        double consume = consume(settings, events + warmup);
        double rawRate = raw(jdbi, events);
        long begin = System.nanoTime();
        long applied = projector.catchUp(Duration.ofMinutes(30), n -> { });
        double seconds = (System.nanoTime() - begin) / 1e9;
        System.out.printf("%nprojections: %d events in %.1f s = %.0f events/s into PostgreSQL"
            + " (one transaction per poll of up to %d; each event: user upsert, profile upsert, timeline insert, offset)%n",
            applied, seconds, applied / seconds, settings.maxPollRecords());
        System.out.printf("raw inserts, same PostgreSQL, same run: %.0f rows/s (one INSERT per row, %d per transaction)%n",
            rawRate, settings.maxPollRecords());
        System.out.printf("raw consume, same topic, same run: %.0f records/s%n", consume);
        System.out.printf("statements per event ~4: events/s x 4 = %.0f statements/s against %.0f raw%n",
            4 * applied / seconds, rawRate);
      }
    } finally {
      stack.close();
    }
  }

  private static void write(ProjectionsStack.Stack stack, ProjectionsSettings settings, int from, int count,
      int users) {
    try (Events w = new Events(stack, settings)) {
      for (int i = from; i < from + count; i++) {
        int u = i % users;
        ProfileRef ref = Events.ref("h-user-" + u, "h-token-" + u, "h-iccid-" + u, "VINH" + u, null);
        w.userNoWait("h-user-" + u, (i / users) % 2 == 0 ? new ProfileEnabled(ref) : new ProfileDisabled(ref));
      }
      w.flush();
    }
  }

  /** Rows per second into a table as wide as the timeline, one INSERT per row, in transactions like the projector's. */
  private static double raw(Jdbi jdbi, int rows) {
    jdbi.useHandle(h -> h.execute("CREATE TABLE IF NOT EXISTS raw_inserts (id bigserial PRIMARY KEY, k text, v text,"
        + " w text, at timestamptz DEFAULT now())"));
    long begin = System.nanoTime();
    int perTransaction = 500;
    for (int done = 0; done < rows; done += perTransaction) {
      int from = done;
      jdbi.useTransaction(h -> {
        for (int i = from; i < Math.min(rows, from + perTransaction); i++) {
          h.createUpdate("INSERT INTO raw_inserts (k, v, w) VALUES (:k, :v, :w)")
              .bind("k", "h-user-" + i).bind("v", "profile enabled").bind("w", "h-iccid-" + i).execute();
        }
      });
    }
    return rows / ((System.nanoTime() - begin) / 1e9);
  }

  private static double consume(ProjectionsSettings settings, long total) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers(),
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(settings.lifecycleEventsTopic()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long begin = System.nanoTime();
      long read = 0;
      long deadline = begin + Duration.ofMinutes(10).toNanos();
      while (read < total && System.nanoTime() < deadline) {
        read += consumer.poll(Duration.ofMillis(200)).count();
      }
      return read / ((System.nanoTime() - begin) / 1e9);
    }
  }

}
