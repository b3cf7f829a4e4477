package org.aidcmp.infra.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky's binaries, run as a child process) listening on 127.0.0.1 only,
 * over a data directory the caller owns. The directory is initialised ({@code initdb}) only when it
 * holds no cluster yet, so a new instance on the same directory finds every row the previous one left.
 *
 * <p>Authentication is scram-sha-256 for the superuser set at initdb time; a later instance must use
 * the same password. No Unix socket is opened: only TCP on loopback. Root is handled by
 * {@link UnprivilegedCommand}. The server is stopped with a fast shutdown on {@link #close()}, and by a
 * JVM shutdown hook if the owner forgets; a JVM killed with SIGKILL leaves the server running (its
 * {@code postmaster.pid} then makes the next start fail with PostgreSQL's own message).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  private static final String HOST = "127.0.0.1";
  private static final String LOG_FILE = "embedded-postgres.log";
  private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);

  private final Path dataDir;
  private final int requestedPort;
  private final String username;
  private final String password;
  private final Duration startTimeout;
  private final Duration stopTimeout;
  private final Map<String, String> settings;

  private Path installDir;
  private Process process;
  private int port;
  private Thread shutdownHook;

  private EmbeddedPostgresServer(Builder builder) {
    this.dataDir = builder.dataDir.toAbsolutePath().normalize();
    this.requestedPort = builder.port;
    this.username = builder.username;
    this.password = builder.password;
    this.startTimeout = builder.startTimeout;
    this.stopTimeout = builder.stopTimeout;
    this.settings = Map.copyOf(builder.settings);
  }

  /** A server on {@code dataDir} and {@code port} (0 picks a free loopback port), superuser postgres/postgres. */
  public EmbeddedPostgresServer(Path dataDir, int port) {
    this(builder(dataDir).port(port));
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /**
   * Unpacks the binaries if needed, initialises the data directory if it is new, starts the server
   * and waits (bounded by the start timeout) until it accepts a login.
   *
   * @throws IOException if a step fails or the server does not accept a login in time; the message
   *     carries the end of the server log
   */
  public synchronized EmbeddedPostgresServer start() throws IOException {
    if (process != null) {
      throw new IllegalStateException("Already started");
    }
    long begin = System.nanoTime();
    installDir = PostgresBinaries.install();
    if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
      initdb();
    }
    port = requestedPort != 0 ? requestedPort : freePort();
    List<String> command = new ArrayList<>(List.of(bin("postgres"), "-D", dataDir.toString(), "-p",
        Integer.toString(port), "-c", "listen_addresses=" + HOST, "-c", "unix_socket_directories="));
    settings.forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
    process = new ProcessBuilder(UnprivilegedCommand.of(command))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
        .start();
    shutdownHook = new Thread(this::stopQuietly, "embedded-postgres-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      awaitLogin();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    LOG.info("PostgreSQL on {}:{} (data {}) up in {} ms", HOST, port, dataDir,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    return this;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port() + "/" + database;
  }

  public int port() {
    if (process == null) {
      throw new IllegalStateException("Not started");
    }
    return port;
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** A new connection as the superuser; the caller closes it. */
  public Connection connect(String database) throws SQLException {
    return connect(database, 10);
  }

  private Connection connect(String database, int timeoutSeconds) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", username);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
    props.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /** Creates {@code name} unless it exists; returns whether it was created. */
  public boolean createDatabaseIfMissing(String name) throws SQLException {
    try (Connection c = connect("postgres")) {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return false;
          }
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
        return true;
      } catch (SQLException e) {
        if ("42P04".equals(e.getSQLState())) { // duplicate_database: someone else created it meanwhile
          return false;
        }
        throw e;
      }
    }
  }

  /** Fast shutdown (open sessions are rolled back), bounded by the stop timeout; then kills if needed. */
  @Override
  public synchronized void close() {
    if (process == null) {
      return;
    }
    try {
      if (process.isAlive()) {
        run(List.of(bin("pg_ctl"), "stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t",
            Long.toString(Math.max(1, stopTimeout.toSeconds()))), stopTimeout.plusSeconds(5));
      }
    } catch (IOException e) {
      LOG.warn("pg_ctl stop failed, killing PostgreSQL: {}", e.getMessage());
    } finally {
      try {
        if (!process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      process = null;
      removeShutdownHook();
    }
  }

  /** The server's process id (the postmaster); for tests and diagnostics. */
  long pid() {
    return process.pid();
  }

  private void initdb() throws IOException {
    Files.createDirectories(dataDir);
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
    // The password goes in a file readable by its owner only, never on a command line.
    Path passwordFile = Files.createTempFile("aid-pg-", ".pw",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(passwordFile, password + "\n");
      run(List.of(bin("initdb"), "-D", dataDir.toString(), "-U", username, "--pwfile=" + passwordFile,
          "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale"), INITDB_TIMEOUT);
    } finally {
      Files.deleteIfExists(passwordFile);
    }
    LOG.info("Initialised PostgreSQL data directory {}", dataDir);
  }

  private void awaitLogin() throws IOException {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("PostgreSQL exited with code " + process.exitValue() + " while starting; "
            + logTail());
      }
      // A short login bound: if something else owns the port, we notice the server's exit promptly.
      try (Connection ignored = connect("postgres", 1)) {
        return;
      } catch (SQLException e) {
        last = e;
        if (e.getSQLState() != null && e.getSQLState().startsWith("28")) { // invalid authorization
          throw new IOException("PostgreSQL in " + dataDir + " rejected the configured superuser "
              + username + " (initialised with other credentials?): " + e.getMessage(), e);
        }
      }
      sleep(100);
    }
    throw new IOException("PostgreSQL did not accept a login within " + startTimeout + " on port " + port
        + " (last error: " + (last == null ? "none" : last.getMessage()) + "); " + logTail(), last);
  }

  /** Runs a PostgreSQL tool to completion, bounded; its output goes into the exception if it fails. */
  private void run(List<String> command, Duration timeout) throws IOException {
    Path output = Files.createTempFile("aid-pg-", ".out");
    try {
      Process p = new ProcessBuilder(UnprivilegedCommand.of(command))
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      boolean finished;
      try {
        finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while running " + command.get(0), e);
      }
      if (!finished) {
        p.destroyForcibly();
        throw new IOException(command.get(0) + " did not finish within " + timeout);
      }
      if (p.exitValue() != 0) {
        throw new IOException(command.get(0) + " failed with code " + p.exitValue() + ": "
            + Files.readString(output, StandardCharsets.UTF_8).strip());
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private String bin(String tool) {
    return installDir.resolve("bin").resolve(tool).toString();
  }

  private Path logFile() {
    return dataDir.resolve(LOG_FILE);
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return "server log " + logFile() + " ends with:\n  "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "server log " + logFile() + " unreadable: " + e.getMessage();
    }
  }

  private void stopQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("Stopping PostgreSQL at JVM exit failed", e);
    }
  }

  private void removeShutdownHook() {
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook will find the server stopped.
      }
    }
    shutdownHook = null;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while waiting for PostgreSQL", e);
    }
  }

  /** The superuser's login unless {@link Builder#superuser} says otherwise: what a client of the default uses. */
  public static final String DEFAULT_USER = "postgres";
  public static final String DEFAULT_PASSWORD = "postgres";

  public static final class Builder {
    private final Path dataDir;
    private int port;
    private String username = DEFAULT_USER;
    private String password = DEFAULT_PASSWORD;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration stopTimeout = Duration.ofSeconds(30);
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    /** The loopback port; 0 (the default) picks a free one at each start. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The superuser created by initdb; later starts on the same directory must pass the same one. */
    public Builder superuser(String username, String password) {
      this.username = Objects.requireNonNull(username, "username");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** A server setting passed as {@code -c name=value}, e.g. {@code max_connections}. */
    public Builder setting(String name, String value) {
      settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public EmbeddedPostgresServer build() {
      return new EmbeddedPostgresServer(this);
    }
  }
}
