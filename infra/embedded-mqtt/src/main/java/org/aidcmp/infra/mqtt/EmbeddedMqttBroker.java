package org.aidcmp.infra.mqtt;

import com.codahale.metrics.Counter;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.aidcmp.infra.mqtt.auth.AidMqttSecurity;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.PasswordHash;
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
 *
 * <p>Security (README.md "Broker security"): with {@link Builder#authentication} every client must prove who
 * it is at CONNECT (client certificate from the vehicle CA on the TLS listener, or username and password on
 * either listener) and is held to the AiD2 ACL; a TLS listener ({@link Builder#tls}) runs beside the plain
 * loopback one and asks for (does not require) a client certificate. The builder makes the choice explicit:
 * {@link Builder#authentication}, an own {@link Builder#extension}, or {@link Builder#withoutAuthentication}.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

  public static final long DEFAULT_MAX_QUEUE_SIZE = 1_000_000;
  public static final int DEFAULT_SERVER_RECEIVE_MAXIMUM = 100;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMqttBroker.class);
  private static final String HOST = "127.0.0.1";
  private static final String DROPPED_METRIC = "com.hivemq.messages.dropped.count";

  private final Path dataDir;
  private final int requestedPort;
  private final Identity tlsIdentity;
  private final int requestedTlsPort;
  private final MqttCredentials credentials;
  private final EmbeddedExtension extension;
  private final long maxQueueSize;
  private final int serverReceiveMaximum;
  private final Duration startTimeout;
  private final Duration stopTimeout;

  private EmbeddedHiveMQ hivemq;
  private int port;
  private int tlsPort;

  private EmbeddedMqttBroker(Builder builder) {
    this.dataDir = builder.dataDir.toAbsolutePath().normalize();
    this.requestedPort = builder.port;
    this.tlsIdentity = builder.tlsIdentity;
    this.requestedTlsPort = builder.tlsPort;
    this.credentials = builder.credentials;
    this.extension = builder.credentials != null ? AidMqttSecurity.extension(builder.credentials) : builder.extension;
    this.maxQueueSize = builder.maxQueueSize;
    this.serverReceiveMaximum = builder.serverReceiveMaximum;
    this.startTimeout = builder.startTimeout;
    this.stopTimeout = builder.stopTimeout;
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
    tlsPort = tlsIdentity == null ? 0 : requestedTlsPort != 0 ? requestedTlsPort : freePort();
    Path conf = Files.createDirectories(dataDir.resolve("conf"));
    // Holds the key stores' passwords: owner only.
    Pem.writeOwnerOnly(conf.resolve("config.xml"), configXml(tlsIdentity == null ? "" : tlsListenerXml(conf)));
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
    LOG.info("MQTT broker on {}{} (data {}, {}) up in {} ms", serverUri(),
        tlsIdentity == null ? "" : " and " + tlsServerUri(), dataDir,
        credentials != null ? "clients authenticated" : extension != null ? "own extension" : "NO authentication",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    return this;
  }

  public int port() {
    if (hivemq == null) {
      throw new IllegalStateException("Not started");
    }
    return port;
  }

  /** E.g. {@code tcp://127.0.0.1:1883}: the plain loopback listener. */
  public String serverUri() {
    return "tcp://" + HOST + ":" + port();
  }

  /** The TLS listener's port; fails when the broker has none ({@link Builder#tls}). */
  public int tlsPort() {
    port();
    if (tlsIdentity == null) {
      throw new IllegalStateException("No TLS listener: see Builder.tls");
    }
    return tlsPort;
  }

  /** E.g. {@code ssl://127.0.0.1:8883}: the TLS listener (its certificate valid for 127.0.0.1 and localhost). */
  public String tlsServerUri() {
    return "ssl://" + HOST + ":" + tlsPort();
  }

  /** Whether a TLS listener runs beside the plain one. */
  public boolean hasTls() {
    return tlsIdentity != null;
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

  /**
   * The TLS listener: the server key store (and, with authentication, the vehicle CA as the trust store for client
   * certificates) written beside config.xml at each start, with fresh passwords.
   */
  private String tlsListenerXml(Path conf) throws IOException {
    Path dir = Files.createDirectories(conf.resolve("tls"));
    String keystorePassword = PasswordHash.newPassword();
    Path keystore = dir.resolve("server.p12");
    writeKeyStore(keystore, tlsIdentity.keyStore(keystorePassword.toCharArray()), keystorePassword);
    String trust = "";
    String clientAuth = "NONE";
    if (credentials != null) {
      String truststorePassword = PasswordHash.newPassword();
      Path truststore = dir.resolve("vehicle-ca.p12");
      writeKeyStore(truststore, Tls.trustStore(List.of(credentials.vehicleCa())), truststorePassword);
      trust = """
                          <truststore>
                              <path>%s</path>
                              <password>%s</password>
                          </truststore>
          """.formatted(truststore, truststorePassword);
      // Requested, not required: a car without a certificate may still log in with its password over TLS.
      clientAuth = "OPTIONAL";
    }
    return """
                <tls-tcp-listener>
                    <port>%d</port>
                    <bind-address>%s</bind-address>
                    <tls>
                        <keystore>
                            <path>%s</path>
                            <password>%s</password>
                            <private-key-password>%s</private-key-password>
                        </keystore>
        %s                <client-authentication-mode>%s</client-authentication-mode>
                    </tls>
                </tls-tcp-listener>
        """.formatted(tlsPort, HOST, keystore, keystorePassword, keystorePassword, trust, clientAuth);
  }

  private static void writeKeyStore(Path file, KeyStore store, String password) throws IOException {
    Files.deleteIfExists(file);
    Pem.writeOwnerOnly(file, ""); // created owner-only before the key goes in
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write " + file, e);
    }
  }

  private String configXml(String tlsListener) {
    return """
        <?xml version="1.0"?>
        <!-- Generated by EmbeddedMqttBroker at each start; edits are overwritten. -->
        <hivemq>
            <listeners>
                <tcp-listener>
                    <port>%d</port>
                    <bind-address>%s</bind-address>
                </tcp-listener>
        %s    </listeners>
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
        """.formatted(port, HOST, tlsListener, maxQueueSize, serverReceiveMaximum);
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
    private Identity tlsIdentity;
    private int tlsPort;
    private MqttCredentials credentials;
    private EmbeddedExtension extension;
    private boolean anonymous;
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

    /**
     * A TLS listener on 127.0.0.1 beside the plain one, presenting {@code serverIdentity} (e.g. issued by the
     * local CA for 127.0.0.1 and localhost); with {@link #authentication} it asks clients for a certificate of
     * the vehicle CA.
     */
    public Builder tls(Identity serverIdentity) {
      this.tlsIdentity = Objects.requireNonNull(serverIdentity, "serverIdentity");
      return this;
    }

    /** The TLS listener's loopback port; 0 (the default) picks a free one at each start. */
    public Builder tlsPort(int tlsPort) {
      this.tlsPort = tlsPort;
      return this;
    }

    /**
     * Every client authenticates against {@code credentials} (its store is read at each CONNECT, so identities
     * issued while the broker runs work at once) and is held to the AiD2 ACL.
     */
    public Builder authentication(MqttCredentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** An own extension deciding who connects and what they may do, instead of {@link #authentication}. */
    public Builder extension(EmbeddedExtension extension) {
      this.extension = Objects.requireNonNull(extension, "extension");
      return this;
    }

    /**
     * Lets any client connect and use any topic: for tests of the broker's own behaviour (queues, persistence)
     * only, never for anything a vehicle reaches.
     */
    public Builder withoutAuthentication() {
      this.anonymous = true;
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
      int choices = (credentials != null ? 1 : 0) + (extension != null ? 1 : 0) + (anonymous ? 1 : 0);
      if (choices != 1) {
        throw new IllegalStateException("say who may connect: exactly one of authentication(credentials), "
            + "extension(...) or withoutAuthentication()");
      }
      return new EmbeddedMqttBroker(this);
    }
  }
}
