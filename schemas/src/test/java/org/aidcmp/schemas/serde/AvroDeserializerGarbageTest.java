package org.aidcmp.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.registry.InMemorySchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Decoding garbage gives a clear error, never a hang or a crash of the caller. */
class AvroDeserializerGarbageTest {
  private static final String TOPIC = AidTopic.AID1_INBOUND.topicName();
  private final SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final AvroDeserializer<Aid1Inbound> deserializer = new AvroDeserializer<>(registry, Aid1Inbound.class);

  @Test
  void tooShortForTheWireFormat() {
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void wrongMagicByte() {
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, "{\"json\":true}".getBytes()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Unknown magic byte");
  }

  @Test
  void unknownSchemaId() {
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 0, 0, 99, 1, 2, 3}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id 99");
  }

  @Test
  void tombstoneStaysNull() {
    assertThat(deserializer.deserialize(TOPIC, null)).isNull();
  }

  @Test
  void randomBodiesUnderAValidSchemaIdNeverDecodeSilentlyWrongOrHang() {
    int id = registry.register(AidTopic.AID1_INBOUND.valueSubject(), Aid1Inbound.getClassSchema());
    Random random = new Random(20261125L);
    int decodedByChance = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] body = new byte[random.nextInt(64)];
      random.nextBytes(body);
      byte[] bytes = ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
      try {
        Aid1Inbound decoded = deserializer.deserialize(TOPIC, bytes);
        assertThat(decoded).isNotNull(); // a random body may happen to be a valid record
        decodedByChance++;
      } catch (SerializationException expected) {
        assertThat(expected).hasMessageContaining("does not decode");
      }
    }
    assertThat(decodedByChance).isLessThan(20_000);
  }
}
