package org.aidcmp.lifecycle;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record that decodes but breaks the contract (no key, a payload or tombstone the processor does not take
 * from that topic, an input a decider refuses) becomes a dead letter naming where it came from; processing
 * goes on. One place for every processor of the topology.
 */
public final class DeadLetters {
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  private DeadLetters() {}

  /** Forwards the letter through the processor's sink to aid.dlq.v1. */
  public static void forward(ProcessorContext<String, SpecificRecord> context, String processor, String key,
      long timestamp, String reason, String errorClass) {
    Optional<RecordMetadata> where = context.recordMetadata();
    log.warn("{}: record {} of {} goes to the dead letters: {}", processor,
        where.map(m -> m.partition() + "/" + m.offset()).orElse("?"), where.map(RecordMetadata::topic).orElse("?"),
        reason);
    // Counted here, at the edge: the deciders stay pure. A transaction Streams retries may count one twice.
    io.micrometer.core.instrument.Metrics.counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS,
        "stage", "lifecycle-streams/" + processor).increment();
    DeadLetter letter = new DeadLetter(
        where.map(RecordMetadata::topic).orElse("unknown"),
        where.map(RecordMetadata::partition).orElse(-1),
        where.map(RecordMetadata::offset).orElse(-1L),
        key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)),
        null,
        "lifecycle-streams/" + processor,
        reason,
        errorClass,
        1);
    String id = Envelopes.derivedId(letter.getSourceTopic(), Integer.toString(letter.getSourcePartition()),
        Long.toString(letter.getSourceOffset()), "dead-letter");
    DeadLetterRecord value = new DeadLetterRecord(
        Envelopes.header(id, Records.SOURCE, null, null, Instant.ofEpochMilli(timestamp)), letter);
    context.forward(new Record<>(key, value, timestamp), DecidingProcessor.sinkName(processor, AidTopic.DLQ));
  }

  /** The reason for a record the processor's dispatch table does not name. */
  public static String unexpected(String processor, Message message) {
    return processor + " does not take " + message.describe() + " from "
        + (message.topic() == null ? "itself" : message.topic());
  }
}
