package org.aidcmp.lifecycle.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.streams.TopologyDescription;

/**
 * What a replay of lifecycle-streams resets, found on the broker before anything is touched (and all that
 * {@code --dry-run} prints): the application's consumer group and whether it has members, each input partition
 * from its earliest offset to its end (the records to reprocess), the topology's own catalogued topics (read and
 * written by it) that start at their end, the changelog and repartition topics Kafka Streams made for the
 * application, and the local state directory.
 *
 * <p>Which topic is which comes from the topology itself: a source it also writes is its own, derived, and
 * re-made by the replay; every other source is an input, the system of record.
 */
public record ReplayPlan(String applicationId, int groupMembers, Map<TopicPartition, Long> inputStart,
    Map<TopicPartition, Long> inputEnd, Map<TopicPartition, Long> ownTopicsEnd, List<String> streamsTopics,
    String stateDirectory) {

  /** Records the replay reprocesses (transaction markers included, so an upper bound by a few). */
  public long inputRecords() {
    long n = 0;
    for (var e : inputEnd.entrySet()) {
      n += e.getValue() - inputStart.getOrDefault(e.getKey(), 0L);
    }
    return n;
  }

  public Set<String> inputTopics() {
    return topics(inputEnd.keySet());
  }

  public Set<String> ownTopics() {
    return topics(ownTopicsEnd.keySet());
  }

  /** Records per input topic. */
  public Map<String, Long> inputRecordsByTopic() {
    Map<String, Long> byTopic = new LinkedHashMap<>();
    for (String t : inputTopics()) {
      long n = 0;
      for (var e : inputEnd.entrySet()) {
        if (e.getKey().topic().equals(t)) {
          n += e.getValue() - inputStart.getOrDefault(e.getKey(), 0L);
        }
      }
      byTopic.put(t, n);
    }
    return byTopic;
  }

  private static Set<String> topics(Set<TopicPartition> partitions) {
    Set<String> names = new TreeSet<>();
    partitions.forEach(tp -> names.add(tp.topic()));
    return names;
  }

  /** Looks at the broker; changes nothing. */
  public static ReplayPlan of(Admin admin, TopologyDescription topology, String applicationId, String stateDir) {
    Set<String> sources = new TreeSet<>();
    Set<String> sinks = new TreeSet<>();
    for (TopologyDescription.Subtopology s : topology.subtopologies()) {
      for (TopologyDescription.Node node : s.nodes()) {
        if (node instanceof TopologyDescription.Source source) {
          sources.addAll(source.topicSet());
        } else if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
          sinks.add(sink.topic());
        }
      }
    }
    Set<String> own = new TreeSet<>(sources);
    own.retainAll(sinks);
    Set<String> inputs = new TreeSet<>(sources);
    inputs.removeAll(own);
    try {
      Map<String, TopicDescription> described = admin.describeTopics(sources).allTopicNames().get(30, TimeUnit.SECONDS);
      List<TopicPartition> inputPartitions = partitions(described, inputs);
      List<TopicPartition> ownPartitions = partitions(described, own);
      Map<TopicPartition, Long> start = offsets(admin, inputPartitions, OffsetSpec.earliest());
      Map<TopicPartition, Long> end = offsets(admin, inputPartitions, OffsetSpec.latest());
      Map<TopicPartition, Long> ownEnd = offsets(admin, ownPartitions, OffsetSpec.latest());
      List<String> streamsTopics = new ArrayList<>();
      for (String t : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
        if (t.startsWith(applicationId + "-") && (t.endsWith("-changelog") || t.endsWith("-repartition"))) {
          streamsTopics.add(t);
        }
      }
      streamsTopics.sort(String::compareTo);
      return new ReplayPlan(applicationId, members(admin, applicationId), start, end, ownEnd, streamsTopics,
          java.nio.file.Path.of(stateDir, applicationId).toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while looking at the broker", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the broker did not describe the topology's topics: " + e.getMessage(), e);
    }
  }

  /** Members of the application's group now: a running lifecycle-streams instance is one (at least). */
  static int members(Admin admin, String applicationId) throws InterruptedException, ExecutionException,
      TimeoutException {
    try {
      ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId))
          .describedGroups().get(applicationId).get(30, TimeUnit.SECONDS);
      return group.members().size();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return 0;
      }
      throw e;
    }
  }

  private static List<TopicPartition> partitions(Map<String, TopicDescription> described, Set<String> topics) {
    List<TopicPartition> out = new ArrayList<>();
    for (String t : topics) {
      TopicDescription d = described.get(t);
      if (d == null) {
        throw new IllegalStateException("topic " + t + " does not exist (run aid up once to create the contract)");
      }
      d.partitions().forEach(p -> out.add(new TopicPartition(t, p.partition())));
    }
    return out;
  }

  static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> ask = new LinkedHashMap<>();
    partitions.forEach(tp -> ask.put(tp, spec));
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }
}
