package org.aidcmp.egress.downlink;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.schemas.topics.AidTopic;

/**
 * What the vehicle downlink publisher needs, built from {@link AidConfig} in {@link #from} and nowhere else.
 *
 * @param groupId its own consumer group on the downlink topic
 * @param clientId its MQTT client id; two publishers must not share one (the broker would take the session over)
 * @param maxInFlight publishes awaiting their PUBACK at most; the broker's receive maximum lowers it further
 * @param commitInterval how often acknowledged offsets are committed
 * @param revokeGrace how long publishes of revoked partitions get for their PUBACK before the partition goes
 */
public record DownlinkSettings(
    String bootstrapServers,
    String groupId,
    String downlinkTopic,
    String dlqTopic,
    MqttEndpoint broker,
    String clientId,
    int maxInFlight,
    Duration commitInterval,
    Duration connectTimeout,
    Duration revokeGrace,
    MeterRegistry meterRegistry,
    Map<String, String> consumerOverrides) {

  public static final String DEFAULT_GROUP = "aid-downlink";
  public static final String CONSUMER_PREFIX = "downlink.consumer.";

  public DownlinkSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(broker, "broker");
    consumerOverrides = Map.copyOf(consumerOverrides);
    if (maxInFlight < 1 || maxInFlight > 65_535) {
      throw new IllegalArgumentException("downlink.max-in-flight must be in 1..65535, not " + maxInFlight);
    }
  }

  /** Defaults for everything but where Kafka and the broker are. */
  public static DownlinkSettings of(String bootstrapServers, MqttEndpoint broker) {
    return new DownlinkSettings(bootstrapServers, DEFAULT_GROUP, AidTopic.AID2_DOWNLINK.topicName(),
        AidTopic.DLQ.topicName(), broker, "aid-downlink-" + UUID.randomUUID().toString().substring(0, 8), 1_000,
        Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(10), Metrics.globalRegistry, Map.of());
  }

  /**
   * Keys beside the shared ones ({@code kafka.bootstrap.servers}, {@code mqtt.server.uri}):
   * {@code downlink.group.id}, {@code downlink.mqtt.client-id}, {@code downlink.mqtt.username},
   * {@code downlink.mqtt.password} (put it in the environment, {@code AID_DOWNLINK_MQTT_PASSWORD}),
   * {@code downlink.mqtt.tls.trusted} (PEM: the CA of the broker's certificate; for {@code ssl://}, else the
   * shared {@code mqtt.tls.trusted}),
   * {@code downlink.mqtt.tls.identity} (PEM: key and chain, when the broker wants a client certificate),
   * {@code downlink.max-in-flight}, {@code downlink.commit.interval.ms}, and any Kafka consumer setting as
   * {@code downlink.consumer.<setting>} (e.g. {@code downlink.consumer.group.instance.id}: static membership, so a
   * restarted publisher takes its partitions back at once).
   */
  public static DownlinkSettings from(AidConfig config) {
    String uri = config.require("mqtt.server.uri");
    MqttEndpoint broker = MqttEndpoint.of(uri);
    if (uri.startsWith("ssl:")) {
      String trustedKey = config.get("downlink.mqtt.tls.trusted").isPresent() ? "downlink.mqtt.tls.trusted" : "mqtt.tls.trusted";
      Path trusted = Path.of(config.get(trustedKey).orElseThrow(() -> new IllegalArgumentException(
          "mqtt.server.uri " + uri + " is TLS: downlink.mqtt.tls.trusted (or mqtt.tls.trusted) must name the PEM "
              + "CA certificate(s) of the broker")));
      broker = broker.withTls(MqttTls.fromPem(trusted, trustedKey,
          config.get("downlink.mqtt.tls.identity").map(Path::of).orElse(null), "downlink.mqtt.tls.identity"));
    }
    String username = config.get("downlink.mqtt.username").orElse(null);
    if (username != null) {
      broker = broker.withCredentials(username, config.get("downlink.mqtt.password").orElse(null));
    }
    DownlinkSettings s = of(config.require("kafka.bootstrap.servers"), broker)
        .withGroupId(config.get("downlink.group.id").orElse(DEFAULT_GROUP))
        .withMaxInFlight(config.getInt("downlink.max-in-flight", 1_000))
        .withCommitInterval(Duration.ofMillis(config.getInt("downlink.commit.interval.ms", 200)))
        .withConsumerOverrides(consumerOverrides(config));
    return config.get("downlink.mqtt.client-id").map(s::withClientId).orElse(s);
  }

  /** {@code downlink.consumer.*}, and static membership as {@code egress-downlink-<aid.instance-id>} when set. */
  private static Map<String, String> consumerOverrides(AidConfig config) {
    Map<String, String> overrides = new java.util.HashMap<>(config.withPrefix(CONSUMER_PREFIX));
    config.get("aid.instance-id").ifPresent(id -> overrides.putIfAbsent("group.instance.id", "egress-downlink-" + id));
    return overrides;
  }

  public DownlinkSettings withGroupId(String groupId) {
    return new DownlinkSettings(bootstrapServers, groupId, downlinkTopic, dlqTopic, broker, clientId, maxInFlight,
        commitInterval, connectTimeout, revokeGrace, meterRegistry, consumerOverrides);
  }

  public DownlinkSettings withTopics(String downlinkTopic, String dlqTopic) {
    return new DownlinkSettings(bootstrapServers, groupId, downlinkTopic, dlqTopic, broker, clientId, maxInFlight,
        commitInterval, connectTimeout, revokeGrace, meterRegistry, consumerOverrides);
  }

  public DownlinkSettings withBroker(MqttEndpoint broker) {
    return new DownlinkSettings(bootstrapServers, groupId, downlinkTopic, dlqTopic, broker, clientId, maxInFlight,
        commitInterval, connectTimeout, revokeGrace, meterRegistry, consumerOverrides);
  }

  public DownlinkSettings withClientId(String clientId) {
    return new DownlinkSettings(bootstrapServers, groupId, downlinkTopic, dlqTopic, broker, clientId, maxInFlight,
        commitInterval, connectTimeout, revokeGrace, meterRegistry, consumerOverrides);
  }

  public DownlinkSettings withMaxInFlight(int maxInFlight) {
    return new DownlinkSettings(bootstrapServers, groupId, downlinkTopic, dlqTopic, broker, clientId, maxInFlight,
        commitInterval, connectTimeout, revokeGrace, meterRegistry, consumerOverrides);
  }

  public DownlinkSettings withCommitInterval(Duration commitInterval) {
    return new DownlinkSettings(bootstrapServers, groupId, downlinkTopic, dlqTopic, broker, clientId, maxInFlight,
        commitInterval, connectTimeout, revokeGrace, meterRegistry, consumerOverrides);
  }

  /** Kafka consumer settings passed through (the publisher's own ones win: group, offsets, isolation). */
  public DownlinkSettings withConsumerOverrides(Map<String, String> consumerOverrides) {
    return new DownlinkSettings(bootstrapServers, groupId, downlinkTopic, dlqTopic, broker, clientId, maxInFlight,
        commitInterval, connectTimeout, revokeGrace, meterRegistry, consumerOverrides);
  }

  public DownlinkSettings withMeterRegistry(MeterRegistry meterRegistry) {
    return new DownlinkSettings(bootstrapServers, groupId, downlinkTopic, dlqTopic, broker, clientId, maxInFlight,
        commitInterval, connectTimeout, revokeGrace, meterRegistry, consumerOverrides);
  }
}
