package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient.CompatibilityResult;
import org.aidcmp.schemas.registry.SchemaRegistryException;
import org.aidcmp.schemas.samples.SampleEnvelopes;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * What our registry client needs of a registry that speaks Confluent's REST API, as checks against any URL:
 * our embedded registry ({@link RegistryClientAgainstEmbeddedRegistryTest}, in the build) and, by hand, other
 * implementations such as Apicurio's ccompat API ({@link RegistryConformanceMain},
 * infra/interop/check-apicurio-registry.sh).
 *
 * <p>Every check works on subjects of its own (random names), except the contract's: {@link #checks()} lists
 * {@link #theContractsSchemasRegisterUnderTheirSubjects} before {@link
 * #theContractsSubjectsHoldNewVersionsToBackwardTransitive}, which expects the contract set up (our launcher
 * does it at start, so against our stack the second also holds on its own). A registry is expected with the
 * global level Confluent ships with, BACKWARD.
 */
public final class RegistryConformance {

  /** One check: its name, and its body, which throws when the registry does not conform. */
  public record Check(String name, Runnable body) {}

  private final String url;

  public RegistryConformance(String url) {
    this.url = url;
  }

  /** Every check, in the order a fresh registry needs them. */
  public List<Check> checks() {
    return List.of(
        new Check("theSameSchemaRegisteredTwiceGetsTheSameIdAndCanBeFetchedById",
            this::theSameSchemaRegisteredTwiceGetsTheSameIdAndCanBeFetchedById),
        new Check("aBackwardIncompatibleChangeIsRefusedWithConfluents409",
            this::aBackwardIncompatibleChangeIsRefusedWithConfluents409),
        new Check("textBeyondAsciiComesBackAsItWent", this::textBeyondAsciiComesBackAsItWent),
        new Check("configPerSubjectDecidesWhatIsAccepted", this::configPerSubjectDecidesWhatIsAccepted),
        new Check("aSubjectWithoutALevelOfItsOwnHasTheGlobalOne", this::aSubjectWithoutALevelOfItsOwnHasTheGlobalOne),
        new Check("theContractsSchemasRegisterUnderTheirSubjects", this::theContractsSchemasRegisterUnderTheirSubjects),
        new Check("theContractsSubjectsHoldNewVersionsToBackwardTransitive",
            this::theContractsSubjectsHoldNewVersionsToBackwardTransitive),
        new Check("unknownThingsAreNotFoundWithConfluentsCodes", this::unknownThingsAreNotFoundWithConfluentsCodes),
        new Check("everyMessageTypeRoundTripsThroughOurSerde", this::everyMessageTypeRoundTripsThroughOurSerde));
  }

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

  private RestSchemaRegistryClient client() {
    return RestSchemaRegistryClient.of(url);
  }

