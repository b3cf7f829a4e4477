package org.aidcmp.projections.read;

import java.util.List;

/**
 * One page of a list, in key order; {@code next} is the cursor of the following page (the last key of this one),
 * null on the last page. Keyset paging: a page costs the same wherever it starts, and every page query walks an
 * index.
 */
public record Page<T>(List<T> items, String next) {
  public static final int MAX_LIMIT = 200;
  public static final int DEFAULT_LIMIT = 50;

  /** From limit + 1 rows read: the extra row only says there is a next page. */
  static <T> Page<T> of(List<T> rows, int limit, java.util.function.Function<T, String> key) {
    if (rows.size() <= limit) {
      return new Page<>(List.copyOf(rows), null);
    }
    List<T> items = List.copyOf(rows.subList(0, limit));
    return new Page<>(items, key.apply(items.get(limit - 1)));
  }

  static int checkedLimit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT);
    }
    return limit;
  }
}
