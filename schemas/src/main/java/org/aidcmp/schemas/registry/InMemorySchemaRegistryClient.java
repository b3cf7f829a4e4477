package org.aidcmp.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.aidcmp.schemas.compat.CompatibilityChecker;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.apache.avro.Schema;

/**
 * A registry held in memory, with the same semantics as a real one (global ids, one version per distinct
 * schema, compatibility enforced), for places where no registry runs: Kafka Streams' TopologyTestDriver
 * tests and pure unit tests. Integration tests use the embedded registry server instead.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
  private final CompatibilityLevel globalLevel;
  private final Map<String, List<RegisteredSchema>> versionsBySubject = new HashMap<>();
  private final Map<String, CompatibilityLevel> levelsBySubject = new HashMap<>();
  private final Map<String, Integer> idsByCanonicalString = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();

  public InMemorySchemaRegistryClient() {
    this(CompatibilityLevel.BACKWARD);
  }

  public InMemorySchemaRegistryClient(CompatibilityLevel globalLevel) {
    this.globalLevel = globalLevel;
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    Optional<RegisteredSchema> existing = lookup(subject, schema);
    if (existing.isPresent()) {
      return existing.get().id();
    }
    List<RegisteredSchema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    List<String> problems = CompatibilityChecker.incompatibilities(
        compatibility(subject), schema, versions.stream().map(RegisteredSchema::schema).toList());
    if (!problems.isEmpty()) {
      throw new SchemaRegistryException(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
          "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\": "
              + problems);
    }
    int id = idsByCanonicalString.computeIfAbsent(canonical(schema), f -> schemasById.size() + 1);
    schemasById.putIfAbsent(id, schema);
    versions.add(new RegisteredSchema(subject, id, versions.size() + 1, schema));
    return id;
  }

  @Override
  public synchronized Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
    return schema;
  }

  @Override
  public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
    String canonical = canonical(schema);
    return versionsBySubject.getOrDefault(subject, List.of()).stream()
        .filter(v -> canonical(v.schema()).equals(canonical))
        .findFirst();
  }

  @Override
  public synchronized Optional<RegisteredSchema> latest(String subject) {
    List<RegisteredSchema> versions = versionsBySubject.getOrDefault(subject, List.of());
    return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
  }

  @Override
  public synchronized List<String> subjects() {
    return List.copyOf(versionsBySubject.keySet());
  }

  @Override
  public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
    List<String> problems = CompatibilityChecker.incompatibilities(compatibility(subject), schema,
        versionsBySubject.getOrDefault(subject, List.of()).stream().map(RegisteredSchema::schema).toList());
    return new CompatibilityResult(problems.isEmpty(), problems);
  }

  @Override
  public synchronized CompatibilityLevel compatibility(String subject) {
    return levelsBySubject.getOrDefault(subject, globalLevel);
  }

  @Override
  public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
    levelsBySubject.put(subject, level);
  }

  /**
   * Schemas are the same when their full JSON forms are, as Confluent compares them: the parsing canonical
   * form would drop defaults and docs, and a change of default is a new version.
   */
  private static String canonical(Schema schema) {
    return schema.toString();
  }
}
