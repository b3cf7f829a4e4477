package org.aidcmp.projections;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.jdbi.v3.core.Jdbi;

/** Queries for assertions. */
final class Sql {
  private Sql() {}

  static List<Tuple> rows(Jdbi jdbi, String sql) {
    return jdbi.withHandle(h -> h.createQuery(sql).map((rs, ctx) -> {
      int n = rs.getMetaData().getColumnCount();
      Object[] values = new Object[n];
      for (int i = 0; i < n; i++) {
        values[i] = rs.getObject(i + 1);
      }
      return new Tuple(values);
    }).list());
  }

  static long count(Jdbi jdbi, String sql) {
    return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }
}
