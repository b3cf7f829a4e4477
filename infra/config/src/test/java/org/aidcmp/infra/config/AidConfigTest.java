package org.aidcmp.infra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AidConfigTest {

  @Test
  void environmentOverridesTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("aid.properties");
    Files.writeString(file, "kafka.bootstrap.servers=\naid.data.dir=.aid/data\npostgres.password=s3cret\n");

    AidConfig config = AidConfig.load(file, Map.of(
        "AID_KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092", "AID_DATA_DIR", "/var/lib/aid"));

    assertThat(config.get("kafka.bootstrap.servers")).contains("broker-1:9092");
    assertThat(config.get("aid.data.dir")).contains("/var/lib/aid");
    assertThat(config.describe()).containsEntry("postgres.password", "****");
  }

  @Test
  void aKeyTheFileDoesNotHaveCanBeSetByItsVariableAlone(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("aid.properties");
    Files.writeString(file, "msp.ids=msp-a\n");
    AidConfig config = AidConfig.load(file, Map.of("AID_MSP_MSP_A_API_KEY", "k3y", "HOME", "/root"));
    assertThat(config.get("msp.msp-a.api-key")).contains("k3y");
    assertThat(config.with(Map.of("other", "x")).get("msp.msp-a.api-key")).as("kept by with()").contains("k3y");
    assertThat(config.get("home")).as("only AID_ variables").isEmpty();
    assertThat(config.describe()).doesNotContainValue("k3y");
  }

  @Test
  void keysUnderAPrefixPassThroughWithoutIt() {
    AidConfig config = AidConfig.of(Map.of("lifecycle.streams.num.stream.threads", "4",
        "lifecycle.streams.commit.interval.ms", " ", "lifecycle.state-dir", "/x"));
    assertThat(config.withPrefix("lifecycle.streams.")).containsExactly(Map.entry("num.stream.threads", "4"));
  }

  @Test
  void blankMeansUnsetAndMissingRequiredKeysSayWhichVariableToSet() {
    AidConfig config = AidConfig.of(Map.of("mqtt.server.uri", " "));
    assertThat(config.get("mqtt.server.uri")).isEmpty();
    assertThatThrownBy(() -> config.require("mqtt.server.uri")).hasMessageContaining("AID_MQTT_SERVER_URI");
    assertThatThrownBy(() -> AidConfig.of(Map.of("kafka.embedded.port", "x")).getInt("kafka.embedded.port", 0))
        .hasMessageContaining("must be a number");
  }

  @Test
  void theShippedFileLeavesEveryEndpointToTheEmbeddedStack() {
    AidConfig shipped = AidConfig.load(Path.of("../../config/aid.properties"), Map.of());
    assertThat(shipped.get("kafka.bootstrap.servers")).isEmpty();
    assertThat(shipped.get("schema.registry.url")).isEmpty();
    assertThat(shipped.get("postgres.jdbc.url")).isEmpty();
    assertThat(shipped.get("mqtt.server.uri")).isEmpty();
  }
}
