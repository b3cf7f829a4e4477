package org.aidcmp.projections;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code aid projections rebuild}: the read models built again from the event topics, beside the live ones, then
 * swapped in. The new tables go into a schema of their own ({@code <schema>_rebuild}, dropped first if a rebuild
 * was cut off), a projector applies both topics from their beginning to the end of now, and one transaction
 * renames the live schema away and the new one into its place, then drops the old. A projector running meanwhile
 * sees the new generation at its next transaction and seeks to the new tables' positions, so the events written
 * during the rebuild are applied to them: nothing is lost and nothing applied twice.
 */
public final class Rebuild {
  /** What a rebuild did: records applied, dead letters among them, rows per table, seconds. */
  public record Result(long records, long deadLettered, Map<String, Long> rows, double seconds, boolean swapped) {}

  static final List<String> TABLES = List.of("users", "onboarding_sessions", "federations", "profiles",
      "activation_code_requests", "vehicles", "vehicle_inventory", "timeline");

  private Rebuild() {}

  public static String rebuildSchema(ProjectionsSettings live) {
    return live.schema() + "_rebuild";
  }

  /** Builds the new tables (progress: records applied so far); swaps them in unless {@code swap} is false. */
  public static Result run(ProjectionsSettings live, SchemaRegistryClient registry, Duration limit, boolean swap,
      LongConsumer progress) {
    long begin = System.nanoTime();
    ProjectionsSettings next = live.withSchema(rebuildSchema(live));
    Jdbi admin = Database.connect(live);
    admin.useHandle(h -> h.execute("DROP SCHEMA IF EXISTS " + Database.checkedSchema(next.schema()) + " CASCADE"));
    Jdbi fresh = Database.open(next);
    long records;
    long dead;
    try (Projector projector = new Projector(next, fresh, registry)) {
      records = projector.catchUp(limit, progress);
      dead = projector.deadLettered();
    }
    Map<String, Long> rows = rows(fresh);
    if (swap) {
      swap(admin, live.schema(), next.schema());
    }
    return new Result(records, dead, rows, (System.nanoTime() - begin) / 1e9, swap);
  }

  static Map<String, Long> rows(Jdbi jdbi) {
    Map<String, Long> rows = new LinkedHashMap<>();
    jdbi.useHandle(h -> {
      for (String table : TABLES) {
        rows.put(table, h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
      }
    });
    return rows;
  }

  /**
   * One transaction: wait for the live projector's transaction (it holds its generation row FOR SHARE), then the
   * renames. The live schema may not exist yet (a first build): then the new one simply takes its name.
   */
  static void swap(Jdbi admin, String live, String next) {
    String retired = Database.checkedSchema(live + "_retired");
    admin.useTransaction(h -> {
      boolean exists = h.createQuery("SELECT count(*) FROM pg_namespace WHERE nspname = :s").bind("s", live)
          .mapTo(Integer.class).one() > 0;
      if (exists) {
        h.execute("SELECT generation FROM " + live + ".projection_generation FOR UPDATE");
        h.execute("DROP SCHEMA IF EXISTS " + retired + " CASCADE");
        h.execute("ALTER SCHEMA " + live + " RENAME TO " + retired);
      }
      h.execute("ALTER SCHEMA " + next + " RENAME TO " + live);
      if (exists) {
        h.execute("DROP SCHEMA " + retired + " CASCADE");
      }
    });
  }
}
