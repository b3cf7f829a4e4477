package org.aidcmp.schemas.serde;

import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Serde factories for the platform's topics. */
public final class AvroSerde {
  private AvroSerde() {}

  /** A value serde for specific records of one type, registering schemas as needed. */
  public static <T extends SpecificRecord> Serde<T> of(Class<T> type, SchemaRegistryClient registry) {
    return Serdes.serdeFrom(new AvroSerializer<>(registry, true), new AvroDeserializer<>(registry, type));
  }

  /** The value serde of a catalogued topic. */
  @SuppressWarnings("unchecked")
  public static <T extends SpecificRecord> Serde<T> forTopic(AidTopic topic, SchemaRegistryClient registry) {
    return of((Class<T>) topic.valueType(), registry);
  }
}
