package org.aidcmp.schemas.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates the catalogued topics that do not exist yet, each with its configuration. Safe to run again. */
public final class TopicSetup {
  private TopicSetup() {}

  /** Returns the names of the topics created now. */
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
}
