package org.aidcmp.infra.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker, in KRaft mode (one process is both broker and controller), running
 * in this JVM on the loopback interface. The data directory is formatted the first time only, so a new
 * instance on the same directory (and port) finds every topic and record the previous one left.
 *
 * <p>Single-node settings: every internal topic has replication factor 1 and min ISR 1, otherwise the
 * group coordinator, transactions ({@code exactly_once_v2}) and share groups wait forever for replicas
 * that never come.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String HOST = "127.0.0.1";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final Path dataDir;
  private final int requestedPort;
  private final int requestedControllerPort;
  private final Duration startTimeout;
  private final Map<String, String> overrides;
  private final int nodeId;
  private final String clusterId;
  private final String quorumVoters;
  private final int replicationFactor;
  private final int minInsyncReplicas;

  private KafkaRaftServer server;
  private int port;

  private EmbeddedKafka(Builder builder) {
    this.dataDir = builder.dataDir.toAbsolutePath();
    this.requestedPort = builder.port;
    this.requestedControllerPort = builder.controllerPort;
    this.startTimeout = builder.startTimeout;
    this.overrides = Map.copyOf(builder.overrides);
    this.nodeId = builder.nodeId;
    this.clusterId = builder.clusterId;
    this.quorumVoters = builder.quorumVoters;
    this.replicationFactor = builder.replicationFactor;
    this.minInsyncReplicas = builder.minInsyncReplicas;
  }

  /** A broker on {@code dataDir} and {@code port} (0 picks a free loopback port). */
  public EmbeddedKafka(Path dataDir, int port) {
    this(builder(dataDir).port(port));
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /**
   * Formats the data directory if it is new, starts the broker and waits until it answers a metadata
   * request.
   *
   * @throws IllegalStateException if it is already started, or does not come up within the start timeout
   */
  public synchronized EmbeddedKafka start() {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    port = requestedPort != 0 ? requestedPort : freePort();
    int controllerPort = requestedControllerPort != 0 ? requestedControllerPort : freePort();
    Properties props = brokerProperties(port, controllerPort);
    KafkaConfig config = KafkaConfig.fromProps(props, false);
    formatIfNew(props);

    KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
    // startup() can block for a long time (e.g. waiting to be unfenced), so it runs on its own thread
    // and this one gives up after the bound instead of hanging.
    ExecutorService starter = Executors.newSingleThreadExecutor(EmbeddedKafka::daemon);
    long deadline = System.nanoTime() + startTimeout.toNanos();
    try {
      Future<?> started = starter.submit(candidate::startup);
      started.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
      awaitReady(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000_000L)));
    } catch (TimeoutException | ExecutionException | RuntimeException e) {
      shutdownQuietly(candidate);
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "Kafka broker on " + HOST + ":" + port + " (data " + dataDir + ") did not start within "
              + startTimeout, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shutdownQuietly(candidate);
      throw new IllegalStateException("interrupted while starting the Kafka broker", e);
    } finally {
      starter.shutdownNow();
    }
    server = candidate;
    LOG.info("Kafka broker up on {} (data {})", bootstrapServers(), dataDir);
    return this;
  }

  /** "127.0.0.1:port", for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + port();
  }

  /** The client port; known once started (or at once when a fixed port was given). */
  public int port() {
    if (port == 0 && requestedPort == 0) {
      throw new IllegalStateException("not started yet: the port is picked at start()");
    }
    return port != 0 ? port : requestedPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Shuts the broker down cleanly and waits until it has; a later instance may reuse dir and port. */
  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    KafkaRaftServer stopping = server;
    server = null;
    stopping.shutdown();
    stopping.awaitShutdown();
    LOG.info("Kafka broker on {}:{} stopped", HOST, port);
  }

  private Properties brokerProperties(int clientPort, int controllerPort) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(nodeId));
    // A static voter set (kraft.version 0): the controller's address is not written into the log,
    // so a restart of a single node may use a different controller port. A cluster names its voters.
    p.put("controller.quorum.voters", quorumVoters != null ? quorumVoters : nodeId + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("listeners", "PLAINTEXT://" + HOST + ":" + clientPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dataDir.toString());
    p.put("metadata.log.dir", dataDir.toString());

    // One broker: every internal topic with one replica, or transactions and groups never get going.
    // A cluster (replication(3, 2)) gets what a production cluster has.
    String rf = String.valueOf(replicationFactor);
    String isr = String.valueOf(minInsyncReplicas);
    p.put("offsets.topic.replication.factor", rf);
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", rf);
    p.put("transaction.state.log.min.isr", isr);
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", rf);
    p.put("share.coordinator.state.topic.min.isr", isr);
    p.put("share.coordinator.state.topic.num.partitions", "5");
    p.put("default.replication.factor", rf);
    p.put("min.insync.replicas", isr);
    p.put("group.initial.rebalance.delay.ms", "0");

    // Keep it modest: few threads, a small compaction buffer (the default takes 128 MB of heap).
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("background.threads", "2");
    p.put("log.cleaner.threads", "1");
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    // Compacted topics (reference data, the schema store) are cleaned soon after a segment rolls.
    p.put("log.cleaner.backoff.ms", "1000");

    p.putAll(overrides);
    Properties props = new Properties();
    props.putAll(p);
    return props;
  }

  /** Formats the directory once; a directory with meta.properties already belongs to a cluster. */
  private void formatIfNew(Properties props) {
    if (Files.exists(dataDir.resolve("meta.properties"))) {
      return;
    }
    try {
      Files.createDirectories(dataDir);
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(nodeId)
          .setClusterId(clusterId != null ? clusterId : Uuid.randomUuid().toString())
          .setDirectories(List.of(dataDir.toString()))
          .setMetadataLogDirectory(dataDir.toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setIgnoreFormatted(true)
          .run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("could not format the Kafka data directory " + dataDir, e);
    }
  }

  /** Startup returning is not enough: wait until the broker serves metadata to a client. */
  private void awaitReady(Duration bound) throws InterruptedException {
    Map<String, Object> conf =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    long deadline = System.nanoTime() + bound.toNanos();
    try (Admin admin = Admin.create(conf)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("broker does not answer metadata requests", e);
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("broker reports no live nodes");
        }
        Thread.sleep(100);
      }
    }
  }

  /** After a failed start the broker may be stuck half-way; clean up, but never wait unbounded. */
  private static void shutdownQuietly(KafkaRaftServer s) {
    Thread stopper =
        daemon(
            () -> {
              try {
                s.shutdown();
                s.awaitShutdown();
              } catch (RuntimeException e) {
                LOG.warn("Kafka broker did not shut down cleanly after a failed start", e);
              }
            });
    stopper.start();
    try {
      stopper.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "embedded-kafka-lifecycle");
    t.setDaemon(true);
    return t;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Options for an {@link EmbeddedKafka}. */
  public static final class Builder {
    private final Path dataDir;
    private int port;
    private int controllerPort;
    private Duration startTimeout = Duration.ofSeconds(60);
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private int nodeId = 1;
    private String clusterId;
    private String quorumVoters;
    private int replicationFactor = 1;
    private int minInsyncReplicas = 1;

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    /** The client port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = checkPort(port);
      return this;
    }

    /** The controller (KRaft) port; 0 (the default) picks a free one at each start. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = checkPort(controllerPort);
      return this;
    }

    /** How long {@link EmbeddedKafka#start()} waits before giving up (default 60 s). */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
      return this;
    }

    /** Any broker setting, applied over the defaults above. */
    public Builder config(String key, String value) {
      overrides.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /** This node's id (default 1); in a cluster one of the ids in {@link #quorumVoters}. */
    public Builder nodeId(int nodeId) {
      if (nodeId < 0) {
        throw new IllegalArgumentException("node id must not be negative: " + nodeId);
      }
      this.nodeId = nodeId;
      return this;
    }

    /**
     * One node of a cluster: every node is broker and controller, {@code voters} is
     * {@code id@host:controllerPort,...} (the same on every node) and {@code clusterId} the id every node's
     * data directory is formatted with. The controller port must then be fixed and be this node's in voters.
     */
    public Builder cluster(String clusterId, String voters) {
      this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
      this.quorumVoters = Objects.requireNonNull(voters, "voters");
      return this;
    }

    /** Replication factor and min ISR of internal and new topics (default 1 and 1, for one node). */
    public Builder replication(int replicationFactor, int minInsyncReplicas) {
      if (replicationFactor < 1 || minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
        throw new IllegalArgumentException(
            "need 1 <= min.insync.replicas <= replication factor, got " + minInsyncReplicas + " and " + replicationFactor);
      }
      this.replicationFactor = replicationFactor;
      this.minInsyncReplicas = minInsyncReplicas;
      return this;
    }

    public EmbeddedKafka build() {
      if (quorumVoters != null && controllerPort == 0) {
        throw new IllegalStateException("a cluster node needs its fixed controller port (the one in its voters)");
      }
      return new EmbeddedKafka(this);
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      return port;
    }
  }
}
