package org.aidcmp.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.Schema;

/**
 * The schema versions already released to consumers, kept in the repository under
 * {@code schemas/released/<subject>/v<n>.avsc}. The build holds every current envelope schema to
 * BACKWARD_TRANSITIVE against them; releasing a version (this class's {@code main}) adds the current schema
 * as the next version of every subject whose schema changed.
 */
public final class ReleasedSchemas {
  private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");

  private final Path root;

  public ReleasedSchemas(Path root) {
    this.root = root;
  }

  /** The released versions of a subject, oldest first; empty for a subject never released. */
  public List<Schema> versions(String subject) {
    Path dir = root.resolve(subject);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> ordered = files.filter(f -> VERSION_FILE.matcher(f.getFileName().toString()).matches())
          .sorted(Comparator.comparingInt(ReleasedSchemas::versionOf))
          .toList();
      List<Schema> schemas = new ArrayList<>();
      for (Path file : ordered) {
        schemas.add(new Schema.Parser().parse(Files.readString(file, StandardCharsets.UTF_8)));
      }
      return schemas;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Why each topic's current schema breaks BACKWARD_TRANSITIVE against its released versions. */
  public List<String> violations() {
    List<String> violations = new ArrayList<>();
    for (AidTopic topic : AidTopic.values()) {
      CompatibilityChecker.incompatibilities(
              CompatibilityLevel.BACKWARD_TRANSITIVE, topic.valueSchema(), versions(topic.valueSubject()))
          .forEach(problem -> violations.add(topic.valueSubject() + ": " + problem));
    }
    return violations;
  }

  /** Writes the current schema of every changed subject as its next released version; returns those files. */
  public List<Path> releaseCurrent() throws IOException {
    List<String> violations = violations();
    if (!violations.isEmpty()) {
      throw new IllegalStateException("cannot release incompatible schemas: " + violations);
    }
    List<Path> written = new ArrayList<>();
    for (AidTopic topic : AidTopic.values()) {
      List<Schema> released = versions(topic.valueSubject());
      Schema current = topic.valueSchema();
      if (!released.isEmpty() && released.get(released.size() - 1).equals(current)) {
        continue;
      }
      Path file = root.resolve(topic.valueSubject()).resolve("v" + (released.size() + 1) + ".avsc");
      Files.createDirectories(file.getParent());
      Files.writeString(file, current.toString(true) + "\n", StandardCharsets.UTF_8);
      written.add(file);
    }
    return written;
  }

  private static int versionOf(Path file) {
    Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** {@code released-schemas-dir}: releases the current schemas (run before a release of the platform). */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "schemas/released");
    List<Path> written = new ReleasedSchemas(root).releaseCurrent();
    written.forEach(f -> System.out.println("released " + f));
    if (written.isEmpty()) {
      System.out.println("nothing changed since the last release");
    }
  }
}
