package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Our registry client against the embedded registry server, over real HTTP: every check of
 * {@link RegistryConformance}, one test each, named as the check (the same checks that
 * infra/interop/check-apicurio-registry.sh runs against Apicurio's Confluent-compatible API).
 */
@ExtendWith(SharedEmbeddedStack.class)
class RegistryClientAgainstEmbeddedRegistryTest {

  private static RegistryConformance conformance(Endpoints endpoints) {
    return new RegistryConformance(endpoints.schemaRegistryUrl());
  }

  @Test
  void theSameSchemaRegisteredTwiceGetsTheSameIdAndCanBeFetchedById(Endpoints endpoints) {
    conformance(endpoints).theSameSchemaRegisteredTwiceGetsTheSameIdAndCanBeFetchedById();
  }

  @Test
  void aBackwardIncompatibleChangeIsRefusedWithConfluents409(Endpoints endpoints) {
    conformance(endpoints).aBackwardIncompatibleChangeIsRefusedWithConfluents409();
  }

  @Test
  void textBeyondAsciiComesBackAsItWent(Endpoints endpoints) {
    conformance(endpoints).textBeyondAsciiComesBackAsItWent();
  }

  @Test
  void configPerSubjectDecidesWhatIsAccepted(Endpoints endpoints) {
    conformance(endpoints).configPerSubjectDecidesWhatIsAccepted();
  }

  @Test
  void aSubjectWithoutALevelOfItsOwnHasTheGlobalOne(Endpoints endpoints) {
    conformance(endpoints).aSubjectWithoutALevelOfItsOwnHasTheGlobalOne();
  }

  @Test
  void theContractsSchemasRegisterUnderTheirSubjects(Endpoints endpoints) {
    conformance(endpoints).theContractsSchemasRegisterUnderTheirSubjects();
  }

  @Test
  void theContractsSubjectsHoldNewVersionsToBackwardTransitive(Endpoints endpoints) {
    conformance(endpoints).theContractsSubjectsHoldNewVersionsToBackwardTransitive();
  }

  @Test
  void unknownThingsAreNotFoundWithConfluentsCodes(Endpoints endpoints) {
    conformance(endpoints).unknownThingsAreNotFoundWithConfluentsCodes();
  }

  @Test
  void everyMessageTypeRoundTripsThroughOurSerde(Endpoints endpoints) {
    conformance(endpoints).everyMessageTypeRoundTripsThroughOurSerde();
  }

  @Test
  void everyConformanceCheckHasATestHere() {
    assertThat(Arrays.stream(getClass().getDeclaredMethods())
        .filter(method -> method.isAnnotationPresent(Test.class)).map(Method::getName))
        .containsAll(new RegistryConformance("http://unused").checks().stream()
            .map(RegistryConformance.Check::name).toList());
  }
}
