package org.aidcmp.lifecycle.replay;

import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The replay's producer: Kafka Streams' own, counting what the open transaction holds and the commits, and noting
 * the last offset it wrote per partition, so the replay can tell a window's chains settled (nothing sent that is not
 * committed, no commit since it looked, and every committed record visible to read_committed readers).
 */
final class CountingProducer extends KafkaProducer<byte[], byte[]> {
  private final InputWindows windows;

  CountingProducer(Map<String, Object> config, InputWindows windows) {
    super(config, new ByteArraySerializer(), new ByteArraySerializer());
    this.windows = windows;
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    return send(record, null);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
    windows.uncommittedSends.incrementAndGet();
    return super.send(record, (metadata, error) -> {
      if (error == null && metadata.hasOffset()) {
        windows.written.merge(new TopicPartition(metadata.topic(), metadata.partition()), metadata.offset(), Math::max);
      }
      if (callback != null) {
        callback.onCompletion(metadata, error);
      }
    });
  }

  @Override
  public void commitTransaction() {
    super.commitTransaction();
    windows.uncommittedSends.set(0);
    windows.commits.incrementAndGet();
  }

  @Override
  public void abortTransaction() {
    super.abortTransaction();
    windows.uncommittedSends.set(0);
    windows.commits.incrementAndGet(); // what it held comes again: the replay looks again
  }
}
