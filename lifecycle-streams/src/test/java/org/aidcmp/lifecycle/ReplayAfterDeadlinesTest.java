package org.aidcmp.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.infra.testing.TestBackbone;
import org.aidcmp.lifecycle.replay.Replay;
import org.aidcmp.lifecycle.replay.StoreSnapshot;
import org.aidcmp.lifecycle.user.UserProcessor;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.state.ActivationCodeInFlight;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code aid replay} run after the deadlines of ACs still in flight (§7.1.8.2: the async AC that never came) have
 * gone by on the wall clock, the platform stopped before them. The replay leaves them to the platform, as it
 * found them: the state comes out identical, and the platform started again passes them by its own scan, as it
 * would have without a replay. (Before, the replay's last step passed them by the wall clock and every such user
 * differed: at 1 million input records all 200,000.)
 */
class ReplayAfterDeadlinesTest {
  private static final int USERS = 6;
  /** Long enough that the first pass has stopped before it, short enough for a test. */
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static TestBackbone backbone;

  /** A broker of its own: a replay reprocesses every input on the broker (see ReplayTest). */
  @BeforeAll
  static void broker() throws Exception {
    backbone = TestBackbone.start("aid-lifecycle-replay-deadlines");
    TopicSetup.ensureTopics(backbone.kafka().bootstrapServers(), ReplayTest.PARTITIONS, (short) 1);
  }

  @AfterAll
  static void stop() {
    if (backbone != null) {
      backbone.close();
    }
  }

  @Test
  void acDeadline_7_1_8_2_passedOnTheWallClockAfterThePlatformStopped_isLeftToThePlatform() throws Exception {
    String bootstrap = backbone.kafka().bootstrapServers();
    RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(backbone.registry().url());
    Path work = Files.createTempDirectory(backbone.dir(), "replay-deadlines-");
    String app = "aid-lifecycle-replay-dl-" + UUID.randomUUID().toString().substring(0, 8);
    String state = work.resolve("state").toString();
    LifecycleSettings settings = LifecycleSettings.defaults().withActivationCodeDeadline(DEADLINE);

    // The first pass: onboarded, federated, each car asks for an AC that no MSP answers; stopped at once.
    Instant lastDeadline;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        LifecycleStreams service = LifecycleStreams.start(bootstrap, registry, settings, app, state, null);
        Traffic traffic = new Traffic(bootstrap, registry, "dl" + UUID.randomUUID().toString().substring(0, 6))) {
      ReplayTest.phase(admin, app, traffic, traffic::onboardingStart, USERS);
      ReplayTest.phase(admin, app, traffic, traffic::sendMspToken, USERS);
      ReplayTest.phase(admin, app, traffic, traffic::requestActivationCode, USERS);
    }
    Replay.Options options = new Replay.Options(bootstrap, registry, settings, app, state, null, Map.of(),
        Duration.ZERO, Duration.ofMinutes(5), Duration.ofSeconds(3));
    Map<String, StoreSnapshot> before = Replay.snapshots(options);
    lastDeadline = inFlight(before).stream().map(ActivationCodeInFlight::getDeadline).max(Instant::compareTo)
        .orElseThrow(() -> new AssertionError("no AC in flight when the first pass stopped"));
    assertThat(inFlight(before)).as("ACs in flight when the first pass stopped, their deadlines not passed")
        .hasSize(USERS);

    // The platform stays down past every deadline; then the replay.
    ReplayTest.until("the deadlines have gone by", () -> Instant.now().isAfter(lastDeadline.plusSeconds(1)));
    Replay.Result result = Replay.run(options, p -> {});

    for (StoreSnapshot.Difference d : result.differences()) {
      assertThat(d.identical()).as("%s: %s %s", d.store(), d.sample(), d.changedFields()).isTrue();
    }
    assertThat(inFlight(Replay.snapshots(options))).as("the ACs are still in flight after the replay")
        .hasSize(USERS);

    // Started again, the platform passes them by its own wall-clock scan.
    try (LifecycleStreams again = LifecycleStreams.start(bootstrap, registry, settings, app, state, null)) {
      ReplayTest.until("the platform passed the deadlines", () -> inFlight(Replay.snapshots(options)).isEmpty());
    }
  }

  /** Every AC in flight over the users of a snapshot. */
  private static java.util.List<ActivationCodeInFlight> inFlight(Map<String, StoreSnapshot> snapshots) {
    java.util.List<ActivationCodeInFlight> out = new java.util.ArrayList<>();
    for (SpecificRecord user : snapshots.get(UserProcessor.STORE).entries().values()) {
      out.addAll(((UserState) user).getActivationCodesInFlight());
    }
    return out;
  }
}
