package org.aidcmp.schemas.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records in Confluent's wire format into specific Avro records: the writer schema comes from the
 * registry by the id in the record (fetched once, then cached), and is resolved against the reader type's
 * schema, so records written with older schema versions read into today's classes.
 *
 * <p>Anything that is not a valid record gives a {@link SerializationException} saying why: too short,
 * wrong magic byte, unknown schema id, or bytes that do not decode under the writer schema.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  static {
    AvroLimits.applyDefaults();
  }

  private SchemaRegistryClient registry;
  private boolean ownsRegistry;
  private Class<T> type;

  private final Map<Integer, SpecificDatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();
  private final DecoderFactory decoders = DecoderFactory.get();

  /** For Kafka to instantiate; {@link #configure} must follow. */
  public AvroDeserializer() {}

  public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
    this.registry = registry;
    this.type = type;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (registry == null) {
      registry = SerdeConfig.clientFrom(configs);
      ownsRegistry = true;
    }
    Object typeName = configs.get(SerdeConfig.SPECIFIC_VALUE_TYPE);
    if (type == null && typeName != null) {
      try {
        type = typeName instanceof Class<?> c
            ? (Class<T>) c
            : (Class<T>) Class.forName(typeName.toString());
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException(SerdeConfig.SPECIFIC_VALUE_TYPE + ": no class " + typeName, e);
      }
    }
  }

  @Override
  public T deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    int schemaId = WireFormat.schemaId(topic, bytes);
    SpecificDatumReader<T> reader = readersBySchemaId.computeIfAbsent(schemaId, id -> reader(topic, id));
    try {
      BinaryDecoder decoder = decoders.binaryDecoder(
          bytes, WireFormat.HEADER_LENGTH, bytes.length - WireFormat.HEADER_LENGTH, null);
      return reader.read(null, decoder);
    } catch (Exception e) {
      // Avro signals corrupt input in many ways (EOF, bad index, negative length, huge length): one answer.
      throw new SerializationException("record on topic " + topic + " does not decode under schema id "
          + schemaId + ": " + e.getClass().getSimpleName(), e);
    }
  }

  private SpecificDatumReader<T> reader(String topic, int schemaId) {
    Schema writer;
    try {
      writer = registry.schemaById(schemaId);
    } catch (SchemaRegistryException e) {
      throw new SerializationException("record on topic " + topic + " names schema id " + schemaId
          + " which the registry cannot give: " + e.getMessage(), e);
    }
    Schema readerSchema = type == null ? readerSchemaFor(writer) : SpecificData.get().getSchema(type);
    // Avro's resolution does not compare the top-level names: another topic's envelope would "decode" into
    // this one's, union branches picked by shape. A record of another type is refused instead.
    if (!writer.getFullName().equals(readerSchema.getFullName()) && !readerSchema.getAliases().contains(writer.getFullName())) {
      throw new SerializationException("record on topic " + topic + " is a " + writer.getFullName() + ", not a "
          + readerSchema.getFullName() + " (schema id " + schemaId + ")");
    }
    return new SpecificDatumReader<>(writer, readerSchema);
  }

  /** Without a configured type, the generated class named by the writer schema reads it. */
  private static Schema readerSchemaFor(Schema writer) {
    Class<?> generated = SpecificData.get().getClass(writer);
    if (generated == null) {
      throw new SerializationException("no generated class for " + writer.getFullName()
          + "; configure " + SerdeConfig.SPECIFIC_VALUE_TYPE);
    }
    return SpecificData.get().getSchema(generated);
  }

  @Override
  public void close() {
    if (ownsRegistry) {
      registry.close();
    }
  }
}
