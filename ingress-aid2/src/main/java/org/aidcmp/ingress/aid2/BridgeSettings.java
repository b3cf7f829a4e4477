package org.aidcmp.ingress.aid2;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.schemas.topics.AidTopic;

/**
 * Everything the bridge is set up with, built from {@link AidConfig} in one place ({@link #from}).
 *
 * @param mqttHost / mqttPort the broker ({@code ingress.aid2.server.uri}, else {@code mqtt.server.uri}:
 *     {@code tcp://host:port}, or {@code ssl://host:port} for TLS, which then needs {@link Credentials#trustedCas})
 * @param credentials how the bridge proves who it is to the broker; {@link Credentials#NONE} on the loopback
 *     listener of the embedded broker without authentication
 * @param clientId the bridge's MQTT client id: one per instance and stable across its restarts, so it resumes
 *     its own persistent session
 * @param sessionExpiry how long the broker keeps the bridge's session (its shared subscriptions, and so the
 *     group's queue) while it is away. Long: a group all of whose sessions expired has no queue, and the broker
 *     drops what vehicles send
 * @param receiveMaximum how many QoS 1 messages the broker may have in flight to this bridge unacknowledged: the
 *     bridge's bound on messages it holds (each waits for Kafka before its PUBACK). The rest wait in the broker's
 *     queue for the group, on disk (EmbeddedMqttBroker: max-queue-size); HiveMQ drops only when that queue is
 *     full, never because of this limit
 * @param kafkaBootstrapServers / producerOverrides the producer (idempotent, acks=all are not overridable)
 * @param registryUrl / registryUserInfo the schema registry
 * @param uplinkTopic / dlqTopic where records and dead letters go (settable for tests)
 * @param retryBackoff how long a record Kafka refused waits before it is sent again (the MQTT message stays
 *     unacknowledged meanwhile)
 * @param repeatCheck how far back the bridge remembers the uplink records on the topic, to write a message the
 *     broker delivers again only once ({@link RepeatCheck})
 */
