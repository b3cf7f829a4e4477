package org.aidcmp.projections.read;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.aidcmp.projections.read.Views.InventoryEntry;
import org.aidcmp.projections.read.Views.Profile;
import org.aidcmp.projections.read.Views.ProfileHistory;
import org.aidcmp.projections.read.Views.TimelineEntry;
import org.aidcmp.projections.read.Views.Vehicle;
import org.aidcmp.projections.read.Views.VehicleInventory;
import org.aidcmp.projections.read.Views.WhyNoProfile;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Customer care's views: any user's timeline, a vehicle by VIN, a profile's history by ICCID, and "why does this
 * car have no profile" answered from the timeline (§7.1.5, §7.1.6: the reasons are kept for support cases).
 */
public final class CareViews {
  /** States in which a profile is on the vehicle, or on its way there. */
  static final Set<String> LIVE = Set.of("AC_RECEIVED", "INSTALLED", "ENABLED", "DISABLED");
  /** Facts that explain why a vehicle has no profile, newest first wins. */
  static final Set<String> EXPLAINING = Set.of("ActivationCodeFailed", "ProfileInstallFailed", "ProfileDeleted",
      "ProfileDeleteRequested", "ProfileSwapped", "ActivationCodeRequested", "DownlinkCommandExpired", "VehicleRetired",
      "ProfileEnableFailed");
  private static final int EVIDENCE = 20;

  private final Jdbi jdbi;

  public CareViews(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** A user's timeline in the order it was projected (timeline_by_user). */
  public Page<TimelineEntry> userTimeline(String cmpUserId, String after, int limit) {
    return timeline("cmp_user_id", cmpUserId, after, limit);
  }

  /** A vehicle's timeline (timeline_by_vin). */
  public Page<TimelineEntry> vehicleTimeline(String vin, String after, int limit) {
    return timeline("vin", vin, after, limit);
  }

  private Page<TimelineEntry> timeline(String column, String value, String after, int limit) {
    int n = Page.checkedLimit(limit);
    long from = cursor(after);
    List<TimelineEntry> rows = jdbi.withHandle(h -> h.createQuery("SELECT " + Rows.TIMELINE_COLUMNS
            + " FROM timeline WHERE " + column + " = :v AND id > :after ORDER BY id LIMIT :n")
        .bind("v", value).bind("after", from).bind("n", n + 1).map((rs, ctx) -> Rows.timeline(rs)).list());
    return Page.of(rows, n, e -> Long.toString(e.id()));
  }

  /** What the vehicle is, its eUICC inventory (paged by ICCID) and the profiles the platform knows on it. */
  public Optional<VehicleInventory> inventory(String vin, String after, int limit) {
    int n = Page.checkedLimit(limit);
    return jdbi.withHandle(h -> {
      Optional<Vehicle> vehicle = vehicle(h, vin);
      List<InventoryEntry> rows = h.createQuery("SELECT iccid, cmp_user_id, state FROM vehicle_inventory"
              + " WHERE vin = :vin AND iccid > :after ORDER BY iccid LIMIT :n")
          .bind("vin", vin).bind("after", after == null ? "" : after).bind("n", n + 1)
          .map((rs, ctx) -> new InventoryEntry(rs.getString(1), rs.getString(2), rs.getString(3))).list();
      List<Profile> profiles = profilesOn(h, vin);
      if (vehicle.isEmpty() && rows.isEmpty() && profiles.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new VehicleInventory(vin, vehicle.orElse(null), Page.of(rows, n, InventoryEntry::iccid),
          profiles));
    });
  }

  /** A profile now and every fact about it (timeline_by_iccid). */
  public Optional<ProfileHistory> profileHistory(String iccid, String after, int limit) {
    Optional<Profile> profile = jdbi.withHandle(h -> h.createQuery("SELECT " + Rows.PROFILE_COLUMNS
            + " FROM profiles WHERE iccid = :iccid").bind("iccid", iccid).map((rs, ctx) -> Rows.profile(rs)).findOne());
    Page<TimelineEntry> history = timeline("iccid", iccid, after, limit);
    if (profile.isEmpty() && history.items().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ProfileHistory(profile.orElse(null), history));
  }

  /**
   * Why this vehicle has no profile: the live profiles if it has one; else the newest fact that explains it
   * (an activation code refused, a download that failed with its DownloadInstallResult, a delete and its
   * reason, a request still waiting, a command the vehicle never answered), with the facts before it.
   */
  public WhyNoProfile whyNoProfile(String vin) {
    return jdbi.withHandle(h -> {
      List<Profile> live = profilesOn(h, vin).stream().filter(p -> LIVE.contains(p.state())).toList();
      List<TimelineEntry> evidence = h.createQuery("SELECT " + Rows.TIMELINE_COLUMNS
              + " FROM timeline WHERE vin = :vin ORDER BY id DESC LIMIT :n")
          .bind("vin", vin).bind("n", EVIDENCE).map((rs, ctx) -> Rows.timeline(rs)).list();
      Optional<Vehicle> vehicle = vehicle(h, vin);
      return new WhyNoProfile(vin, !live.isEmpty(), live, answer(live, evidence, vehicle), evidence);
    });
  }

  static String answer(List<Profile> live, List<TimelineEntry> evidence, Optional<Vehicle> vehicle) {
    if (!live.isEmpty()) {
      Profile p = live.get(0);
      return "It has " + live.size() + " profile(s): " + p.iccid() + " of MSP " + p.mspId() + " is " + p.state() + ".";
    }
    if (vehicle.isPresent() && Boolean.FALSE.equals(vehicle.get().aidEnabled())) {
      return "AiD is not enabled for this vehicle in the fleet registry.";
    }
    for (TimelineEntry e : evidence) {
      if (!EXPLAINING.contains(e.eventType())) {
        continue;
      }
      String because = e.reason() == null ? "" : " Reason: " + e.reason() + ".";
      if (e.eventType().equals("ActivationCodeRequested")) {
        return "An activation code was requested from MSP " + e.mspId() + " at " + e.occurredAt()
            + " and nothing has come back yet.";
      }
      return "Last at " + e.occurredAt() + ": " + e.summary() + "." + because;
    }
    if (evidence.isEmpty() && vehicle.isEmpty()) {
      return "The platform has no fact about this VIN: it was never registered and never asked for a profile.";
    }
    return "No activation code was ever requested for this vehicle: no user with an AiD subscription has asked"
        + " for a profile in it.";
  }

  private static Optional<Vehicle> vehicle(Handle h, String vin) {
    return h.createQuery("SELECT " + Rows.VEHICLE_COLUMNS + " FROM vehicles WHERE vin = :vin").bind("vin", vin)
        .map((rs, ctx) -> Rows.vehicle(rs)).findOne();
  }

  private static List<Profile> profilesOn(Handle h, String vin) {
    return h.createQuery("SELECT " + Rows.PROFILE_COLUMNS + " FROM profiles WHERE vin = :vin ORDER BY iccid LIMIT 100")
        .bind("vin", vin).map((rs, ctx) -> Rows.profile(rs)).list();
  }

  private static long cursor(String after) {
    if (after == null || after.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(after);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("after must be the cursor of a page of this list");
    }
  }
}
