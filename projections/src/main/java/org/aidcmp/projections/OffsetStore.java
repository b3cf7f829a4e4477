package org.aidcmp.projections;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.jdbi.v3.core.Handle;

/**
 * The consumed positions, kept in the database beside the rows they produced: the next offset to apply per
 * topic partition. Read with a row lock inside the transaction that applies, so two projectors on one schema
 * cannot both apply the same record.
 */
final class OffsetStore {
  private OffsetStore() {}

  static Map<TopicPartition, Long> all(Handle h) {
    Map<TopicPartition, Long> out = new HashMap<>();
    h.createQuery("SELECT topic, partition, next_offset FROM projection_offsets")
        .map((rs, ctx) -> Map.entry(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3)))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** The stored positions of {@code partitions}, locked until the transaction ends; absent: never applied. */
  static Map<TopicPartition, Long> lock(Handle h, Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      h.createUpdate("INSERT INTO projection_offsets (topic, partition, next_offset) VALUES (:t, :p, 0)"
              + " ON CONFLICT DO NOTHING")
          .bind("t", tp.topic()).bind("p", tp.partition()).execute();
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    for (TopicPartition tp : partitions) {
      out.put(tp, h.createQuery("SELECT next_offset FROM projection_offsets WHERE topic = :t AND partition = :p"
              + " FOR UPDATE")
          .bind("t", tp.topic()).bind("p", tp.partition()).mapTo(Long.class).one());
    }
    return out;
  }

  static void store(Handle h, TopicPartition tp, long nextOffset) {
    h.createUpdate("UPDATE projection_offsets SET next_offset = :o WHERE topic = :t AND partition = :p")
        .bind("t", tp.topic()).bind("p", tp.partition()).bind("o", nextOffset).execute();
  }

  static String generation(Handle h) {
    return h.createQuery("SELECT generation FROM projection_generation FOR SHARE").mapTo(String.class).one();
  }
}
