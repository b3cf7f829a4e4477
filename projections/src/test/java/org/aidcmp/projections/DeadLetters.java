package org.aidcmp.projections;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a test's dead-letter topic. */
final class DeadLetters {
  record Letter(String sourceTopic, int sourcePartition, long sourceOffset, String stage, String reason) {}

  private DeadLetters() {}

  /** Every letter on the topic, waiting (bounded) until at least {@code atLeast} are there. */
  static List<Letter> read(ProjectionsStack.Stack stack, String topic, int atLeast) {
    List<Letter> out = new ArrayList<>();
    try (KafkaConsumer<byte[], DeadLetterRecord> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers()),
        new ByteArrayDeserializer(), new AvroDeserializer<>(stack.registry, DeadLetterRecord.class))) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while ((consumer.position(tp) < end || out.size() < atLeast) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          DeadLetter l = (DeadLetter) r.value().getPayload();
          out.add(new Letter(l.getSourceTopic(), l.getSourcePartition(), l.getSourceOffset(), l.getStage(),
              l.getReason()));
        });
        if (out.size() < atLeast) {
          end = consumer.endOffsets(List.of(tp)).get(tp);
        }
      }
    }
    return out;
  }
}