public record BridgeSettings(
    String mqttHost,
    int mqttPort,
    Credentials credentials,
    String clientId,
    Duration sessionExpiry,
    int receiveMaximum,
    String kafkaBootstrapServers,
    Map<String, String> producerOverrides,
    String registryUrl,
    String registryUserInfo,
    String uplinkTopic,
    String dlqTopic,
    Duration retryBackoff,
    RepeatCheck repeatCheck) {

  public static final String CLIENT_ID_PREFIX = "aid-bridge-";
  public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofDays(7);
  /**
   * 1,000 in flight: at a Kafka acknowledgement of a few ms that is far above what the broker delivers per
   * second, and at most 1,000 x 32 KB held by the bridge. A small value would only slow the bridge, never drop.
   */
  public static final int DEFAULT_RECEIVE_MAXIMUM = 1_000;

  /**
   * What the bridge reads back of aid.aid2.uplink.v1 to recognise a message already written (UplinkTail).
   *
   * @param window every record within this of the newest one on its partition is remembered: longer than a dead
   *     bridge takes to be noticed by the broker (its keep-alive) and its messages to reach another bridge
   * @param tailRecords and in any case the last this many records per partition: what was in flight when every
   *     bridge of the group was down, however long ago (at least the group's receive maximums together)
   * @param consumerOverrides the tail's Kafka consumer settings ({@code ingress.aid2.consumer.*}: security, ...)
   */
  public record RepeatCheck(Duration window, int tailRecords, Map<String, String> consumerOverrides) {
    public static final RepeatCheck DEFAULT = new RepeatCheck(Duration.ofMinutes(10), 10_000, Map.of());

    public RepeatCheck {
      consumerOverrides = Map.copyOf(consumerOverrides);
      if (window.isNegative() || tailRecords < 0) {
        throw new IllegalArgumentException("ingress.aid2.repeat-window-seconds and repeat-tail-records must be >= 0");
      }
    }
  }

  /**
   * How the bridge authenticates: MQTT username / password and / or a client certificate over TLS. Nothing here
   * says how they are issued; {@code trustedCas} non-empty turns TLS on.
   */
  public record Credentials(String username, byte[] password, Identity clientIdentity,
                            List<X509Certificate> trustedCas) {
    public static final Credentials NONE = new Credentials(null, null, null, List.of());

    public Credentials {
      trustedCas = trustedCas == null ? List.of() : List.copyOf(trustedCas);
      password = password == null ? null : password.clone();
    }

    public static Credentials password(String username, String password) {
      return new Credentials(username, password.getBytes(StandardCharsets.UTF_8), null, List.of());
    }

    public static Credentials tls(Identity clientIdentity, List<X509Certificate> trustedCas) {
      return new Credentials(null, null, clientIdentity, trustedCas);
    }

    public Credentials withPassword(String username, String password) {
      return new Credentials(username, password.getBytes(StandardCharsets.UTF_8), clientIdentity, trustedCas);
    }

    public boolean tls() {
      return !trustedCas.isEmpty();
    }

    /** Never the password or the key. */
    @Override
    public String toString() {
      return "Credentials[username=" + username + ", password=" + (password == null ? "none" : "****")
          + ", clientCertificate=" + (clientIdentity == null ? "none" : clientIdentity.certificate().getSubjectX500Principal())
          + ", tls=" + tls() + "]";
    }
  }

  public BridgeSettings {
    Objects.requireNonNull(mqttHost, "mqttHost");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    Objects.requireNonNull(registryUrl, "registryUrl");
    Objects.requireNonNull(repeatCheck, "repeatCheck");
    producerOverrides = Map.copyOf(producerOverrides);
    if (receiveMaximum < 1 || receiveMaximum > 65_535) {
      throw new IllegalArgumentException("ingress.aid2.receive-maximum must be in 1..65535, not " + receiveMaximum);
    }
    if (sessionExpiry.isNegative() || sessionExpiry.getSeconds() > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("ingress.aid2.session-expiry-seconds must be in 0..4294967295");
    }
  }

  /** The defaults around a broker, Kafka and a registry (tests, the harness). */
  public static BridgeSettings of(String mqttHost, int mqttPort, String kafkaBootstrapServers, String registryUrl,
      String instance) {
    return new BridgeSettings(mqttHost, mqttPort, Credentials.NONE, CLIENT_ID_PREFIX + instance,
        DEFAULT_SESSION_EXPIRY, DEFAULT_RECEIVE_MAXIMUM, kafkaBootstrapServers, Map.of(), registryUrl, null,
        AidTopic.AID2_UPLINK.topicName(), AidTopic.DLQ.topicName(), Duration.ofSeconds(1), RepeatCheck.DEFAULT);
  }

  public BridgeSettings withCredentials(Credentials credentials) {
    return new BridgeSettings(mqttHost, mqttPort, credentials, clientId, sessionExpiry, receiveMaximum,
        kafkaBootstrapServers, producerOverrides, registryUrl, registryUserInfo, uplinkTopic, dlqTopic, retryBackoff,
        repeatCheck);
  }

  public BridgeSettings withReceiveMaximum(int receiveMaximum) {
    return new BridgeSettings(mqttHost, mqttPort, credentials, clientId, sessionExpiry, receiveMaximum,
        kafkaBootstrapServers, producerOverrides, registryUrl, registryUserInfo, uplinkTopic, dlqTopic, retryBackoff,
        repeatCheck);
  }

  public BridgeSettings withProducerOverrides(Map<String, String> producerOverrides) {
    return new BridgeSettings(mqttHost, mqttPort, credentials, clientId, sessionExpiry, receiveMaximum,
        kafkaBootstrapServers, producerOverrides, registryUrl, registryUserInfo, uplinkTopic, dlqTopic, retryBackoff,
        repeatCheck);
  }

  /**
   * The settings from the configuration (config/aid.properties, keys {@code ingress.aid2.*}; see
   * ingress-aid2/README.md). {@code mqtt.server.uri}, {@code kafka.bootstrap.servers} and
   * {@code schema.registry.url} are required: the launcher sets them to the embedded stack's.
   */
  public static BridgeSettings from(AidConfig config) {
    URI broker = URI.create(config.get("ingress.aid2.server.uri").orElseGet(() -> config.require("mqtt.server.uri")));
    boolean tls = "ssl".equals(broker.getScheme()) || "mqtts".equals(broker.getScheme());
    if (!tls && !"tcp".equals(broker.getScheme()) && !"mqtt".equals(broker.getScheme())) {
      throw new IllegalArgumentException("mqtt.server.uri must be tcp://host:port or ssl://host:port, not " + broker);
    }
    // The CAs that sign the broker's certificate: the bridge's own, or what every AiD2 service trusts.
    List<X509Certificate> trusted = !tls ? List.of() : config.get("ingress.aid2.tls.trusted")
        .or(() -> config.get("mqtt.tls.trusted"))
        .map(file -> Pem.readCertificates(Pem.read(Path.of(file)))).orElse(List.of());
    if (tls && trusted.isEmpty()) {
      throw new IllegalArgumentException("the broker " + broker + " is TLS: ingress.aid2.tls.trusted (or"
          + " mqtt.tls.trusted) must name the PEM file of the CA(s) its certificate is signed by");
    }
    Identity identity = config.get("ingress.aid2.tls.identity")
        .map(file -> Pem.readIdentity(Pem.read(Path.of(file)))).orElse(null);
    Credentials credentials = new Credentials(config.get("ingress.aid2.username").orElse(null),
        config.get("ingress.aid2.password").map(p -> p.getBytes(StandardCharsets.UTF_8)).orElse(null),
        identity, trusted);
    return new BridgeSettings(
        broker.getHost(),
        broker.getPort() > 0 ? broker.getPort() : (tls ? 8883 : 1883),
        credentials,
        CLIENT_ID_PREFIX + config.get("ingress.aid2.instance-id").or(() -> config.get("aid.instance-id"))
            .orElse("local"),
        Duration.ofSeconds(Long.parseLong(config.get("ingress.aid2.session-expiry-seconds")
            .orElse(Long.toString(DEFAULT_SESSION_EXPIRY.getSeconds())))),
        config.getInt("ingress.aid2.receive-maximum", DEFAULT_RECEIVE_MAXIMUM),
        config.require("kafka.bootstrap.servers"),
        config.withPrefix("ingress.aid2.producer."),
        config.require("schema.registry.url"),
        config.get("schema.registry.basic.auth.user.info").orElse(null),
        AidTopic.AID2_UPLINK.topicName(),
        AidTopic.DLQ.topicName(),
        Duration.ofMillis(config.getInt("ingress.aid2.retry-backoff-ms", 1000)),
        new RepeatCheck(
            Duration.ofSeconds(config.getInt("ingress.aid2.repeat-window-seconds",
                (int) RepeatCheck.DEFAULT.window().getSeconds())),
            config.getInt("ingress.aid2.repeat-tail-records", RepeatCheck.DEFAULT.tailRecords()),
            config.withPrefix("ingress.aid2.consumer.")));
  }
}
