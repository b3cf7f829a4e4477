package org.aidcmp.egress;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The log of executed command ids is the results topic itself: a command has run when its result is there.
 * Read back to the end before any command is taken (and again at every partition assignment), so a command
 * runs once across restarts, crashes and a full replay of the outbound topic. Results are kept forever, so the
 * log is complete.
 */
final class ExecutedCommands implements AutoCloseable {
  private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(60);

  private final KafkaConsumer<String, Aid1Result> reader;
  private final String topic;
  private final Set<String> executed = ConcurrentHashMap.newKeySet();

  ExecutedCommands(EgressSettings settings, SchemaRegistryClient registry) {
    this.topic = settings.resultsTopic;
    this.reader = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.CLIENT_ID_CONFIG, settings.groupId + "-executed-log"),
        new StringDeserializer(), new AvroDeserializer<>(registry, Aid1Result.class));
  }

  /** Reads every result written so far (by this or any earlier worker); call from the polling thread. */
  void catchUp() {
    List<TopicPartition> partitions = reader.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    if (!reader.assignment().containsAll(partitions)) {
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
    }
    Map<TopicPartition, Long> end = reader.endOffsets(partitions, Duration.ofSeconds(30));
    long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
    while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey()) < e.getValue())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("could not read " + topic + " to its end within " + CATCH_UP_LIMIT);
      }
      for (ConsumerRecord<String, Aid1Result> r : reader.poll(Duration.ofMillis(200))) {
        if (r.value() != null) {
          executed.add(commandId(r.value()));
        }
      }
    }
  }

  boolean contains(String commandId) {
    return executed.contains(commandId);
  }

  void add(String commandId) {
    executed.add(commandId);
  }

  /** Every result payload names its command in the field {@code command}. */
  static String commandId(Aid1Result result) {
    SpecificRecord payload = (SpecificRecord) result.getPayload();
    return ((MspCallRef) payload.get(payload.getSchema().getField("command").pos())).getCommandId();
  }

  @Override
  public void close() {
    reader.close(Duration.ZERO);
  }
}
