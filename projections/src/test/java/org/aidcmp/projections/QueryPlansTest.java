package org.aidcmp.projections;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.projections.read.ProjectionReads;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.jdbi.v3.core.statement.TemplateEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every query of the read side is served by an index. The views run as they are, on tables filled to a realistic
 * shape (20,000 users, 40,000 profiles, 200,000 timeline rows) and analysed, through a jdbi that puts EXPLAIN in
 * front of each statement and keeps the plan: the plans of exactly the statements the views send. None may scan a
 * table whole. The plans are written to target/query-plans.txt.
 */
@ExtendWith(ProjectionsStack.class)
@Timeout(300)
class QueryPlansTest {
  record Plan(String sql, String plan) {}

  @Test
  void everyViewQuery_walksAnIndex(ProjectionsStack.Stack stack) throws Exception {
    ProjectionsSettings settings = stack.fresh("plans");
    Jdbi jdbi = Database.open(settings);
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO users (cmp_user_id, first_seen_at, last_event_at)"
          + " SELECT 'u-' || i, now(), now() FROM generate_series(1, 20000) i");
      h.execute("INSERT INTO federations (msp_token, cmp_user_id, msp_id, subscription_type, state, established_at, updated_at)"
          + " SELECT 't-' || i, 'u-' || i, 'msp-' || (i % 7), 'PRIVATE',"
          + " (ARRAY['ESTABLISHED','INVALIDATED','REMOVED'])[1 + i % 3], now(), now() FROM generate_series(1, 20000) i");
      h.execute("INSERT INTO vehicles (vin, eid, registered, updated_at)"
          + " SELECT 'VIN' || lpad(i::text, 14, '0'), 'eid', true, now() FROM generate_series(1, 20000) i");
      h.execute("INSERT INTO profiles (iccid, cmp_user_id, msp_token, msp_id, vin, state, updated_at)"
          + " SELECT 'iccid-' || i, 'u-' || (1 + i % 20000), 't-' || (1 + i % 20000), 'msp-' || (i % 7),"
          + " 'VIN' || lpad((1 + i % 20000)::text, 14, '0'),"
          + " (ARRAY['INSTALLED','ENABLED','DISABLED','DELETED','INSTALL_FAILED'])[1 + i % 5], now()"
          + " FROM generate_series(1, 40000) i");
      h.execute("INSERT INTO vehicle_inventory (vin, iccid, cmp_user_id, state)"
          + " SELECT vin, iccid, cmp_user_id, state FROM profiles");
      h.execute("INSERT INTO timeline (topic, partition, \"offset\", message_id, occurred_at, event_type, cmp_user_id,"
          + " vin, iccid, msp_id, summary) SELECT 't', 0, i, 'm', now(), 'ProfileEnabled', 'u-' || (1 + i % 20000),"
          + " 'VIN' || lpad((1 + i % 20000)::text, 14, '0'), 'iccid-' || (1 + i % 40000), 'msp-1', 'profile enabled'"
          + " FROM generate_series(1, 200000) i");
    });
    try (var c = java.sql.DriverManager.getConnection(settings.jdbcUrl() + "?currentSchema=plans", settings.user(),
        settings.password()); var s = c.createStatement()) {
      s.execute("VACUUM ANALYZE"); // the visibility map, so counts can be index-only
    }

    List<Plan> plans = new ArrayList<>();
    Jdbi explaining = Database.connect(settings);
    SqlStatements statements = explaining.getConfig(SqlStatements.class);
    TemplateEngine plain = statements.getTemplateEngine();
    statements.setTemplateEngine((sql, ctx) -> "EXPLAIN " + plain.render(sql, ctx));
    statements.addCustomizer(new StatementCustomizer() {
      @Override
      public void afterExecution(PreparedStatement stmt, StatementContext ctx) throws SQLException {
        StringBuilder plan = new StringBuilder();
        // read to its end, left open: the view's mapper then finds no rows
        ResultSet rs = stmt.getResultSet();
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
        plans.add(new Plan(ctx.getRenderedSql(), plan.toString()));
      }
    });
    ProjectionReads reads = ProjectionReads.on(explaining);
    reads.users().subscriptions("u-500", null, 50);
    reads.users().vehicles("u-500", null, 50);
    reads.users().withdrawals("u-500", null, 50);
    reads.care().userTimeline("u-500", "0", 50);
    reads.care().vehicleTimeline("VIN00000000000500", null, 50);
    reads.care().inventory("VIN00000000000500", null, 50);
    reads.care().profileHistory("iccid-500", null, 50);
    reads.care().whyNoProfile("VIN00000000000500");
    reads.operations().profilesByState(null, 50);
    reads.operations().profilesByMsp(null, 50);
    reads.operations().federationsByMsp("msp-1/INVALIDATED", 50);

    StringBuilder report = new StringBuilder();
    for (Plan p : plans) {
      report.append(p.sql()).append('\n').append(p.plan()).append('\n');
    }
    Path out = Path.of("target", "query-plans.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
    System.out.println(report);
    assertThat(plans).hasSizeGreaterThanOrEqualTo(14);
    assertThat(plans).allSatisfy(p -> assertThat(p.plan()).as(p.sql()).doesNotContain("Seq Scan").contains("Index"));
  }
}
