package org.aidcmp.projections.read;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import org.aidcmp.projections.read.Views.Profile;
import org.aidcmp.projections.read.Views.TimelineEntry;
import org.aidcmp.projections.read.Views.Vehicle;

/** Row mappers shared by the views. */
final class Rows {
  static final String PROFILE_COLUMNS = "iccid, cmp_user_id, msp_id, vin, eid, state, msp_status, msp_status_reason,"
      + " last_error, delete_reason, updated_at";
  static final String TIMELINE_COLUMNS = "id, occurred_at, event_type, cmp_user_id, vin, iccid, msp_id, summary, reason";
  static final String VEHICLE_COLUMNS = "vin, eid, registered, aid_enabled, online, presence_at";

  private Rows() {}

  static Profile profile(ResultSet rs) throws SQLException {
    return new Profile(rs.getString("iccid"), rs.getString("cmp_user_id"), rs.getString("msp_id"), rs.getString("vin"),
        rs.getString("eid"), rs.getString("state"), rs.getString("msp_status"), rs.getString("msp_status_reason"),
        rs.getString("last_error"), rs.getString("delete_reason"), time(rs, "updated_at"));
  }

  static TimelineEntry timeline(ResultSet rs) throws SQLException {
    return new TimelineEntry(rs.getLong("id"), time(rs, "occurred_at"), rs.getString("event_type"),
        rs.getString("cmp_user_id"), rs.getString("vin"), rs.getString("iccid"), rs.getString("msp_id"),
        rs.getString("summary"), rs.getString("reason"));
  }

  static Vehicle vehicle(ResultSet rs) throws SQLException {
    return new Vehicle(rs.getString("vin"), rs.getString("eid"), (Boolean) rs.getObject("registered"),
        (Boolean) rs.getObject("aid_enabled"), (Boolean) rs.getObject("online"), time(rs, "presence_at"));
  }

  static String time(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant().toString();
  }
}
