package org.aidcmp.projections.read;

import java.util.List;
import org.aidcmp.projections.read.Views.Count;
import org.jdbi.v3.core.Jdbi;

/** Counts for operations, each a walk of one index (index-only where the visibility map allows). */
public final class OperationsViews {
  private final Jdbi jdbi;

  public OperationsViews(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Profiles per state (profiles_by_state). */
  public Page<Count> profilesByState(String after, int limit) {
    int n = Page.checkedLimit(limit);
    List<Count> rows = jdbi.withHandle(h -> h.createQuery("SELECT state, count(*) AS n FROM profiles"
            + " WHERE state > :after GROUP BY state ORDER BY state LIMIT :n")
        .bind("after", after == null ? "" : after).bind("n", n + 1)
        .map((rs, ctx) -> new Count(rs.getString("state"), rs.getString("state"), rs.getLong("n"))).list());
    return Page.of(rows, n, Count::key);
  }

  /** Profiles per MSP and state (profiles_by_msp_state); the cursor is "mspId/state". */
  public Page<Count> profilesByMsp(String after, int limit) {
    return byMsp("profiles", after, limit);
  }

  /** Federations per MSP and state (federations_by_msp_state). */
  public Page<Count> federationsByMsp(String after, int limit) {
    return byMsp("federations", after, limit);
  }

  private Page<Count> byMsp(String table, String after, int limit) {
    int n = Page.checkedLimit(limit);
    String[] cursor = after == null ? new String[] {"", ""} : after.split("/", 2);
    List<Count> rows = jdbi.withHandle(h -> h.createQuery("SELECT msp_id, state, count(*) AS n FROM " + table
            + " WHERE msp_id IS NOT NULL AND (msp_id, state) > (:msp, :state)"
            + " GROUP BY msp_id, state ORDER BY msp_id, state LIMIT :n")
        .bind("msp", cursor[0]).bind("state", cursor.length > 1 ? cursor[1] : "").bind("n", n + 1)
        .map((rs, ctx) -> new Count(rs.getString("msp_id"), rs.getString("state"), rs.getLong("n"))).list());
    return Page.of(rows, n, c -> c.key() + "/" + c.state());
  }
}
