package org.aidcmp.schemas.serde;

import org.apache.avro.SystemLimitException;

/**
 * Bounds on what one Avro value may claim to hold. Avro allocates a string, bytes or array as large as the
 * length a record declares before it finds the record too short; without these bounds a corrupt record can
 * make the decoder allocate up to 2 GiB. No record of the platform comes near them (the largest, a dead
 * letter, holds one Kafka record of at most a few MiB). Avro reads them once per JVM from system properties;
 * they are set here only where the operator has not set them.
 */
final class AvroLimits {
  static final String MAX_STRING_LENGTH = String.valueOf(1 << 20);
  static final String MAX_BYTES_LENGTH = String.valueOf(16 << 20);
  static final String MAX_COLLECTION_ITEMS = String.valueOf(100_000);

  private AvroLimits() {}

  static void applyDefaults() {
    setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_STRING_LENGTH);
    setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_BYTES_LENGTH);
    setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS);
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }
}
