package org.aidcmp.infra.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.aidcmp.infra.registry.RegistryState.Entry;
import org.aidcmp.schemas.compat.CompatibilityChecker;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The registry's rules (Confluent's semantics), over the state read from Kafka and the log written to
 * it. Reads go straight to the state; every change is decided and written under one lock, and the lock
 * is held until the write has been read back, so ids and versions are handed out once each.
 *
 * <p>Only one registry node may write to a topic at a time (no leader election).
 */
final class Registry {

  private final RegistryState state;
  private final KafkaLog log;
  private final CompatibilityLevel defaultLevel;
  private final Object writeLock = new Object();
  private final Map<Integer, Schema> parsedById = new ConcurrentHashMap<>();

  Registry(RegistryState state, KafkaLog log, CompatibilityLevel defaultLevel) {
    this.state = state;
    this.log = log;
    this.defaultLevel = defaultLevel;
  }

  /** A schema from a request: parsed, checked, and in the form it is stored and compared in. */
  record Candidate(Schema schema, String canonical, String parsingForm) {

    static Candidate parse(String text, String schemaType, boolean hasReferences) {
      if (schemaType != null && !schemaType.isBlank()
          && !schemaType.trim().toUpperCase(Locale.ROOT).equals("AVRO")) {
        throw RegistryException.invalidSchema(
            "schema type " + schemaType + " is not supported; this registry supports AVRO only");
      }
      if (hasReferences) {
        throw RegistryException.invalidSchema("schema references are not supported by this registry");
      }
      if (text == null || text.isBlank()) {
        throw RegistryException.invalidSchema("empty schema");
      }
      Schema schema;
      try {
        schema = new Schema.Parser().parse(text);
      } catch (RuntimeException e) {
        throw RegistryException.invalidSchema(String.valueOf(e.getMessage()));
      }
      return new Candidate(schema, schema.toString(), SchemaNormalization.toParsingForm(schema));
    }

    /**
     * Same schema: Avro's full rendering (whitespace and attribute order do not matter; docs, defaults
     * and logical types do, as in Confluent). With {@code normalize}, the parsing canonical form alone.
     */
    Predicate<String> sameAs(boolean normalize) {
      return stored -> stored.equals(canonical)
          || (normalize && SchemaNormalization.toParsingForm(new Schema.Parser().parse(stored)).equals(parsingForm));
    }
  }

  // ---- schemas and subjects -----------------------------------------------------------------

  int register(String subject, Candidate candidate, boolean normalize) {
    synchronized (writeLock) {
      List<Entry> all = state.versions(subject, true);
      Predicate<String> same = candidate.sameAs(normalize);
      for (Entry e : all) {
        if (!e.deleted() && same.test(e.schema())) {
          return e.id();
        }
      }
      List<String> problems = incompatibilities(subject, candidate, live(all));
      if (!problems.isEmpty()) {
        throw RegistryException.incompatible(subject, problems);
      }
      int id = existingId(same).orElse(state.maxId() + 1);
      int version = all.isEmpty() ? 1 : all.get(all.size() - 1).version() + 1;
      Entry entry = new Entry(subject, version, id, candidate.canonical(), false);
      log.write(List.of(Map.entry(RegistryState.schemaKey(subject, version), RegistryState.schemaValue(entry))));
      return id;
    }
  }

