package org.aidcmp.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CompatibilityCheckerTest {
  private static Schema record(String fields) {
    return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}");
  }

  private final Schema v1 = record("{\"name\":\"a\",\"type\":\"string\"}");
  private final Schema v2 = record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":[\"null\",\"string\"],\"default\":null}");
  private final Schema requiredField = record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"c\",\"type\":\"int\"}");
  private final Schema withoutA = record("{\"name\":\"b\",\"type\":[\"null\",\"string\"],\"default\":null}");

  @Test
  void addingAnOptionalFieldIsBackwardCompatible() {
    assertThat(CompatibilityChecker.incompatibilities(CompatibilityLevel.BACKWARD, v2, List.of(v1))).isEmpty();
  }

  @Test
  void addingARequiredFieldIsNot() {
    assertThat(CompatibilityChecker.incompatibilities(CompatibilityLevel.BACKWARD, requiredField, List.of(v1)))
        .singleElement().asString().contains("READER_FIELD_MISSING_DEFAULT");
  }

  @Test
  void transitiveChecksEveryEarlierVersionNotJustTheLatest() {
    // withoutA reads v2 data (b has a default, a is ignored) and v1 data too; the forward direction fails.
    assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.BACKWARD, withoutA, List.of(v1, v2))).isTrue();
    Schema needsB = record("{\"name\":\"b\",\"type\":[\"null\",\"string\"]}");
    assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.BACKWARD, needsB, List.of(v1, v2))).isTrue();
    assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.BACKWARD_TRANSITIVE, needsB, List.of(v1, v2)))
        .isFalse();
  }

  @Test
  void forwardAndFullLookTheOtherWay() {
    assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.FORWARD, requiredField, List.of(v1))).isTrue();
    assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.FULL, requiredField, List.of(v1))).isFalse();
    assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.FULL, v2, List.of(v1))).isTrue();
    assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.NONE, requiredField, List.of(v1))).isTrue();
  }

  @Test
  void levelsParseAsConfluentSpellsThem() {
    assertThat(CompatibilityLevel.parse("backward_transitive")).contains(CompatibilityLevel.BACKWARD_TRANSITIVE);
    assertThat(CompatibilityLevel.parse("SIDEWAYS")).isEmpty();
    assertThat(CompatibilityLevel.parse(null)).isEmpty();
  }
}
