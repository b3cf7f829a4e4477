package org.aidcmp.lifecycle;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps an aggregate's pure transitions: reads the state by the record's key, asks the decider, stores the
 * new state and forwards what the decision emits to the sink of each record's topic. A record the decider
 * cannot take (it breaks the contract) becomes a dead letter naming where it came from; processing goes on.
 */
public abstract class DecidingProcessor<S> implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private static final Logger log = LoggerFactory.getLogger(DecidingProcessor.class);

  private final String name;
  private final String storeName;
  protected ProcessorContext<String, SpecificRecord> context;
  protected KeyValueStore<String, S> store;

  protected DecidingProcessor(String name, String storeName) {
    this.name = name;
    this.storeName = storeName;
  }

  /** The sink node through which a processor writes to a topic. */
  public static String sinkName(String processor, AidTopic topic) {
    return processor + "-to-" + topic.topicName();
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (!accepts(record.value())) {
      return;
    }
    Outputs out = new Outputs(causeOf(record), Instant.ofEpochMilli(record.timestamp()));
    Decision<S> decision;
    try {
      if (record.key() == null) {
        throw new IllegalArgumentException("record without a key");
      }
      decision = decide(record.key(), store.get(record.key()), record.value(), out);
    } catch (RuntimeException e) {
      deadLetter(record, e);
      return;
    }
    if (decision != null) {
      apply(record.key(), decision, record.timestamp());
    }
  }

  /** Whether the record is for this aggregate (a source may feed several). */
  protected boolean accepts(SpecificRecord value) {
    return true;
  }

  /** The transition for this record, or null when the record is not for this aggregate. */
  protected abstract Decision<S> decide(String key, S state, SpecificRecord value, Outputs out);

  protected void apply(String key, Decision<S> decision, long timestamp) {
    S before = store.get(key);
    if (decision.state() == null) {
      if (before != null) {
        store.delete(key);
      }
    } else {
      store.put(key, decision.state());
    }
    stateChanged(key, before, decision.state());
    for (Emit emit : decision.emits()) {
      context.forward(new Record<>(emit.key(), emit.value(), timestamp), sinkName(name, emit.topic()));
    }
  }

  /** Hook for indexes kept beside the state (the AC deadlines). */
  protected void stateChanged(String key, S before, S after) {}

  private EnvelopeHeader causeOf(Record<String, SpecificRecord> record) {
    if (record.value() != null && record.value().get(0) instanceof EnvelopeHeader header) {
      return header;
    }
    // A tombstone has no header: one is made from where the record sits, so it is the same on a replay.
    String where = context.recordMetadata().map(m -> m.topic() + "/" + m.partition() + "/" + m.offset()).orElse("?");
    return Envelopes.header(Envelopes.derivedId(where), Outputs.SOURCE, null, null,
        Instant.ofEpochMilli(record.timestamp()));
  }

  private void deadLetter(Record<String, SpecificRecord> record, RuntimeException e) {
    Optional<RecordMetadata> where = context.recordMetadata();
    log.warn("{}: record {} of {} goes to the dead letters: {}", name,
        where.map(m -> m.partition() + "/" + m.offset()).orElse("?"), where.map(RecordMetadata::topic).orElse("?"),
        e.toString());
    DeadLetter letter = new DeadLetter(
        where.map(RecordMetadata::topic).orElse("unknown"),
        where.map(RecordMetadata::partition).orElse(-1),
        where.map(RecordMetadata::offset).orElse(-1L),
        record.key() == null ? null : java.nio.ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)),
        null,
        "lifecycle-streams/" + name,
        String.valueOf(e.getMessage()),
        e.getClass().getName(),
        1);
    String id = Envelopes.derivedId(letter.getSourceTopic(), Integer.toString(letter.getSourcePartition()),
        Long.toString(letter.getSourceOffset()), "dead-letter");
    DeadLetterRecord value = new DeadLetterRecord(
        Envelopes.header(id, Outputs.SOURCE, null, null, Instant.ofEpochMilli(record.timestamp())), letter);
    context.forward(new Record<>(record.key(), value, record.timestamp()), sinkName(name, AidTopic.DLQ));
  }
}
