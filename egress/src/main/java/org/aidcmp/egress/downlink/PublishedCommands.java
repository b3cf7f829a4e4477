package org.aidcmp.egress.downlink;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The downlink's log of what it has published: its own input below its group's committed offsets (an offset
 * commits only behind the PUBACK of every record before it), read back at every assignment, plus what it took
 * since. A record is the same publish as one done when it has the same CommandId and the same record timestamp:
 * lifecycle-streams stamps an output with the time of the input that caused it, so a replay writes the same
 * command again with the same timestamp, while the Vehicle aggregate's legitimate re-send of a command still
 * unanswered (the vehicle came back online, §4.4 end condition c) carries the same CommandId but the time of
 * that presence, and goes out.
 *
 * <p>Kept on the heap per partition (the topic keeps 30 days); egress's executed log for MSP calls keeps its ids
 * in RocksDB instead, which is where this one would go for a large fleet.
 */
final class PublishedCommands {
  private static final Duration READ_LIMIT = Duration.ofSeconds(120);

  private final Map<TopicPartition, Set<String>> done = new ConcurrentHashMap<>();
  private final String bootstrapServers;
  private final AvroDeserializer<Aid2Downlink> envelopes;

  PublishedCommands(String bootstrapServers, AvroDeserializer<Aid2Downlink> envelopes) {
    this.bootstrapServers = bootstrapServers;
    this.envelopes = envelopes;
  }

  /** Reads each partition from its beginning up to {@code committed} (absent: nothing was published there). */
  void load(Map<TopicPartition, Long> committed) {
    Map<TopicPartition, Long> toRead = new HashMap<>();
    committed.forEach((tp, offset) -> {
      done.put(tp, ConcurrentHashMap.newKeySet());
      if (offset != null && offset > 0) {
        toRead.put(tp, offset);
      }
    });
    if (toRead.isEmpty()) {
      return;
    }
    try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      reader.assign(List.copyOf(toRead.keySet()));
      reader.seekToBeginning(toRead.keySet());
      long deadline = System.nanoTime() + READ_LIMIT.toNanos();
      Set<TopicPartition> open = new HashSet<>(toRead.keySet());
      while (!open.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("downlink: could not read its published commands back in " + READ_LIMIT);
        }
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.offset() < toRead.get(tp)) {
            String id = commandId(r);
            if (id != null) {
              done.get(tp).add(key(id, r.timestamp()));
            }
          }
        }
        open.removeIf(tp -> reader.position(tp) >= toRead.get(tp));
      }
    }
  }

  /** True when this record is a publish already done; otherwise it counts as done from now on. */
  boolean repeat(ConsumerRecord<String, byte[]> record, String commandId) {
    if (commandId == null) {
      return false;
    }
    Set<String> seen = done.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
        tp -> ConcurrentHashMap.newKeySet());
    return !seen.add(key(commandId, record.timestamp()));
  }

  void forget(TopicPartition tp) {
    done.remove(tp);
  }

  private String commandId(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      return null;
    }
    try {
      return envelopes.deserialize(r.topic(), r.value()).getHeader().getMessageId();
    } catch (RuntimeException undecodable) {
      return null; // dead-lettered when it was taken, never published
    }
  }

  private static String key(String commandId, long timestamp) {
    return commandId + '@' + timestamp;
  }
}
