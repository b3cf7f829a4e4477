package org.aidcmp.schemas.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the Avro binary
 * encoding of the value.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_LENGTH = 5;

  private WireFormat() {}

  static void writeHeader(ByteBuffer into, int schemaId) {
    into.put(MAGIC_BYTE).putInt(schemaId);
  }

  /** The schema id of a record in the wire format; a clear error for anything else. */
  public static int schemaId(String topic, byte[] bytes) {
    if (bytes.length < HEADER_LENGTH) {
      throw new SerializationException("record of " + bytes.length + " bytes on topic " + topic
          + " is too short for the Confluent wire format (magic byte, 4-byte schema id, Avro)");
    }
    if (bytes[0] != MAGIC_BYTE) {
      throw new SerializationException("Unknown magic byte " + bytes[0] + " on topic " + topic
          + ": not a record in the Confluent wire format");
    }
    return ByteBuffer.wrap(bytes, 1, 4).getInt();
  }
}