  Entry lookup(String subject, Candidate candidate, boolean normalize, boolean includeDeleted) {
    List<Entry> versions = state.versions(subject, includeDeleted);
    if (versions.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    Predicate<String> same = candidate.sameAs(normalize);
    return versions.stream()
        .filter(e -> same.test(e.schema()))
        .reduce((first, second) -> second)
        .orElseThrow(RegistryException::schemaNotFound);
  }

  String schemaById(int id) {
    return state.schemaById(id).orElseThrow(() -> RegistryException.schemaNotFound(id));
  }

  List<Entry> usesOf(int id, boolean includeDeleted) {
    schemaById(id);
    return state.entriesWithId(id).stream().filter(e -> includeDeleted || !e.deleted()).toList();
  }

  List<String> subjects(boolean includeDeleted, String prefix) {
    return state.subjects(includeDeleted).stream()
        .filter(s -> prefix == null || s.startsWith(prefix))
        .toList();
  }

  List<Integer> versions(String subject, boolean includeDeleted) {
    List<Entry> versions = state.versions(subject, includeDeleted);
    if (versions.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    return versions.stream().map(Entry::version).toList();
  }

  Entry version(String subject, String version, boolean includeDeleted) {
    return resolve(subject, version, state.versions(subject, includeDeleted));
  }

  /** Soft delete marks every live version deleted; permanent delete removes soft-deleted ones for good. */
  List<Integer> deleteSubject(String subject, boolean permanent) {
    synchronized (writeLock) {
      List<Entry> all = state.versions(subject, true);
      if (all.isEmpty()) {
        throw RegistryException.subjectNotFound(subject);
      }
      List<Map.Entry<String, String>> writes = new ArrayList<>();
      List<Entry> affected;
      if (permanent) {
        if (all.stream().anyMatch(e -> !e.deleted())) {
          throw RegistryException.subjectNotSoftDeleted(subject);
        }
        affected = all;
        writes.add(Map.entry(RegistryState.idFloorKey(), RegistryState.idFloorValue(state.maxId())));
        all.forEach(e -> writes.add(tombstone(RegistryState.schemaKey(subject, e.version()))));
        if (state.subjectLevel(subject).isPresent()) {
          writes.add(tombstone(RegistryState.configKey(subject)));
        }
      } else {
        affected = live(all);
        if (affected.isEmpty()) {
          throw RegistryException.subjectSoftDeleted(subject);
        }
        affected.forEach(e -> writes.add(softDeleted(e)));
      }
      log.write(writes);
      return affected.stream().map(Entry::version).toList();
    }
  }

  int deleteVersion(String subject, String version, boolean permanent) {
    synchronized (writeLock) {
      List<Entry> all = state.versions(subject, true);
      if (all.isEmpty()) {
        throw RegistryException.subjectNotFound(subject);
      }
      // "latest" means the latest live version for a soft delete, the latest of all for a permanent one.
      List<Entry> live = live(all);
      boolean latest = "latest".equalsIgnoreCase(version) || "-1".equals(version);
      Entry e = resolve(subject, version, !permanent && latest && !live.isEmpty() ? live : all);
      if (permanent) {
        if (!e.deleted()) {
          throw RegistryException.versionNotSoftDeleted(subject, e.version());
        }
        log.write(List.of(
            Map.entry(RegistryState.idFloorKey(), RegistryState.idFloorValue(state.maxId())),
            tombstone(RegistryState.schemaKey(subject, e.version()))));
      } else {
        if (e.deleted()) {
          throw RegistryException.versionSoftDeleted(subject, e.version());
        }
        log.write(List.of(softDeleted(e)));
      }
      return e.version();
    }
  }

  // ---- compatibility ------------------------------------------------------------------------

  /** Against one version ({@code version} given) or as a registration would be checked (null). */
  List<String> checkCompatibility(String subject, String version, Candidate candidate) {
    List<Entry> live = state.versions(subject, false);
    if (version == null) {
      return incompatibilities(subject, candidate, live);
    }
    if (live.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    Entry against = resolve(subject, version, live);
    return CompatibilityChecker.incompatibilities(
        effectiveLevel(subject), candidate.schema(), List.of(parsed(against)));
  }

  private List<String> incompatibilities(String subject, Candidate candidate, List<Entry> liveOldestFirst) {
    List<Schema> earlier = liveOldestFirst.stream().map(this::parsed).toList();
    return CompatibilityChecker.incompatibilities(effectiveLevel(subject), candidate.schema(), earlier);
  }

  // ---- config -------------------------------------------------------------------------------

  CompatibilityLevel globalLevel() {
    return state.globalLevel().orElse(defaultLevel);
  }

  CompatibilityLevel setGlobalLevel(CompatibilityLevel level) {
    synchronized (writeLock) {
      log.write(List.of(Map.entry(RegistryState.configKey(null), RegistryState.configValue(level))));
      return level;
    }
  }

  /** Back to the level this server was started with; returns the level that was in force. */
  CompatibilityLevel deleteGlobalLevel() {
    synchronized (writeLock) {
      CompatibilityLevel before = globalLevel();
      log.write(List.of(tombstone(RegistryState.configKey(null))));
      return before;
    }
  }

  CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
    Optional<CompatibilityLevel> own = state.subjectLevel(subject);
    if (own.isPresent()) {
      return own.get();
    }
    if (defaultToGlobal) {
      return globalLevel();
    }
    throw RegistryException.subjectConfigNotConfigured(subject);
  }

  CompatibilityLevel setSubjectLevel(String subject, CompatibilityLevel level) {
    synchronized (writeLock) {
      log.write(List.of(Map.entry(RegistryState.configKey(subject), RegistryState.configValue(level))));
      return level;
    }
  }

  CompatibilityLevel deleteSubjectLevel(String subject) {
    synchronized (writeLock) {
      Optional<CompatibilityLevel> own = state.subjectLevel(subject);
      if (own.isEmpty()) {
        if (state.versions(subject, true).isEmpty()) {
          throw RegistryException.subjectNotFound(subject);
        }
        return globalLevel();
      }
      log.write(List.of(tombstone(RegistryState.configKey(subject))));
      return own.get();
    }
  }

  private CompatibilityLevel effectiveLevel(String subject) {
    return state.subjectLevel(subject).orElseGet(this::globalLevel);
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Confluent's version argument: 1..2^31-1, or "latest" / -1 for the newest of {@code versions}. */
  private static Entry resolve(String subject, String version, List<Entry> versions) {
    int wanted;
    if ("latest".equalsIgnoreCase(version) || "-1".equals(version)) {
      wanted = -1;
    } else {
      try {
        wanted = Integer.parseInt(version);
      } catch (NumberFormatException e) {
        throw RegistryException.invalidVersion(version);
      }
      if (wanted < 1) {
        throw RegistryException.invalidVersion(version);
      }
    }
    if (versions.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    if (wanted == -1) {
      return versions.get(versions.size() - 1);
    }
    return versions.stream()
        .filter(e -> e.version() == wanted)
        .findFirst()
        .orElseThrow(() -> RegistryException.versionNotFound(wanted));
  }

  private Optional<Integer> existingId(Predicate<String> same) {
    return state.schemasById().entrySet().stream()
        .filter(e -> same.test(e.getValue()))
        .map(Map.Entry::getKey)
        .min(Integer::compare);
  }

  private Schema parsed(Entry e) {
    return parsedById.computeIfAbsent(e.id(), id -> new Schema.Parser().parse(e.schema()));
  }

  private static List<Entry> live(List<Entry> entries) {
    return entries.stream().filter(e -> !e.deleted()).toList();
  }

  private static Map.Entry<String, String> softDeleted(Entry e) {
    Entry deleted = new Entry(e.subject(), e.version(), e.id(), e.schema(), true);
    return Map.entry(RegistryState.schemaKey(e.subject(), e.version()), RegistryState.schemaValue(deleted));
  }

  private static Map.Entry<String, String> tombstone(String key) {
    // Map.entry refuses nulls; a tombstone needs a null value.
    return new java.util.AbstractMap.SimpleImmutableEntry<>(key, null);
  }
}
