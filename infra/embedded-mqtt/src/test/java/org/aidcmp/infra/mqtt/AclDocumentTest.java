package org.aidcmp.infra.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.aidcmp.infra.mqtt.auth.AidMqttAcl;
import org.junit.jupiter.api.Test;

/** The ACL is written once, in AidMqttAcl; the README's table must say the same, row for row. */
class AclDocumentTest {

  @Test
  void theReadmeTableHasARowForEveryRuleAndNoOther() throws Exception {
    List<String> rows = Files.readAllLines(Path.of("README.md")).stream()
        .filter(l -> l.matches("\\| (vehicle|bridge|downlink) \\| (publish|subscribe) \\|.*")).toList();
    assertThat(rows).hasSameSizeAs(AidMqttAcl.RULES);
    for (AidMqttAcl.Rule rule : AidMqttAcl.RULES) {
      String start = "| " + rule.role().name().toLowerCase(Locale.ROOT) + " | "
          + rule.activity().name().toLowerCase(Locale.ROOT) + " | `" + rule.topicFilter() + "`";
      assertThat(rows).as(rule.toString()).anyMatch(r -> r.startsWith(start));
    }
  }
}
