package org.aidcmp.infra.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One server for the whole class, on a fresh data directory. */
@Timeout(120)
class EmbeddedPostgresServerTest {

  @TempDir static Path tmp;
  static EmbeddedPostgresServer server;

  @BeforeAll
  static void start() throws Exception {
    server = EmbeddedPostgresServer.builder(tmp.resolve("pgdata")).startTimeout(Duration.ofSeconds(60)).build();
    long begin = System.nanoTime();
    server.start();
    System.out.printf("first start (unpack + initdb + start): %d ms%n", (System.nanoTime() - begin) / 1_000_000);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void createsInsertsAndQueriesOverJdbc() throws SQLException {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"), server.username(), server.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE vehicle (vin text PRIMARY KEY, eid text NOT NULL)");
      s.execute("INSERT INTO vehicle VALUES ('WVW00000000000001', '89049032000000000000000000000001'),"
          + " ('WVW00000000000002', '89049032000000000000000000000002')");
      List<String> vins = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT vin FROM vehicle ORDER BY vin")) {
        while (rs.next()) {
          vins.add(rs.getString(1));
        }
      }
      assertThat(vins).containsExactly("WVW00000000000001", "WVW00000000000002");
    }
  }

  @Test
  void createsADatabaseOnlyOnce() throws SQLException {
    assertThat(server.createDatabaseIfMissing("aid_projections")).isTrue();
    assertThat(server.createDatabaseIfMissing("aid_projections")).isFalse();
    try (Connection c = server.connect("aid_projections"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("aid_projections");
    }
  }

  @Test
  void listensOnLoopbackAndRequiresThePassword() {
    assertThat(server.jdbcUrl("postgres")).isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres");
    assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl("postgres"), server.username(), "wrong"))
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
  }

  @Test
  void runsInAUserNamespaceWhenRoot() throws Exception {
    String serverUidMap = java.nio.file.Files.readString(Path.of("/proc", Long.toString(server.pid()), "uid_map"));
    if (UnprivilegedCommand.runningAsRoot()) {
      // Inside the namespace the server is 65534, mapped onto our own uid 0.
      assertThat(serverUidMap.trim().split("\\s+")).containsExactly(UnprivilegedCommand.NAMESPACE_UID, "0", "1");
    } else {
      assertThat(serverUidMap).isEqualTo(java.nio.file.Files.readString(Path.of("/proc/self/uid_map")));
    }
  }
}
