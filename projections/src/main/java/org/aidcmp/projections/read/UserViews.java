package org.aidcmp.projections.read;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aidcmp.projections.read.Views.EncryptedPhone;
import org.aidcmp.projections.read.Views.Profile;
import org.aidcmp.projections.read.Views.Subscription;
import org.aidcmp.projections.read.Views.UserVehicle;
import org.aidcmp.projections.read.Views.Vehicle;
import org.aidcmp.projections.read.Views.Withdrawal;
import org.jdbi.v3.core.Jdbi;

/** The signed-in user's own views (§5.2.2: sub is the cmpUserId); each query is bound to that user. */
public final class UserViews {
  private final Jdbi jdbi;

  public UserViews(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** My subscriptions, by msp_token (index federations_by_user). */
  public Page<Subscription> subscriptions(String cmpUserId, String after, int limit) {
    int n = Page.checkedLimit(limit);
    List<Subscription> rows = jdbi.withHandle(h -> h.createQuery("SELECT msp_token, msp_id, subscription_type,"
            + " customer_group, state, phone_key_id, phone_iv, phone_ciphertext, established_at, updated_at"
            + " FROM federations WHERE cmp_user_id = :u AND msp_token > :after ORDER BY msp_token LIMIT :n")
        .bind("u", cmpUserId).bind("after", after == null ? "" : after).bind("n", n + 1)
        .map((rs, ctx) -> new Subscription(rs.getString("msp_token"), rs.getString("msp_id"),
            rs.getString("subscription_type"), rs.getString("customer_group"), rs.getString("state"),
            rs.getBytes("phone_ciphertext") == null ? null
                : new EncryptedPhone(rs.getString("phone_key_id"), rs.getBytes("phone_iv"), rs.getBytes("phone_ciphertext")),
            Rows.time(rs, "established_at"), Rows.time(rs, "updated_at")))
        .list());
    return Page.of(rows, n, Subscription::mspToken);
  }

  /** My vehicles (those holding a profile of mine), by VIN, with my profiles on each (profiles_by_user_vin). */
  public Page<UserVehicle> vehicles(String cmpUserId, String after, int limit) {
    int n = Page.checkedLimit(limit);
    return jdbi.withHandle(h -> {
      List<String> vins = h.createQuery("SELECT DISTINCT vin FROM profiles WHERE cmp_user_id = :u AND vin > :after"
              + " ORDER BY vin LIMIT :n")
          .bind("u", cmpUserId).bind("after", after == null ? "" : after).bind("n", n + 1)
          .mapTo(String.class).list();
      List<String> page = vins.size() > n ? vins.subList(0, n) : vins;
      Map<String, Vehicle> vehicles = new LinkedHashMap<>();
      h.createQuery("SELECT " + Rows.VEHICLE_COLUMNS + " FROM vehicles WHERE vin = ANY(:vins)")
          .bindArray("vins", String.class, page).map((rs, ctx) -> Rows.vehicle(rs))
          .forEach(v -> vehicles.put(v.vin(), v));
      Map<String, List<Profile>> profiles = new LinkedHashMap<>();
      h.createQuery("SELECT " + Rows.PROFILE_COLUMNS + " FROM profiles WHERE cmp_user_id = :u AND vin = ANY(:vins)"
              + " ORDER BY vin, iccid")
          .bind("u", cmpUserId).bindArray("vins", String.class, page).map((rs, ctx) -> Rows.profile(rs))
          .forEach(p -> profiles.computeIfAbsent(p.vin(), v -> new java.util.ArrayList<>()).add(p));
      List<UserVehicle> rows = new java.util.ArrayList<>();
      for (String vin : vins) {
        rows.add(new UserVehicle(vin, vehicles.get(vin), profiles.getOrDefault(vin, List.of())));
      }
      return Page.of(rows, n, UserVehicle::vin);
    });
  }

  /** §4.4 withdraw progress: my federations being or having been withdrawn, and their profiles not yet deleted. */
  public Page<Withdrawal> withdrawals(String cmpUserId, String after, int limit) {
    int n = Page.checkedLimit(limit);
    List<Withdrawal> rows = jdbi.withHandle(h -> h.createQuery("SELECT f.msp_token, f.msp_id, f.state,"
            + " f.withdraw_initiator, f.withdraw_reason, f.updated_at,"
            + " (SELECT count(*) FROM profiles p WHERE p.msp_token = f.msp_token"
            + "  AND p.state NOT IN ('DELETED', 'SWAPPED_OUT', 'INSTALL_FAILED')) AS remaining"
            + " FROM federations f WHERE f.cmp_user_id = :u AND f.msp_token > :after AND f.state <> 'ESTABLISHED'"
            + " ORDER BY f.msp_token LIMIT :n")
        .bind("u", cmpUserId).bind("after", after == null ? "" : after).bind("n", n + 1)
        .map((rs, ctx) -> new Withdrawal(rs.getString("msp_token"), rs.getString("msp_id"), rs.getString("state"),
            rs.getString("withdraw_initiator"), rs.getString("withdraw_reason"), rs.getLong("remaining"),
            Rows.time(rs, "updated_at")))
        .list());
    return Page.of(rows, n, Withdrawal::mspToken);
  }
}
