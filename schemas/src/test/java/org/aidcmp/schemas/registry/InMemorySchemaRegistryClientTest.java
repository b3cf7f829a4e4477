package org.aidcmp.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryClientTest {
  private static Schema record(String fields) {
    return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}");
  }

  private final Schema v1 = record("{\"name\":\"a\",\"type\":\"string\"}");
  private final Schema breaking = record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"c\",\"type\":\"int\"}");
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

  @Test
  void sameSchemaTwiceGetsTheSameIdAndAnotherSubjectSharesIt() {
    int id = registry.register("s-value", v1);
    assertThat(registry.register("s-value", v1)).isEqualTo(id);
    assertThat(registry.register("t-value", v1)).isEqualTo(id);
    assertThat(registry.schemaById(id)).isEqualTo(v1);
    assertThat(registry.latest("s-value")).get().extracting(SchemaRegistryClient.RegisteredSchema::version).isEqualTo(1);
  }

  @Test
  void incompatibleChangeIsRefusedWith409UnlessTheSubjectAllowsIt() {
    registry.register("s-value", v1);
    assertThatThrownBy(() -> registry.register("s-value", breaking))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(409));
    assertThat(registry.testCompatibility("s-value", breaking).compatible()).isFalse();

    registry.setCompatibility("s-value", CompatibilityLevel.NONE);
    assertThat(registry.register("s-value", breaking)).isEqualTo(2);
    assertThat(registry.compatibility("other")).isEqualTo(CompatibilityLevel.BACKWARD);
  }
}
