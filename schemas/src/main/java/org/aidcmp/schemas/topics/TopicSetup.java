package org.aidcmp.schemas.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Creates topics and returns only once every partition's leader serves requests. Safe to run again.
 *
 * <p>Why the wait: a producer with several requests in flight to a partition its leader has not set up yet can
 * have the first request refused (NOT_LEADER_OR_FOLLOWER) and a later one accepted; every retry of the first then
 * fails with OUT_OF_ORDER_SEQUENCE_NUMBER until the producer's delivery timeout drops its records (KAFKA-15591,
 * fixed from Kafka 4.5). ListOffsets passes the same leader check as a produce, so once it answers for every
 * partition the race is gone, and no record has to be written to find out.
 */
public final class TopicSetup {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private TopicSetup() {}

  /** Creates the catalogued topics that do not exist yet, each with its configuration; the names created now. */
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
      create(admin, missing);
      return missing.stream().map(NewTopic::name).toList();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create the platform's topics on " + bootstrapServers + ": " + e, e);
    }
  }

  /** Creates these topics and waits until every partition's leader answers (the class comment says why). */
  public static void create(Admin admin, Collection<NewTopic> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (topics.isEmpty()) {
      return;
    }
    admin.createTopics(topics).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
  }

  /** Returns once every partition of these topics answers ListOffsets from its leader, or throws after a minute. */
  public static void awaitLeaders(Admin admin, Collection<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    // A partition the broker has not set up yet answers UNKNOWN_TOPIC_OR_PARTITION (to describe and to ListOffsets)
    // or NOT_LEADER_OR_FOLLOWER, all retriable; the admin client gives some back at once, so ask again, bounded.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        Map<String, TopicDescription> described =
            admin.describeTopics(topics).allTopicNames().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.values().forEach(d -> d.partitions()
            .forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        admin.listOffsets(latest, new ListOffsetsOptions().timeoutMs((int) WAIT.toMillis()))
            .all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }
}
