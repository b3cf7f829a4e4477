package org.aidcmp.lifecycle;

import java.time.Instant;
import java.util.Optional;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs an aggregate's deciders: finds the decider for the record by its source topic and payload type
 * ({@link Dispatch}), reads the state once by the record's key, hands state, message and time to the
 * decider, writes the new state only if it changed and forwards what the decision emits to the sink of each
 * record's topic. A record no decider takes, or one its decider refuses, becomes a dead letter; processing
 * goes on.
 */
public abstract class DecidingProcessor<S> implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private final String name;
  private final String storeName;
  private final Dispatch<S> dispatch;
  protected ProcessorContext<String, SpecificRecord> context;
  protected KeyValueStore<String, S> store;

  protected DecidingProcessor(String name, String storeName, Dispatch<S> dispatch) {
    this.name = name;
    this.storeName = storeName;
    this.dispatch = dispatch;
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
    if (record.key() == null) {
      DeadLetters.forward(context, name, null, record.timestamp(), "record without a key",
          IllegalArgumentException.class.getName());
      return;
    }
    Optional<RecordMetadata> where = context.recordMetadata();
    Message message = Message.of(record.key(), where.map(RecordMetadata::topic).orElse(null), record.value(),
        record.value() == null ? tombstoneCause(where, record.timestamp()) : null);
    decide(message, record.timestamp());
  }

  /** Decides one message (a record, or one the processor makes itself) and applies the decision. */
  protected void decide(Message message, long timestamp) {
    Optional<Decider<S>> decider = dispatch.find(message);
    if (decider.isEmpty()) {
      DeadLetters.forward(context, name, message.key(), timestamp, DeadLetters.unexpected(name, message),
          IllegalArgumentException.class.getName());
      return;
    }
    S before = store.get(message.key());
    Decision<S> decision;
    try {
      decision = decider.get().decide(before, message, Instant.ofEpochMilli(timestamp));
    } catch (RuntimeException e) {
      DeadLetters.forward(context, name, message.key(), timestamp, String.valueOf(e.getMessage()),
          e.getClass().getName());
      return;
    }
    apply(message.key(), before, decision, timestamp);
  }

  private void apply(String key, S before, Decision<S> decision, long timestamp) {
    S after = decision.state();
    if (after != before) {
      if (after == null) {
        store.delete(key);
      } else {
        store.put(key, after);
      }
      stateChanged(key, before, after);
    }
    for (Emit emit : decision.emits()) {
      context.forward(new Record<>(emit.key(), emit.value(), timestamp), sinkName(name, emit.topic()));
    }
  }

  /** Hook for indexes kept beside the state (the AC deadlines). */
  protected void stateChanged(String key, S before, S after) {}

  /** A tombstone has no header: one is made from where the record sits, so it is the same on a replay. */
  private static EnvelopeHeader tombstoneCause(Optional<RecordMetadata> where, long timestamp) {
    String place = where.map(m -> m.topic() + "/" + m.partition() + "/" + m.offset()).orElse("?");
    return Envelopes.header(Envelopes.derivedId(place), Records.SOURCE, null, null, Instant.ofEpochMilli(timestamp));
  }
}
