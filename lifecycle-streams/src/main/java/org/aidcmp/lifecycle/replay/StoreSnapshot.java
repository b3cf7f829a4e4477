package org.aidcmp.lifecycle.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An aggregate store's content as its changelog holds it (the last committed value per key, tombstones
 * removing), decoded, so that two generations of the same store compare by content: Avro's equality of the
 * aggregate records (maps compare as maps, whatever the order they were written in), not bytes.
 *
 * @param latestWrite the latest timestamp of any record in the changelog (Long.MIN_VALUE when empty): no later
 *     than the last time the application changed the store
 */
public record StoreSnapshot(String store, Map<String, SpecificRecord> entries, long latestWrite) {

  /** What differs between an older and a newer snapshot of the same store. */
  public record Difference(String store, int before, int after, List<String> onlyBefore, List<String> onlyAfter,
      List<String> changed, List<String> changedFields) {
    public boolean identical() {
      return onlyBefore.isEmpty() && onlyAfter.isEmpty() && changed.isEmpty();
    }

    /** A few of the keys that differ, for a person. */
    public String sample() {
      List<String> some = new ArrayList<>();
      onlyBefore.stream().limit(3).forEach(k -> some.add("-" + shown(store, k)));
      onlyAfter.stream().limit(3).forEach(k -> some.add("+" + shown(store, k)));
      changed.stream().limit(3).forEach(k -> some.add("~" + shown(store, k)));
      return String.join(" ", some);
    }
  }

  /** Stores keyed by a secret (the routes: msp_tokens and sids), whose keys are shown only as a digest. */
  static final Set<String> SECRET_KEYS = Set.of(org.aidcmp.lifecycle.route.RoutesProcessor.STORE);

  /** A key as a person may see it. */
  static String shown(String store, String key) {
    return SECRET_KEYS.contains(store) ? "#" + org.aidcmp.schemas.Envelopes.derivedId("replay-key", key).substring(0, 8)
        : key;
  }

  /** How many changed keys get the names of their differing fields listed. */
  static final int FIELDS_SHOWN = 5;

  public Difference compareTo(StoreSnapshot after) {
    List<String> onlyBefore = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    Set<String> keys = new TreeSet<>(entries.keySet());
    for (String k : keys) {
      SpecificRecord newer = after.entries.get(k);
      if (newer == null) {
        onlyBefore.add(k);
      } else if (!Objects.equals(entries.get(k), newer)) {
        changed.add(k);
      }
    }
    List<String> onlyAfter = new ArrayList<>(new TreeSet<>(after.entries.keySet()));
    onlyAfter.removeAll(keys);
    List<String> fields = new ArrayList<>();
    changed.stream().limit(FIELDS_SHOWN).forEach(k ->
        fields.add(shown(store, k) + ": " + String.join(", ", fieldsThatDiffer(entries.get(k), after.entries.get(k)))));
    return new Difference(store, entries.size(), after.entries.size(), onlyBefore, onlyAfter, changed, fields);
  }

  /**
   * The names of the top-level fields in which two records of one type differ (names only: the values hold
   * msp_tokens and phone numbers, which are never printed).
   */
  public static List<String> fieldsThatDiffer(SpecificRecord before, SpecificRecord after) {
    List<String> out = new ArrayList<>();
    for (org.apache.avro.Schema.Field f : before.getSchema().getFields()) {
      if (!Objects.equals(before.get(f.pos()), after.get(f.pos()))) {
        out.add(f.name());
      }
    }
    return out;
  }

  /** The changelog topic Kafka Streams keeps for a store of the application. */
  public static String changelog(String applicationId, String store) {
    return applicationId + "-" + store + "-changelog";
  }

  /** Reads the store's changelog to its end (read_committed); an absent changelog is an empty store. */
  public static <V extends SpecificRecord> StoreSnapshot read(String bootstrapServers, SchemaRegistryClient registry,
      String applicationId, String store, Class<V> type, Duration limit) {
    String topic = changelog(applicationId, store);
    Map<String, SpecificRecord> entries = new HashMap<>();
    long latest = Long.MIN_VALUE;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000), new StringDeserializer(), new ByteArrayDeserializer());
        AvroDeserializer<V> values = new AvroDeserializer<>(registry, type)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        return new StoreSnapshot(store, entries, latest);
      }
      List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new LinkedHashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
      long deadline = System.nanoTime() + limit.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end in " + limit);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          latest = Math.max(latest, r.timestamp());
          if (r.value() == null) {
            entries.remove(r.key());
          } else {
            entries.put(r.key(), values.deserialize(topic, r.value()));
          }
        }
      }
    }
    return new StoreSnapshot(store, entries, latest);
  }
}
