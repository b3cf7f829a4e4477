package org.aidcmp.projections;

import java.sql.SQLException;

/** Database failures that say nothing about the record: the connection, a conflict, a server going down. */
final class Transient {
  private Transient() {}

  static boolean is(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        if (state == null) {
          return true;
        }
        // 08 connection, 40 rollback (serialization, deadlock), 53 resources, 57 operator (shutdown), 58 system
        return state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
            || state.startsWith("57") || state.startsWith("58");
      }
    }
    return false;
  }
}
