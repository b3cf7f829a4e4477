package org.aidcmp.schemas.compat;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Decides whether a new Avro schema may follow the earlier versions of a subject under a
 * {@link CompatibilityLevel}. One implementation serves both the registry server (which refuses an
 * incompatible registration with HTTP 409) and the build (which fails when a schema change breaks
 * BACKWARD_TRANSITIVE against the released versions kept in the repository).
 */
public final class CompatibilityChecker {

  private CompatibilityChecker() {}

  /**
   * @param level the subject's level
   * @param candidate the schema to be registered
   * @param earlier the subject's earlier versions, oldest first
   * @return the reasons it is incompatible; empty when it is compatible
   */
  public static List<String> incompatibilities(
      CompatibilityLevel level, Schema candidate, List<Schema> earlier) {
    List<String> problems = new ArrayList<>();
    if (level == CompatibilityLevel.NONE || earlier.isEmpty()) {
      return problems;
    }
    List<Schema> against =
        level.transitive ? earlier : List.of(earlier.get(earlier.size() - 1));
    for (int i = 0; i < against.size(); i++) {
      Schema previous = against.get(i);
      String which = level.transitive ? "version " + (i + 1) : "the latest version";
      if (level.newReadsOld) {
        describe(candidate, previous, "new schema cannot read data written with " + which, problems);
      }
      if (level.oldReadsNew) {
        describe(previous, candidate, which + " cannot read data written with the new schema", problems);
      }
    }
    return problems;
  }

  public static boolean isCompatible(CompatibilityLevel level, Schema candidate, List<Schema> earlier) {
    return incompatibilities(level, candidate, earlier).isEmpty();
  }

  private static void describe(Schema reader, Schema writer, String what, List<String> into) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
      into.add(
          what
              + ": "
              + incompatibility.getType()
              + " at "
              + incompatibility.getLocation()
              + " ("
              + incompatibility.getMessage()
              + ")");
    }
  }
}
