package org.aidcmp.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes specific Avro records in Confluent's wire format under the subject {@code <topic>-value} (or
 * {@code -key}). The schema's id is looked up (or registered) once per topic and schema, then cached, so the
 * hot path never calls the registry.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
  static {
    AvroLimits.applyDefaults();
  }

  private SchemaRegistryClient registry;
  private boolean ownsRegistry;
  private boolean autoRegister = true;
  private boolean isKey;

  /** Ids by (topic, schema instance): generated classes share one schema instance, so this is cheap. */
  private final Map<String, Map<Schema, Integer>> idsByTopic = new ConcurrentHashMap<>();
  private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
  private final EncoderFactory encoders = EncoderFactory.get();

  /** For Kafka to instantiate; {@link #configure} must follow. */
  public AvroSerializer() {}

  public AvroSerializer(SchemaRegistryClient registry, boolean autoRegister) {
    this.registry = registry;
    this.autoRegister = autoRegister;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    if (registry == null) {
      registry = SerdeConfig.clientFrom(configs);
      ownsRegistry = true;
      autoRegister = SerdeConfig.autoRegister(configs);
    }
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null; // a tombstone stays a tombstone
    }
    Schema schema = record.getSchema();
    int id = idsByTopic.computeIfAbsent(topic, t -> new ConcurrentHashMap<>())
        .computeIfAbsent(schema, s -> schemaId(topic, s));
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_LENGTH);
      WireFormat.writeHeader(header, id);
      out.write(header.array());
      BinaryEncoder encoder = encoders.directBinaryEncoder(out, null);
      writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("could not write a " + schema.getFullName() + " for topic " + topic, e);
    }
  }

  private int schemaId(String topic, Schema schema) {
    String subject = topic + (isKey ? "-key" : "-value");
    try {
      if (autoRegister) {
        return registry.register(subject, schema);
      }
      return registry.lookup(subject, schema)
          .orElseThrow(() -> new SerializationException("schema " + schema.getFullName()
              + " is not registered under " + subject + " and auto.register.schemas is off"))
          .id();
    } catch (SchemaRegistryException e) {
      throw new SerializationException("schema registry refused " + schema.getFullName() + " under " + subject
          + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (ownsRegistry) {
      registry.close();
    }
  }
}
