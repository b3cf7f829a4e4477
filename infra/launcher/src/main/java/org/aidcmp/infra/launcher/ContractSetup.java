package org.aidcmp.infra.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Makes the running platform match the contract: every catalogued topic exists with its configuration, and
 * every topic's value schema is registered under its subject, which holds new versions to
 * BACKWARD_TRANSITIVE (as the build does). Safe to run again: what exists is left as it is.
 */
public final class ContractSetup {
  private ContractSetup() {}

  /** Creates the catalogued topics that do not exist yet; returns the names created. */
  public static List<String> ensureTopics(String bootstrapServers, int partitions, short replicationFactor) {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (AidTopic topic : AidTopic.values()) {
        if (!existing.contains(topic.topicName())) {
          missing.add(new NewTopic(topic.topicName(), partitions, replicationFactor).configs(topic.topicConfig()));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
      }
      return missing.stream().map(NewTopic::name).toList();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create the platform's topics on " + bootstrapServers + ": " + e, e);
    }
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
