package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.launcher.demo.Check;
import org.aidcmp.infra.launcher.demo.Story;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The story {@code aid demo} tells, on the module's shared stack: every service, the two simulated MSPs and the
 * three cars of {@link DemoPlatform}, then every chapter of {@link Story} (§4.1 to §4.11). Every check of every
 * chapter must hold; a failed one is named with what was seen.
 */
@ExtendWith(SharedEmbeddedStack.class)
class DemoStoryEndToEndTest {
  @Test
  void theWholeStoryOfAid02_everyStepsChecksHold(Endpoints endpoints, SharedEmbeddedStack.DataDir stackData)
      throws Exception {
    Path scratch = Files.createTempDirectory("aid-demo-e2e-");
    AidConfig config = AidConfig.of(Map.of(
        "ingress.aid1.msp.port", "0",
        "ingress.aid1.touchpoint.port", "0",
        "oidc.local.port", "0"));
    try (DemoPlatform platform = new DemoPlatform(config, endpoints, stackData.path(), scratch,
        Duration.ofSeconds(120))) {
      List<Story.Told> told = Story.tell(platform.world(), System.out);
      Story.summary(told, System.out);

      assertThat(told).extracting(t -> t.chapter().title())
          .as("every chapter told, then the epilogue").hasSize(Story.chapters().size() + 1);
      assertThat(told).allSatisfy(t -> assertThat(t.checks()).as(t.chapter().section() + " " + t.chapter().title())
          .isNotEmpty().allSatisfy(c -> assertThat(c.passed()).as(c.what() + ": " + c.observed()).isTrue()));
      assertThat(Story.passed(told)).isTrue();
      assertThat(told.stream().flatMap(t -> t.checks().stream()).map(Check::what))
          .as("the checks are the story's, not a count").anyMatch(w -> w.contains("swap"))
          .anyMatch(w -> w.contains("offline"));
      assertThat(platform.urls()).containsKeys("Customer-care page", "Touchpoint API", "Metrics");
    } finally {
      SharedEmbeddedStack.deleteRecursively(scratch);
    }
  }
}
