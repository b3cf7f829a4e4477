package org.aidcmp.schemas.registry;

import java.util.List;
import java.util.Optional;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.apache.avro.Schema;

/**
 * What the platform needs of a schema registry, in the terms of Confluent Schema Registry's REST API. The
 * production implementation is {@link RestSchemaRegistryClient}, which works against Confluent Schema
 * Registry, Apicurio's ccompat API, Karapace, Redpanda and our embedded registry alike.
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /** Registers the schema under the subject, or finds it there already; returns its global id. */
  int register(String subject, Schema schema);

  /** The schema with this global id. */
  Schema schemaById(int id);

  /** The subject's version holding this schema, if it has been registered there. */
  Optional<RegisteredSchema> lookup(String subject, Schema schema);

  /** The subject's latest version, if the subject exists. */
  Optional<RegisteredSchema> latest(String subject);

  /** All subjects. */
  List<String> subjects();

  /** Whether the schema may be registered next under the subject, with the reasons when not. */
  CompatibilityResult testCompatibility(String subject, Schema schema);

  /** The level in force for the subject (its own, else the global one). */
  CompatibilityLevel compatibility(String subject);

  /** Sets the subject's own level. */
  void setCompatibility(String subject, CompatibilityLevel level);

  @Override
  default void close() {}

  /** One version of a subject. */
  record RegisteredSchema(String subject, int id, int version, Schema schema) {}

  /** The answer of a compatibility test. */
  record CompatibilityResult(boolean compatible, List<String> messages) {}
}
