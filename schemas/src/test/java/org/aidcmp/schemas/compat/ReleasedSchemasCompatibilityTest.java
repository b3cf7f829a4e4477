package org.aidcmp.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's gate on the contract: every topic's current envelope schema must read all data written with
 * every released version (BACKWARD_TRANSITIVE). A failure here fails `mvn verify`.
 */
class ReleasedSchemasCompatibilityTest {
  private static final Path RELEASED = Path.of("released");

  @Test
  void everyCurrentSchemaIsBackwardTransitiveCompatibleWithItsReleasedVersions() {
    assertThat(Files.isDirectory(RELEASED)).as("schemas/released exists").isTrue();
    assertThat(new ReleasedSchemas(RELEASED).violations()).isEmpty();
  }

  @Test
  void everyTopicHasBeenReleased() {
    ReleasedSchemas released = new ReleasedSchemas(RELEASED);
    for (AidTopic topic : AidTopic.values()) {
      assertThat(released.versions(topic.valueSubject())).as(topic.valueSubject()).isNotEmpty();
    }
  }

  @Test
  void aBreakingChangeIsCaught(@TempDir Path dir) throws Exception {
    // Release today's header, then make messageId's type change: old data can no longer be read.
    Schema current = AidTopic.REPLIES.valueSchema();
    Path v1 = dir.resolve(AidTopic.REPLIES.valueSubject()).resolve("v1.avsc");
    Files.createDirectories(v1.getParent());
    String breaking = current.toString().replace(
        "{\"name\":\"messageId\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"}",
        "{\"name\":\"messageId\",\"type\":\"long\"");
    assertThat(breaking).isNotEqualTo(current.toString());
    Files.writeString(v1, breaking);

    List<String> violations = new ReleasedSchemas(dir).violations();

    assertThat(violations).isNotEmpty();
    assertThat(violations.get(0)).startsWith("aid.replies.v1-value: new schema cannot read data written with version 1");
  }

  @Test
  void releasingWritesOnlyChangedSubjects(@TempDir Path dir) throws Exception {
    ReleasedSchemas released = new ReleasedSchemas(dir);
    assertThat(released.releaseCurrent()).hasSize(AidTopic.values().length);
    assertThat(released.releaseCurrent()).isEmpty();
    assertThat(released.versions(AidTopic.DLQ.valueSubject())).containsExactly(AidTopic.DLQ.valueSchema());
  }
}
