package org.aidcmp.infra.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.aidcmp.schemas.compat.CompatibilityLevel;

/**
 * What the registry knows, rebuilt from its Kafka topic record by record. It is only ever changed by
 * {@link #apply}, from the one thread that tails the topic, so every node that reads the topic ends up
 * with the same state.
 *
 * <p>Record layout (JSON keys and values, modelled on Confluent's {@code _schemas} topic; keys are
 * unique per entity so compaction keeps the latest of each):
 *
 * <ul>
 *   <li>{@code {"keytype":"SCHEMA","subject":s,"version":v,"magic":1}} → {@code {"subject","version",
 *       "id","schema","deleted"}}; a null value (tombstone) is a permanent delete.
 *   <li>{@code {"keytype":"CONFIG","subject":s|null,"magic":0}} → {@code {"compatibilityLevel":...}};
 *       null removes it. A null subject is the global level.
 *   <li>{@code {"keytype":"ID_FLOOR","magic":0}} → {@code {"id":n}}: the highest id ever handed out,
 *       written before a permanent delete, so ids are never reused even after compaction drops the
 *       tombstoned schemas.
 * </ul>
 */
final class RegistryState {

  /** One version of one subject. */
  record Entry(String subject, int version, int id, String schema, boolean deleted) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, TreeMap<Integer, Entry>> subjects = new TreeMap<>();
  private final Map<Integer, String> schemasById = new HashMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel;
  private int idFloor;

  // ---- record encoding, used by the writer -------------------------------------------------

  static String schemaKey(String subject, int version) {
    ObjectNode key = JSON.createObjectNode();
    key.put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1);
    return key.toString();
  }

  static String schemaValue(Entry e) {
    ObjectNode value = JSON.createObjectNode();
    value.put("subject", e.subject()).put("version", e.version()).put("id", e.id());
    value.put("schema", e.schema()).put("deleted", e.deleted());
    return value.toString();
  }

  static String configKey(String subjectOrNull) {
    ObjectNode key = JSON.createObjectNode();
    key.put("keytype", "CONFIG").put("subject", subjectOrNull).put("magic", 0);
    return key.toString();
  }

  static String configValue(CompatibilityLevel level) {
    return JSON.createObjectNode().put("compatibilityLevel", level.name()).toString();
  }

  static String idFloorKey() {
    return JSON.createObjectNode().put("keytype", "ID_FLOOR").put("magic", 0).toString();
  }

  static String idFloorValue(int id) {
    return JSON.createObjectNode().put("id", id).toString();
  }

  // ---- applying records ---------------------------------------------------------------------

  /**
   * Applies one record of the topic.
   *
   * @throws IllegalArgumentException if the record is not one of ours (the caller skips it)
   */
  synchronized void apply(String key, String value) {
    JsonNode k = parse(key);
    JsonNode v = value == null ? null : parse(value);
    switch (k.path("keytype").asText()) {
      case "SCHEMA" -> applySchema(k.path("subject").asText(), k.path("version").asInt(), v);
      case "CONFIG" -> applyConfig(k.path("subject").isTextual() ? k.get("subject").asText() : null, v);
      case "ID_FLOOR" -> idFloor = Math.max(idFloor, v == null ? 0 : v.path("id").asInt());
      default -> throw new IllegalArgumentException("unknown key type");
    }
  }

  private void applySchema(String subject, int version, JsonNode v) {
    if (v == null) {
      TreeMap<Integer, Entry> versions = subjects.get(subject);
      Entry gone = versions == null ? null : versions.remove(version);
      if (versions != null && versions.isEmpty()) {
        subjects.remove(subject);
      }
      if (gone != null && entriesWithId(gone.id()).isEmpty()) {
        schemasById.remove(gone.id());
      }
      return;
    }
    Entry e =
        new Entry(subject, version, v.path("id").asInt(), v.path("schema").asText(),
            v.path("deleted").asBoolean(false));
    if (e.id() <= 0 || e.version() <= 0 || e.schema().isEmpty()) {
      throw new IllegalArgumentException("malformed schema record");
    }
    subjects.computeIfAbsent(subject, s -> new TreeMap<>()).put(version, e);
    schemasById.put(e.id(), e.schema());
    idFloor = Math.max(idFloor, e.id());
  }

  private void applyConfig(String subject, JsonNode v) {
    Optional<CompatibilityLevel> level =
        v == null ? Optional.empty() : CompatibilityLevel.parse(v.path("compatibilityLevel").asText(null));
    if (subject == null) {
      globalLevel = level.orElse(null);
    } else if (level.isPresent()) {
      subjectLevels.put(subject, level.get());
    } else {
      subjectLevels.remove(subject);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException("not JSON");
    }
  }

  // ---- queries (each returns a copy, safe to use outside the lock) --------------------------

  /** The versions of a subject, oldest first; soft-deleted ones only when asked for. */
  synchronized List<Entry> versions(String subject, boolean includeDeleted) {
    List<Entry> out = new ArrayList<>();
    TreeMap<Integer, Entry> versions = subjects.get(subject);
    if (versions != null) {
      versions.values().stream().filter(e -> includeDeleted || !e.deleted()).forEach(out::add);
    }
    return out;
  }

  /** Subject names in order: those with a live version, or with any version when asked for. */
  synchronized List<String> subjects(boolean includeDeleted) {
    TreeSet<String> out = new TreeSet<>();
    subjects.forEach(
        (name, versions) -> {
          if (includeDeleted || versions.values().stream().anyMatch(e -> !e.deleted())) {
            out.add(name);
          }
        });
    return List.copyOf(out);
  }

  synchronized Optional<String> schemaById(int id) {
    return Optional.ofNullable(schemasById.get(id));
  }

  synchronized Map<Integer, String> schemasById() {
    return Map.copyOf(schemasById);
  }

  /** Every subject version (live or soft-deleted) that uses this id. */
  synchronized List<Entry> entriesWithId(int id) {
    List<Entry> out = new ArrayList<>();
    subjects.values().forEach(vs -> vs.values().stream().filter(e -> e.id() == id).forEach(out::add));
    return out;
  }

  synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  synchronized Optional<CompatibilityLevel> globalLevel() {
    return Optional.ofNullable(globalLevel);
  }

  /** The highest id ever handed out; the next one is this plus one. */
  synchronized int maxId() {
    return idFloor;
  }
}
