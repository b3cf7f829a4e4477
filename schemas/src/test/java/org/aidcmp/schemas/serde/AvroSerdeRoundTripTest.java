package org.aidcmp.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Stream;
import org.aidcmp.schemas.registry.InMemorySchemaRegistryClient;
import org.aidcmp.schemas.samples.SampleEnvelopes;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every message type of every topic survives our serde, and plain Avro reads what our serde wrote. */
class AvroSerdeRoundTripTest {
  private final SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, true);

  @TestFactory
  Stream<DynamicTest> everyMessageTypeRoundTripsThroughOurSerde() {
    return SampleEnvelopes.everyMessageType(42).stream().map(sample -> DynamicTest.dynamicTest(sample.toString(), () -> {
      String topic = sample.topic().topicName();
      byte[] bytes = serializer.serialize(topic, sample.envelope());

      AvroDeserializer<SpecificRecord> deserializer =
          new AvroDeserializer<>(registry, (Class<SpecificRecord>) sample.topic().valueType());
      assertThat(deserializer.deserialize(topic, bytes)).isEqualTo(sample.envelope());
    }));
  }

  @TestFactory
  Stream<DynamicTest> plainAvroReadsWhatOurSerdeWroteGivenTheSchemaFetchedById() {
    return SampleEnvelopes.everyMessageType(7).stream().map(sample -> DynamicTest.dynamicTest(sample.toString(), () -> {
      String topic = sample.topic().topicName();
      byte[] bytes = serializer.serialize(topic, sample.envelope());

      assertThat(bytes[0]).as("magic byte").isZero();
      int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
      assertThat(id).isEqualTo(registry.lookup(sample.topic().valueSubject(), sample.envelope().getSchema())
          .orElseThrow().id());

      Schema writer = registry.schemaById(id);
      GenericRecord generic = new GenericDatumReader<GenericRecord>(writer)
          .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
      assertThat(generic.getSchema().getFullName()).isEqualTo(sample.envelope().getSchema().getFullName());
      assertThat(((GenericRecord) generic.get("payload")).getSchema().getName()).isEqualTo(sample.messageType());
      GenericRecord header = (GenericRecord) generic.get("header");
      assertThat(header.get("messageId").toString())
          .isEqualTo(((org.apache.avro.specific.SpecificRecord) sample.envelope().get(0)).get(0));
      // Written again by plain Avro, the record is byte for byte what our serde wrote after the header.
      assertThat(plainAvroBytes(writer, generic)).isEqualTo(Arrays.copyOfRange(bytes, 5, bytes.length));
    }));
  }

  private static byte[] plainAvroBytes(Schema schema, GenericRecord record) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
