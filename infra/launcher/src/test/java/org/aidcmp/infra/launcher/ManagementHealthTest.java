package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.aidcmp.infra.config.AidConfig;
import org.junit.jupiter.api.Test;

/**
 * The management endpoint's two health answers: readiness (may come and go: restoring, a broker away) and
 * liveness (false once a service gave up for good, so an orchestrator restarts the process). Each names the
 * services it asked.
 */
class ManagementHealthTest {

  @Test
  void livenessFailsOnlyWhenAServiceHasGivenUpAndSaysWhich() throws Exception {
    AtomicBoolean egressAlive = new AtomicBoolean(true);
    AtomicBoolean egressReady = new AtomicBoolean(true);
    try (Management management = Management.start(AidConfig.of(Map.of()), "test")) {
      management.add(new RunningService(AidService.LIFECYCLE_STREAMS, null, "", () -> true, () -> true, () -> { }));
      management.add(new RunningService(AidService.EGRESS_MSP, null, "", egressReady::get, egressAlive::get,
          () -> { }));
      assertThat(Http.get(management.url() + "/health/live")).isEqualTo(new Http.Answer(200,
          "{\"live\":true,\"services\":{\"lifecycle-streams\":true,\"egress-msp\":true}}\n"));

      egressReady.set(false); // not ready (e.g. its broker is away): still alive
      assertThat(Http.get(management.url() + "/health/live").status()).isEqualTo(200);
      assertThat(Http.get(management.url() + "/health/ready")).isEqualTo(new Http.Answer(503,
          "{\"ready\":false,\"services\":{\"lifecycle-streams\":true,\"egress-msp\":false}}\n"));

      egressAlive.set(false); // a fatal error stopped it
      assertThat(Http.get(management.url() + "/health/live")).isEqualTo(new Http.Answer(503,
          "{\"live\":false,\"services\":{\"lifecycle-streams\":true,\"egress-msp\":false}}\n"));
    }
  }

  @Test
  void aProcessWithNoServiceYetIsAliveButNotReady() throws Exception {
    try (Management management = Management.start(AidConfig.of(Map.of()), "test")) {
      assertThat(Http.get(management.url() + "/health/live").status()).isEqualTo(200);
      assertThat(Http.get(management.url() + "/health/ready").status()).isEqualTo(503);
    }
  }
}
