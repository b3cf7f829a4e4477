package org.aidcmp.infra.launcher;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Whom {@code aid reconcile} asks: the live federations (§4.6, by user, by MSP or all) and the registered vehicles
 * (§4.10, one or all) with the eUICC inventory the platform believes in, read from the projections' tables. The
 * read models, not the topics: they are the current state, indexed (federations by user, by MSP and state), where
 * the topics would have to be read whole for every run. A federation made in the last moments, not yet projected,
 * is not asked; the next run asks it.
 */
final class ReconcileTargets {
  /** A federation to ask its MSP about (never printed whole: the msp_token stays out of reports). */
  record Federation(String cmpUserId, String mspId, String mspToken) {}

  /** A vehicle and its inventory as the read models have it: ICCID to state. */
  record Vehicle(String vin, Map<String, String> inventory) {}

  private final Jdbi jdbi;
  private final String schema;

  ReconcileTargets(Jdbi jdbi, String schema) {
    this.jdbi = jdbi;
    this.schema = schema;
  }

  String schema() {
    return schema;
  }

  /** Whether the projections' tables exist in the schema (a platform that never ran has none). */
  boolean present() {
    return jdbi.withHandle(h -> h.createQuery("SELECT to_regclass(:t) IS NOT NULL")
        .bind("t", schema + ".federations").mapTo(Boolean.class).one());
  }

  /** Live federations of a user, of an MSP, or (both null) all. */
  List<Federation> federations(String cmpUserId, String mspId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT cmp_user_id, msp_id, msp_token FROM federations"
            + " WHERE state = 'ESTABLISHED'"
            + (cmpUserId != null ? " AND cmp_user_id = :user" : "")
            + (mspId != null ? " AND msp_id = :msp" : "")
            + " ORDER BY cmp_user_id, msp_token")
        .bind("user", cmpUserId).bind("msp", mspId)
        .map((rs, ctx) -> new Federation(rs.getString(1), rs.getString(2), rs.getString(3))).list());
  }

  /** One registered vehicle, or (null) all. */
  List<Vehicle> vehicles(String vin) {
    return jdbi.withHandle(h -> h.createQuery("SELECT vin FROM vehicles WHERE registered"
            + (vin != null ? " AND vin = :vin" : "") + " ORDER BY vin")
        .bind("vin", vin).mapTo(String.class).list())
        .stream().map(v -> new Vehicle(v, inventory(v))).toList();
  }

  Map<String, String> inventory(String vin) {
    return jdbi.withHandle(h -> h.createQuery("SELECT iccid, state FROM vehicle_inventory WHERE vin = :vin")
        .bind("vin", vin).reduceRows(new TreeMap<String, String>(), (m, row) -> {
          m.put(row.getColumn("iccid", String.class), row.getColumn("state", String.class));
          return m;
        }));
  }
}
