package org.aidcmp.infra.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Stop and start again on the same data directory; each test owns its servers. */
@Timeout(180)
class EmbeddedPostgresRestartTest {

  @TempDir Path tmp;

  @Test
  void aNewInstanceOnTheSameDataDirectoryKeepsEveryRowAndLeavesNoProcessBehind() throws Exception {
    Path dataDir = tmp.resolve("pgdata");
    long firstPid;
    try (EmbeddedPostgresServer first = new EmbeddedPostgresServer(dataDir, 0).start()) {
      firstPid = first.pid();
      try (Connection c = first.connect("postgres"); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE profile (iccid text PRIMARY KEY)");
        for (int i = 0; i < 100; i++) {
          s.execute("INSERT INTO profile VALUES ('8949" + i + "')");
        }
      }
    }
    assertThat(ProcessHandle.of(firstPid)).isEmpty();
    assertThat(serverProcessesOn(dataDir)).isZero();
    UserPrincipal owner = Files.getOwner(dataDir.resolve("PG_VERSION"));

    long begin = System.nanoTime();
    try (EmbeddedPostgresServer second = EmbeddedPostgresServer.builder(dataDir).build().start()) {
      System.out.printf("restart on an initialised directory: %d ms%n", (System.nanoTime() - begin) / 1_000_000);
      try (Connection c = second.connect("postgres"); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM profile")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(100);
      }
      // Files written by the server keep the owner the first instance gave them: the JVM's own user.
      try (Connection c = second.connect("postgres"); Statement s = c.createStatement()) {
        s.execute("CHECKPOINT");
      }
      assertThat(Files.getOwner(dataDir.resolve("PG_VERSION"))).isEqualTo(owner);
      assertThat(Files.getOwner(dataDir.resolve("global/pg_control")).getName())
          .isEqualTo(System.getProperty("user.name"));
    }
    assertThat(serverProcessesOn(dataDir)).isZero();
  }

  @Test
  void failsClearlyAndCleansUpWhenThePortIsTaken() throws IOException {
    Path dataDir = tmp.resolve("pgdata-busy");
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      EmbeddedPostgresServer server = EmbeddedPostgresServer.builder(dataDir).port(busy.getLocalPort())
          .startTimeout(Duration.ofSeconds(30)).build();
      assertThatThrownBy(server::start)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("exited")
          .hasMessageContaining("could not");
    }
    assertThat(serverProcessesOn(dataDir)).isZero();
  }

  private static long serverProcessesOn(Path dataDir) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(cmd -> cmd.contains(dataDir.toString())).orElse(false))
        .count();
  }
}
