package org.aidcmp.projections;

import java.time.Duration;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.schemas.topics.AidTopic;

/**
 * Everything the projections need, read from the configuration in one place. {@code schema} is the PostgreSQL
 * schema the read models live in ({@code projections.schema}, default {@code projections}); a rebuild builds a
 * second one beside it and swaps them.
 */
public record ProjectionsSettings(
    String jdbcUrl,
    String user,
    String password,
    String schema,
    String kafkaBootstrapServers,
    String schemaRegistryUrl,
    String lifecycleEventsTopic,
    String vehicleEventsTopic,
    String deadLetterTopic,
    Duration pollTimeout,
    int maxPollRecords) {

  public static final String DEFAULT_SCHEMA = "projections";

  /** From the configuration; the endpoints must be set (the launcher fills in the embedded ones). */
  public static ProjectionsSettings from(AidConfig config) {
    return new ProjectionsSettings(
        config.require("postgres.jdbc.url"),
        config.get("postgres.user").orElse("postgres"),
        config.get("postgres.password").orElse(""),
        config.get("projections.schema").orElse(DEFAULT_SCHEMA),
        config.require("kafka.bootstrap.servers"),
        config.require("schema.registry.url"),
        AidTopic.LIFECYCLE_EVENTS.topicName(),
        AidTopic.VEHICLE_EVENTS.topicName(),
        AidTopic.DLQ.topicName(),
        Duration.ofMillis(config.getInt("projections.poll-ms", 100)),
        config.getInt("projections.max-poll-records", 500));
  }

  /** The same, on another schema (a rebuild's). */
  public ProjectionsSettings withSchema(String other) {
    return new ProjectionsSettings(jdbcUrl, user, password, other, kafkaBootstrapServers, schemaRegistryUrl,
        lifecycleEventsTopic, vehicleEventsTopic, deadLetterTopic, pollTimeout, maxPollRecords);
  }
}
