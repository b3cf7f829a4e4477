package org.aidcmp.infra.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigKeysTest {

  @Test
  void theShippedConfigurationHasOnlyKnownKeys() {
    assertThatCode(() -> ConfigKeys.check(AidConfig.load(Path.of("../../config/aid.properties"), Map.of())))
        .doesNotThrowAnyException();
  }

  @Test
  void aMisspeltKeyStopsWithALineNamingItAndTheKeyMeant() {
    assertThatThrownBy(() -> ConfigKeys.check(AidConfig.of(Map.of("egress.max.attempt", "3"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown configuration key 'egress.max.attempt' (did you mean 'egress.max.attempts'?)");
    assertThatThrownBy(() -> ConfigKeys.check(AidConfig.of(Map.of("msp.msp-a.base-uri", "https://x"))))
        .hasMessage("unknown configuration key 'msp.msp-a.base-uri' (did you mean 'msp.msp-a.base-url'?)");
  }

  @Test
  void passThroughClientSettingsMspFieldsAndForeignKeysAreAccepted() {
    assertThatCode(() -> ConfigKeys.check(AidConfig.of(Map.of(
        "lifecycle.streams.num.stream.threads", "4", "downlink.consumer.fetch.min.bytes", "1",
        "msp.msp-b.phone-cipher", "AES_CBC", "java.awt.headless", "true"))))
        .doesNotThrowAnyException();
  }

  @Test
  void anInvalidLogFormatIsRefused() {
    assertThatThrownBy(() -> ConfigKeys.check(AidConfig.of(Map.of("log.format", "xml"))))
        .hasMessage("configuration log.format must be text or json, not 'xml'");
  }
}
