package org.aidcmp.schemas.samples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;

/**
 * Random but valid envelopes of every message type of every topic: for round-trip tests, and for analytics
 * teams who want one record of each kind on their topics to try their consumers against (`aid samples`).
 */
public final class SampleEnvelopes {
  private SampleEnvelopes() {}

  /** One message type of one topic: the envelope with that payload branch. */
  public record Sample(AidTopic topic, String messageType, SpecificRecord envelope) {
    @Override
    public String toString() {
      return topic.topicName() + " / " + messageType;
    }
  }

  /** For every topic, one envelope per branch of its payload union. */
  public static List<Sample> everyMessageType(long seed) {
    List<Sample> samples = new ArrayList<>();
    for (AidTopic topic : AidTopic.values()) {
      Schema envelope = topic.valueSchema();
      Schema header = envelope.getField("header").schema();
      for (Schema branch : envelope.getField("payload").schema().getTypes()) {
        GenericRecord generic = new GenericData.Record(envelope);
        generic.put("header", random(header, seed));
        generic.put("payload", random(branch, seed + branch.getName().hashCode()));
        samples.add(new Sample(topic, branch.getName(), toSpecific(envelope, generic)));
      }
    }
    return samples;
  }

  /** Latest instant a sample holds: 2100-01-01, in epoch milliseconds. */
  private static final long LONG_BOUND = 4_102_444_800_000L;

  private static Object random(Schema schema, long seed) {
    return realistic(schema, new RandomData(schema, 1, seed).iterator().next());
  }

  /**
   * Random longs span 64 bits; real ones here are times, offsets and counters well below 2^53. Kept in range,
   * the samples decode in every language, also where numbers are doubles (JavaScript).
   */
  private static Object realistic(Schema schema, Object value) {
    switch (schema.getType()) {
      case LONG:
        return Math.floorMod((Long) value, LONG_BOUND);
      case RECORD:
        GenericRecord record = (GenericRecord) value;
        for (Schema.Field field : schema.getFields()) {
          record.put(field.pos(), realistic(field.schema(), record.get(field.pos())));
        }
        return record;
      case UNION:
        return value == null ? null : realistic(schema.getTypes().get(GenericData.get().resolveUnion(schema, value)), value);
      case ARRAY:
        @SuppressWarnings("unchecked")
        List<Object> items = (List<Object>) value;
        items.replaceAll(item -> realistic(schema.getElementType(), item));
        return items;
      default:
        return value;
    }
  }

  /** Through the Avro binary form, so the result is the generated class with Java strings and Instants. */
  private static SpecificRecord toSpecific(Schema schema, GenericRecord generic) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(schema).write(generic, encoder);
      encoder.flush();
      return new SpecificDatumReader<SpecificRecord>(schema)
          .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