  /** Registration is idempotent, ids are global, versions count from 1, subjects are listed. */
  public void theSameSchemaRegisteredTwiceGetsTheSameIdAndCanBeFetchedById() {
    String subject = subject();
    try (RestSchemaRegistryClient client = client(); RestSchemaRegistryClient uncached = client()) {
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

  /**
   * Under the default BACKWARD level, a breaking change tests incompatible and is refused with HTTP 409 and
   * Confluent's error_code for it: 409, or 40901 since Confluent 8.0.4 / 8.1.2.
   */
  public void aBackwardIncompatibleChangeIsRefusedWithConfluents409() {
    String subject = subject();
    try (RestSchemaRegistryClient client = client()) {
      client.register(subject, v1);
      CompatibilityResult test = client.testCompatibility(subject, breaking);
      assertThat(test.compatible()).isFalse();
      assertThatThrownBy(() -> client.register(subject, breaking))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.errorCode()).isIn(SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                SchemaRegistryException.INCOMPATIBLE_SCHEMA_SINCE_8);
            assertThat(e.isIncompatibleSchema()).isTrue();
          });
    }
  }

  /**
   * A schema's text beyond ASCII comes back as it went (our schemas' docs cite "§" sections): JSON is UTF-8.
   * Our embedded registry once answered in ISO-8859-1, which our client read as U+FFFD and Confluent's Java
   * deserializer refused outright.
   */
  public void textBeyondAsciiComesBackAsItWent() {
    String doc = "§5.1.1 Größe – ü";
    Schema schema = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Text\",\"namespace\":\"test\","
        + "\"doc\":\"" + doc + "\",\"fields\":[{\"name\":\"a\",\"type\":\"string\",\"doc\":\"" + doc + "\"}]}");
    try (RestSchemaRegistryClient client = client(); RestSchemaRegistryClient uncached = client()) {
      Schema back = uncached.schemaById(client.register(subject(), schema));
      assertThat(back.getDoc()).isEqualTo(doc);
      assertThat(back.getField("a").doc()).isEqualTo(doc);
    }
  }

  /** A subject's own level is read back and decides what it accepts. */
  public void configPerSubjectDecidesWhatIsAccepted() {
    String subject = subject();
    try (RestSchemaRegistryClient client = client()) {
      client.register(subject, v1);
      assertThat(client.compatibility(subject)).isEqualTo(CompatibilityLevel.BACKWARD);
      client.setCompatibility(subject, CompatibilityLevel.NONE);
      assertThat(client.compatibility(subject)).isEqualTo(CompatibilityLevel.NONE);
      assertThat(client.register(subject, breaking)).isPositive();
    }
  }

  /** Another subject, one never registered, keeps the global level (GET /config/{subject}?defaultToGlobal=true). */
  public void aSubjectWithoutALevelOfItsOwnHasTheGlobalOne() {
    try (RestSchemaRegistryClient client = client()) {
      String changed = subject();
      client.register(changed, v1);
      client.setCompatibility(changed, CompatibilityLevel.NONE);
      assertThat(client.compatibility(subject())).as("other subjects keep the global level")
          .isEqualTo(CompatibilityLevel.BACKWARD);
    }
  }

  /** The contract's set-up (what `aid up` does): every topic's value schema, its subject at BACKWARD_TRANSITIVE. */
  public void theContractsSchemasRegisterUnderTheirSubjects() {
    Map<String, Integer> ids;
    try (RestSchemaRegistryClient client = client()) {
      ids = ContractSetup.registerSchemas(client);
    }
    assertThat(ids).hasSize(AidTopic.values().length);
    assertThat(ids.values()).allSatisfy(id -> assertThat(id).isPositive());
    try (RestSchemaRegistryClient again = client()) {
      assertThat(ContractSetup.registerSchemas(again)).as("set up again: the same ids").isEqualTo(ids);
      assertThat(again.subjects()).containsAll(ids.keySet());
      for (AidTopic topic : AidTopic.values()) {
        assertThat(again.schemaById(ids.get(topic.valueSubject()))).as(topic.valueSubject())
            .isEqualTo(topic.valueSchema());
      }
    }
  }

  public void theContractsSubjectsHoldNewVersionsToBackwardTransitive() {
    try (RestSchemaRegistryClient client = client()) {
      for (AidTopic topic : AidTopic.values()) {
        assertThat(client.compatibility(topic.valueSubject())).isEqualTo(CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(client.lookup(topic.valueSubject(), topic.valueSchema())).isPresent();
      }
    }
  }

  public void unknownThingsAreNotFoundWithConfluentsCodes() {
    try (RestSchemaRegistryClient client = client()) {
      assertThat(client.latest(subject())).isEmpty();
      assertThat(client.lookup(subject(), v1)).isEmpty();
      assertThatThrownBy(() -> client.schemaById(987_654))
          .isInstanceOfSatisfying(SchemaRegistryException.class,
              e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    }
  }

  /**
   * Every message type of every topic through our serde with this registry: written with auto-registration,
   * written again by a serializer that only looks ids up (as `aid samples` and the services do), and read back
   * by deserializers whose client has only ever fetched schemas by id (each id once, then cached).
   */
  @SuppressWarnings("unchecked")
  public void everyMessageTypeRoundTripsThroughOurSerde() {
    try (RestSchemaRegistryClient writing = client(); RestSchemaRegistryClient lookingUp = client();
        RestSchemaRegistryClient reading = client(); RestSchemaRegistryClient fetching = client()) {
      AvroSerializer<SpecificRecord> registering = new AvroSerializer<>(writing, true);
      AvroSerializer<SpecificRecord> notRegistering = new AvroSerializer<>(lookingUp, false);
      List<SampleEnvelopes.Sample> samples = SampleEnvelopes.everyMessageType(42);
      Map<String, Integer> expectedIds = new HashMap<>();
      assertThat(samples).hasSizeGreaterThan(AidTopic.values().length);
      for (SampleEnvelopes.Sample sample : samples) {
        String topic = sample.topic().topicName();
        byte[] bytes = registering.serialize(topic, sample.envelope());
        assertThat(notRegistering.serialize(topic, sample.envelope())).as("%s, looked up", sample).isEqualTo(bytes);
        assertThat(bytes[0]).as("magic byte").isZero();
        int expectedId = expectedIds.computeIfAbsent(sample.topic().valueSubject(),
            subject -> reading.lookup(subject, sample.envelope().getSchema()).orElseThrow().id());
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).as("%s: schema id", sample).isEqualTo(expectedId);
        AvroDeserializer<SpecificRecord> deserializer =
            new AvroDeserializer<>(fetching, (Class<SpecificRecord>) sample.topic().valueType());
        assertThat(deserializer.deserialize(topic, bytes)).as(sample.toString()).isEqualTo(sample.envelope());
      }
    }
  }
}
