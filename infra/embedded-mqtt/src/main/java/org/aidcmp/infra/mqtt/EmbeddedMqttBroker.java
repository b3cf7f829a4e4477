package org.aidcmp.infra.mqtt;

import com.codahale.metrics.Counter;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT 5 broker (HiveMQ CE, in this JVM) listening on 127.0.0.1, with file persistence under the
 * data directory: a new instance on the same directory keeps retained messages, persistent sessions
 * and their queued messages. The directory holds {@code conf/} (config.xml, rewritten at each start),
 * {@code data/} (HiveMQ's persistence) and {@code extensions/} (empty: extensions come in embedded).
 *
 * <p>Queues: HiveMQ drops a QoS 1/2 message without telling anyone when the queue of the client (or
 * of the shared-subscription group) it is for is full; it only counts it ({@link #droppedMessages()}).
 * Its default of 1,000 is a few hundred milliseconds of bridge traffic, so a bridge restart or a
 * subscriber with a small receive-maximum would lose messages. We default to
 * {@value #DEFAULT_MAX_QUEUE_SIZE} per client / shared group: queued messages sit in the file
 * persistence on disk, not on the heap, and at the measured 6-10 k QoS 1 messages/s that is minutes of
 * backlog. Strategy {@code discard} keeps the oldest (already promised) messages in order.
 *
 * <p>Server receive-maximum (how many unacknowledged QoS 1/2 PUBLISHes one client may have in flight
 * towards the broker) is raised from HiveMQ's 10 to {@value #DEFAULT_SERVER_RECEIVE_MAXIMUM}: enough for
 * the downlink publisher to pipeline through file persistence; a publisher over it is flow-controlled by
 * its client library, never dropped.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

  public static final long DEFAULT_MAX_QUEUE_SIZE = 1_000_000;
  public static final int DEFAULT_SERVER_RECEIVE_MAXIMUM = 100;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMqttBroker.class);
  private static final String HOST = "127.0.0.1";
  private static final String DROPPED_METRIC = "com.hivemq.messages.dropped.count";

  private final Path dataDir;
  private final int requestedPort;
  private final EmbeddedExtension extension;
  private final long maxQueueSize;
  private final int serverReceiveMaximum;
  private final Duration startTimeout;
  private final Duration stopTimeout;

  private EmbeddedHiveMQ hivemq;
  private int port;

  private EmbeddedMqttBroker(Builder builder) {
    this.dataDir = builder.dataDir.toAbsolutePath().normalize();
    this.requestedPort = builder.port;
    this.extension = builder.extension;
    this.maxQueueSize = builder.maxQueueSize;
    this.serverReceiveMaximum = builder.serverReceiveMaximum;
    this.startTimeout = builder.startTimeout;
    this.stopTimeout = builder.stopTimeout;
  }

  /** A broker on {@code dataDir} and {@code port} (0 picks a free loopback port), default limits. */
  public EmbeddedMqttBroker(Path dataDir, int port) {
    this(builder(dataDir).port(port));
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /**
   * Writes the configuration and starts the broker, waiting at most the start timeout.
   *
   * @throws IOException if the folders cannot be prepared, or the broker fails or is not up in time
   */
  public synchronized EmbeddedMqttBroker start() throws IOException {
    if (hivemq != null) {
      throw new IllegalStateException("Already started");
    }
    long begin = System.nanoTime();
    port = requestedPort != 0 ? requestedPort : freePort();
    Path conf = Files.createDirectories(dataDir.resolve("conf"));
    Files.writeString(conf.resolve("config.xml"), configXml(), StandardCharsets.UTF_8);
    EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(conf)
        .withDataFolder(Files.createDirectories(dataDir.resolve("data")))
        .withExtensionsFolder(Files.createDirectories(dataDir.resolve("extensions")))
        // HiveMQ would otherwise reconfigure Logback for the whole JVM; the application owns logging.
        .withoutLoggingBootstrap();
    if (extension != null) {
      builder.withEmbeddedExtension(extension);
    }
    hivemq = builder.build();
    try {
      hivemq.start().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      close();
      throw new IOException("MQTT broker on " + HOST + ":" + port + " (data " + dataDir + ") did not start within "
          + startTimeout, e instanceof ExecutionException ? e.getCause() : e);
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while starting the MQTT broker", e);
    }
    LOG.info("MQTT broker on {} (data {}) up in {} ms", serverUri(), dataDir,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    return this;
  }

  public int port() {
    if (hivemq == null) {
      throw new IllegalStateException("Not started");
    }
    return port;
  }

  /** E.g. {@code tcp://127.0.0.1:1883}. */
  public String serverUri() {
    return "tcp://" + HOST + ":" + port();
  }

  /** Messages HiveMQ dropped since this instance started (full queues among other reasons); should stay 0. */
  public long droppedMessages() {
    return Optional.ofNullable(hivemq)
        .map(h -> h.getMetricRegistry().getCounters().get(DROPPED_METRIC))
        .map(Counter::getCount)
        .orElse(0L);
  }

  /** Stops the broker (bounded by the stop timeout) and releases it; persistence is flushed by the stop. */
  @Override
  public synchronized void close() {
    if (hivemq == null) {
      return;
    }
    EmbeddedHiveMQ closing = hivemq;
    hivemq = null;
    try {
      closing.stop().get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("MQTT broker on port {} did not stop cleanly within {}", port, stopTimeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      closing.close();
    } catch (ExecutionException | RuntimeException e) {
      LOG.warn("Closing the MQTT broker failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String configXml() {
    return """
        <?xml version="1.0"?>
        <!-- Generated by EmbeddedMqttBroker at each start; edits are overwritten. -->
        <hivemq>
            <listeners>
                <tcp-listener>
                    <port>%d</port>
                    <bind-address>%s</bind-address>
                </tcp-listener>
            </listeners>
            <mqtt>
                <queued-messages>
                    <max-queue-size>%d</max-queue-size>
                    <strategy>discard</strategy>
                </queued-messages>
                <receive-maximum>
                    <server-receive-maximum>%d</server-receive-maximum>
                </receive-maximum>
            </mqtt>
            <persistence>
                <mode>file</mode>
            </persistence>
            <anonymous-usage-statistics>
                <enabled>false</enabled>
            </anonymous-usage-statistics>
        </hivemq>
        """.formatted(port, HOST, maxQueueSize, serverReceiveMaximum);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static final class Builder {
    private final Path dataDir;
    private int port;
    private EmbeddedExtension extension;
    private long maxQueueSize = DEFAULT_MAX_QUEUE_SIZE;
    private int serverReceiveMaximum = DEFAULT_SERVER_RECEIVE_MAXIMUM;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration stopTimeout = Duration.ofSeconds(30);

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    /** The loopback port; 0 (the default) picks a free one at each start. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** An extension running inside the broker, e.g. the AiD2 bridge's per-vehicle authentication. */
    public Builder extension(EmbeddedExtension extension) {
      this.extension = Objects.requireNonNull(extension, "extension");
      return this;
    }

    /** Messages queued per client and per shared-subscription group before HiveMQ drops new ones. */
    public Builder maxQueueSize(long maxQueueSize) {
      if (maxQueueSize < 1) {
        throw new IllegalArgumentException("maxQueueSize must be positive");
      }
      this.maxQueueSize = maxQueueSize;
      return this;
    }

    /** Unacknowledged QoS 1/2 PUBLISHes one client may send the broker at once (1..65535). */
    public Builder serverReceiveMaximum(int serverReceiveMaximum) {
      if (serverReceiveMaximum < 1 || serverReceiveMaximum > 65_535) {
        throw new IllegalArgumentException("serverReceiveMaximum must be in 1..65535");
      }
      this.serverReceiveMaximum = serverReceiveMaximum;
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

    public EmbeddedMqttBroker build() {
      return new EmbeddedMqttBroker(this);
    }
  }
}
