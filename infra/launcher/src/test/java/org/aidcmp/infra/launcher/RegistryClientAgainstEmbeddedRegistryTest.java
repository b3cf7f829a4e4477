package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient.CompatibilityResult;
import org.aidcmp.schemas.registry.SchemaRegistryException;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Our registry client against the embedded registry server, over real HTTP. */
@ExtendWith(SharedEmbeddedStack.class)
class RegistryClientAgainstEmbeddedRegistryTest {

  private static Schema record(String fields) {
    return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Sample\",\"namespace\":\"test\",\"fields\":["
        + fields + "]}");
  }

  private final Schema v1 = record("{\"name\":\"a\",\"type\":\"string\"}");
  private final Schema v2 = record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":[\"null\",\"int\"],\"default\":null}");
  private final Schema breaking = record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"c\",\"type\":\"int\"}");

  private static String subject() {
    return "test-" + UUID.randomUUID() + "-value";
  }

  @Test
  void theSameSchemaRegisteredTwiceGetsTheSameIdAndCanBeFetchedById(Endpoints endpoints) {
    String subject = subject();
    try (RestSchemaRegistryClient client = RestSchemaRegistryClient.of(endpoints.schemaRegistryUrl());
        RestSchemaRegistryClient uncached = RestSchemaRegistryClient.of(endpoints.schemaRegistryUrl())) {
      int id = client.register(subject, v1);
      assertThat(uncached.register(subject, v1)).isEqualTo(id);
      assertThat(uncached.schemaById(id)).isEqualTo(v1);
      assertThat(uncached.latest(subject)).get().satisfies(latest -> {
        assertThat(latest.version()).isEqualTo(1);
        assertThat(latest.id()).isEqualTo(id);
      });
      int id2 = client.register(subject, v2);
      assertThat(id2).isNotEqualTo(id);
      assertThat(uncached.latest(subject).orElseThrow().version()).isEqualTo(2);
      assertThat(uncached.subjects()).contains(subject);
    }
  }

  @Test
  void aBackwardIncompatibleChangeIsRefusedWithConfluents409(Endpoints endpoints) {
    String subject = subject();
    try (RestSchemaRegistryClient client = RestSchemaRegistryClient.of(endpoints.schemaRegistryUrl())) {
      client.register(subject, v1);
      CompatibilityResult test = client.testCompatibility(subject, breaking);
      assertThat(test.compatible()).isFalse();
      assertThatThrownBy(() -> client.register(subject, breaking))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.errorCode()).isEqualTo(409);
          });
    }
  }

  @Test
  void configPerSubjectDecidesWhatIsAccepted(Endpoints endpoints) {
    String subject = subject();
    try (RestSchemaRegistryClient client = RestSchemaRegistryClient.of(endpoints.schemaRegistryUrl())) {
      client.register(subject, v1);
      assertThat(client.compatibility(subject)).isEqualTo(CompatibilityLevel.BACKWARD);
      client.setCompatibility(subject, CompatibilityLevel.NONE);
      assertThat(client.compatibility(subject)).isEqualTo(CompatibilityLevel.NONE);
      assertThat(client.register(subject, breaking)).isPositive();
      assertThat(client.compatibility(subject())).as("other subjects keep the global level")
          .isEqualTo(CompatibilityLevel.BACKWARD);
    }
  }

  @Test
  void theContractsSubjectsHoldNewVersionsToBackwardTransitive(Endpoints endpoints) {
    try (RestSchemaRegistryClient client = RestSchemaRegistryClient.of(endpoints.schemaRegistryUrl())) {
      for (AidTopic topic : AidTopic.values()) {
        assertThat(client.compatibility(topic.valueSubject())).isEqualTo(CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(client.lookup(topic.valueSubject(), topic.valueSchema())).isPresent();
      }
    }
  }

  @Test
  void unknownThingsAreNotFoundWithConfluentsCodes(Endpoints endpoints) {
    try (RestSchemaRegistryClient client = RestSchemaRegistryClient.of(endpoints.schemaRegistryUrl())) {
      assertThat(client.latest(subject())).isEmpty();
      assertThat(client.lookup(subject(), v1)).isEmpty();
      assertThatThrownBy(() -> client.schemaById(987_654))
          .isInstanceOfSatisfying(SchemaRegistryException.class,
              e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    }
  }
}
