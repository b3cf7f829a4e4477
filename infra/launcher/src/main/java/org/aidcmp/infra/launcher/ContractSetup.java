package org.aidcmp.infra.launcher;

import java.util.List;
import java.util.Map;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.topics.TopicSetup;

/**
 * Makes the running platform match the contract: every catalogued topic exists with its configuration, and
 * every topic's value schema is registered under its subject, which holds new versions to
 * BACKWARD_TRANSITIVE (as the build does). Safe to run again: what exists is left as it is.
 */
public final class ContractSetup {
  private ContractSetup() {}

  /** Creates the catalogued topics that do not exist yet; returns the names created. */
  public static List<String> ensureTopics(String bootstrapServers, int partitions, short replicationFactor) {
    return TopicSetup.ensureTopics(bootstrapServers, partitions, replicationFactor);
  }

  /** Registers every topic's value schema and sets its subject to BACKWARD_TRANSITIVE; returns subject ids. */
  public static Map<String, Integer> registerSchemas(SchemaRegistryClient registry) {
    Map<String, Integer> ids = new java.util.LinkedHashMap<>();
    for (AidTopic topic : AidTopic.values()) {
      registry.setCompatibility(topic.valueSubject(), CompatibilityLevel.BACKWARD_TRANSITIVE);
      ids.put(topic.valueSubject(), registry.register(topic.valueSubject(), topic.valueSchema()));
    }
    return ids;
  }
}
