package org.aidcmp.ingress.aid2;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads aid.aid2.uplink.v1 and aid.dlq.v1 from their beginning, decoded, by key (the VIN). */
final class KafkaTap implements AutoCloseable {
  /** {@code stamp}: the broker's stamp the bridge derived the messageId from (Kafka header), null if none. */
  record Seen<T>(String key, T value, int partition, long offset, String writtenBy, String stamp) {}

  private static String writtenBy(ConsumerRecord<String, byte[]> r) {
    return header(r, Aid2Bridge.WRITTEN_BY_HEADER);
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroDeserializer<Aid2Uplink> uplinks;
  private final AvroDeserializer<DeadLetterRecord> letters;
  private final Map<String, List<Seen<Aid2Uplink>>> uplinkByKey = new ConcurrentHashMap<>();
  private final Map<String, List<Seen<DeadLetterRecord>>> lettersByKey = new ConcurrentHashMap<>();
  private final List<Seen<DeadLetterRecord>> keylessLetters = new CopyOnWriteArrayList<>();
  private final Thread thread = new Thread(this::run, "kafka-tap");
  private volatile boolean running = true;

  KafkaTap(String bootstrapServers, SchemaRegistryClient registry) {
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50),
        new StringDeserializer(), new ByteArrayDeserializer());
    uplinks = new AvroDeserializer<>(registry, Aid2Uplink.class);
    letters = new AvroDeserializer<>(registry, DeadLetterRecord.class);
    thread.setDaemon(true);
  }

  KafkaTap start() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (AidTopic t : List.of(AidTopic.AID2_UPLINK, AidTopic.DLQ)) {
      consumer.partitionsFor(t.topicName(), Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread.start();
    return this;
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.topic().equals(AidTopic.AID2_UPLINK.topicName())) {
            uplinkByKey.computeIfAbsent(String.valueOf(r.key()), k -> new CopyOnWriteArrayList<>())
                .add(new Seen<>(r.key(), uplinks.deserialize(r.topic(), r.value()), r.partition(), r.offset(),
                    writtenBy(r), header(r, Aid2Bridge.STAMP_HEADER)));
          } else {
            Seen<DeadLetterRecord> seen = new Seen<>(r.key(), letters.deserialize(r.topic(), r.value()), r.partition(),
                r.offset(), writtenBy(r), null);
            if (r.key() == null) {
              keylessLetters.add(seen);
            } else {
              lettersByKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>()).add(seen);
            }
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    }
  }

  List<Seen<Aid2Uplink>> uplinks(String vin) {
    return List.copyOf(uplinkByKey.getOrDefault(vin, List.of()));
  }

  List<Seen<DeadLetterRecord>> deadLetters(String vin) {
    return List.copyOf(lettersByKey.getOrDefault(vin, List.of()));
  }

  List<Seen<DeadLetterRecord>> keylessDeadLetters() {
    return List.copyOf(keylessLetters);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(2));
  }
}
