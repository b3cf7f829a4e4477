package org.aidcmp.lifecycle.replay;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/** Kafka Streams' clients for a replay: the windowed main consumer and the counting producer; the rest as usual. */
final class ReplayClients implements KafkaClientSupplier {
  private final InputWindows windows;

  ReplayClients(InputWindows windows) {
    this.windows = windows;
  }

  @Override
  public org.apache.kafka.clients.admin.Admin getAdmin(Map<String, Object> config) {
    return org.apache.kafka.clients.admin.Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new CountingProducer(config, windows);
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return new WindowedConsumer(config, windows);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
