package org.aidcmp.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.lifecycle.AccountIdIssued;
import org.aidcmp.schemas.registry.InMemorySchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A record that cannot be decoded, or breaks the contract, goes to aid.dlq.v1 with the reason; processing goes on. */
class DeadLetters_Test {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void anUndecodableRecordIsSkippedAndProcessingGoesOn() {
    h.rawInput(AidTopic.TOUCHPOINT_COMMANDS, "user-1", "{\"not\":\"avro\"}".getBytes());
    h.requestAccountId("user-1", Harness.MSP_A);
    assertThat(h.events(AccountIdIssued.class)).hasSize(1);
  }

  @Test
  void theHandlerMakesADeadLetterWithTheBytesTheReasonAndWhereTheyCameFrom() {
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
    handler.configure(Map.of(DeadLetterDeserializationHandler.REGISTRY_CLIENT, registry));
    byte[] garbage = "{\"not\":\"avro\"}".getBytes();
    ConsumerRecord<byte[], byte[]> record =
        new ConsumerRecord<>(AidTopic.AID2_UPLINK.topicName(), 3, 42L, "WBAUX11030A334483".getBytes(), garbage);

    DeserializationExceptionHandler.Response response = handler.handleError(context(record),
        record, new SerializationException("Unknown magic byte 123"));

    assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
    ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
    assertThat(dead.topic()).isEqualTo(AidTopic.DLQ.topicName());
    assertThat(dead.key()).isEqualTo("WBAUX11030A334483".getBytes());
    DeadLetterRecord value = new AvroDeserializer<>(registry, DeadLetterRecord.class)
        .deserialize(AidTopic.DLQ.topicName(), dead.value());
    DeadLetter letter = (DeadLetter) value.getPayload();
    assertThat(letter.getSourceTopic()).isEqualTo(AidTopic.AID2_UPLINK.topicName());
    assertThat(letter.getSourcePartition()).isEqualTo(3);
    assertThat(letter.getSourceOffset()).isEqualTo(42L);
    assertThat(letter.getReason()).contains("magic byte");
    assertThat(letter.getValue().array()).isEqualTo(garbage);
  }

  @Test
  void aRecordWithoutAKeyBreaksTheContractAndIsOneDeadLetter() {
    h.touchpoint(null, new org.aidcmp.schemas.touchpoint.AcceptAidTerms("user-1", null), h.newRequestId());
    assertThat(h.deadLetters()).singleElement().satisfies(d ->
        assertThat(((DeadLetter) d.getPayload()).getReason()).contains("without a key"));
  }

  /** Where Streams found the record: a plain value object of the handler's interface. */
  private static ErrorHandlerContext context(ConsumerRecord<byte[], byte[]> record) {
    return new ErrorHandlerContext() {
      public String topic() { return record.topic(); }
      public int partition() { return record.partition(); }
      public long offset() { return record.offset(); }
      public Headers headers() { return new RecordHeaders(); }
      public String processorNodeId() { return "aid2-uplink"; }
      public TaskId taskId() { return new TaskId(1, record.partition()); }
      public long timestamp() { return record.timestamp(); }
      public byte[] sourceRawKey() { return record.key(); }
      public byte[] sourceRawValue() { return record.value(); }
    };
  }
}
