package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.launcher.bench.DrillLedger;
import org.aidcmp.infra.launcher.bench.DrillLoad;
import org.aidcmp.infra.vehicle.Outcome;
import org.junit.jupiter.api.Test;

/**
 * {@code aid drill}: its options, the ledger's count (that it does find a lost flow, a doubled code, a doubled
 * enable and an MSP that executed one request twice), and the MSP-down drill run end to end, small and short: it
 * checks the counting works on the real platform, it is not a speed test.
 */
class FleetDrillTest {

  @Test
  void optionsAndDefaults() {
    assertThat(FleetDrill.parse(List.of("streams-kill")).outage()).isEqualTo(Duration.ofSeconds(5));
    assertThat(DrillFault.elsewhere("streams-kill")).containsExactly(AidService.LIFECYCLE_STREAMS);
    assertThat(DrillFault.elsewhere("msp-down")).isEmpty();
    FleetDrill.Options o = FleetDrill.parse(List.of("msp-down"));
    assertThat(o.outage()).isEqualTo(Duration.ofMinutes(2)); // issue 16: two minutes
    assertThat(o.msp()).isEqualTo("msp-async");
    assertThat(o.deadline()).isEqualTo(Duration.ofMinutes(4));
    assertThat(o.pool()).isEqualTo(2);
    assertThat(FleetDrill.parse(List.of("mqtt-restart", "--outage", "5s")).outage()).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> FleetDrill.parse(List.of("bogus"))).hasMessageContaining("msp-down");
    assertThatThrownBy(() -> FleetDrill.parse(List.of("msp-down", "--msp", "x"))).hasMessageContaining("--msp");
    assertThatThrownBy(() -> FleetDrill.parse(List.of("msp-down", "--vehicle", "3"))).hasMessageContaining("'--vehicle'");
  }

  @Test
  void theLedgerFindsWhatWasLostOrDoubled() {
    Map<String, Map<String, Integer>> codes = Map.of("V1", Map.of("u1", 1, "u2", 2), "V2", Map.of("u1", 1));
    List<DrillLoad.Flow> flows = List.of(
        flow("V1", "u1", Outcome.Result.PROVISIONED, "I1"),
        flow("V1", "u2", Outcome.Result.PROVISIONED, "I2"),   // two codes for one flow: doubled
        flow("V2", "u1", Outcome.Result.PROVISIONED, "I3"),   // never ENABLED: lost
        flow("V2", "u3", Outcome.Result.REFUSED, "31"),       // a named reason
        flow("V2", "u4", Outcome.Result.TIMED_OUT, "no activation code"), // lost
        new DrillLoad.Flow("V3", "u5", "msp-sync", 0, null)); // no outcome: lost
    Map<String, Integer> enabled = Map.of("u1/I1", 2, "u2/I2", 1); // I1 enabled twice by one flow: doubled
    DrillLedger.Count c = DrillLedger.count(flows, codes, (u, i) -> enabled.getOrDefault(u + "/" + i, 0),
        Map.of("msp-sync", List.of(new DrillLedger.MspExecution("a", "r1"), new DrillLedger.MspExecution("a", "r1"),
            new DrillLedger.MspExecution("b", "r2"), new DrillLedger.MspExecution("b", "r3"))));
    assertThat(c.provisioningFlows()).isEqualTo(6);
    assertThat(c.completedOnce()).isEqualTo(2);
    assertThat(c.accounted()).containsEntry("refused by the CMP, error code 31", 1);
    assertThat(c.lostTotal()).isEqualTo(3);
    assertThat(c.doubled()).containsEntry("activation codes to a vehicle beyond one per flow", 1)
        .containsEntry("ProfileEnabled beyond the flows that enabled the profile", 1)
        .containsEntry("activationCodeRequestIDs MSP msp-sync executed under two or more CMP-request-ids", 1);
    assertThat(c.mspSameIdRepeats()).containsEntry("msp-sync", 1); // "a" again under r1: a §5.1.1 retry, not doubled
    assertThat(c.ok()).isFalse();

    // A flow the vehicle gave up on whose code came after: late (the flow lost), not doubled; a second one is.
    List<DrillLoad.Flow> timedOut = List.of(flow("V4", "u6", Outcome.Result.TIMED_OUT, "no activation code"),
        flow("V5", "u6", Outcome.Result.TIMED_OUT, "no activation code"));
    DrillLedger.Count late = DrillLedger.count(timedOut, Map.of("V4", Map.of("u6", 1), "V5", Map.of("u6", 2)),
        (u, i) -> 0, Map.of());
    assertThat(late.lateCodes()).isEqualTo(2);
    assertThat(late.lostTotal()).isEqualTo(2);
    assertThat(late.doubled()).containsEntry("activation codes to a vehicle beyond one per flow", 1);

    DrillLedger.Count clean = DrillLedger.count(flows.subList(0, 1), Map.of("V1", Map.of("u1", 1)),
        (u, i) -> 1, Map.of("msp-sync", List.of(new DrillLedger.MspExecution("a", "r1"))));
    assertThat(clean.ok()).isTrue();
    assertThat(clean.completedOnce()).isEqualTo(1);
  }

  @Test
  void oneMspDownUnderLoadLosesAndDoublesNothing() throws Exception {
    Path data = Files.createTempDirectory("aid-drill-test-").resolve("data");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    FleetDrill.Options options = FleetDrill.parse(List.of("msp-down", "--vehicles", "6", "--users", "4",
        "--before", "6s", "--outage", "5s", "--after", "6s", "--pause", "300ms", "--deadline", "60s",
        // No swaps: a swap's delete makes the vehicle report its inventory while another profile is enabled, and
        // lifecycle-streams emits ProfileEnabled again for a profile already ENABLED (reported, issue 16's drills);
        // the ledger's test above holds that such a double is counted.
        "--pool", "8"));
    FleetDrill.Result result;
    try {
      result = new FleetDrill(AidConfig.of(Map.of("cmp.id", "aidcmp")), out).drill(options, data);
    } finally {
      System.out.print(printed.toString(StandardCharsets.UTF_8));
    }
    String text = printed.toString(StandardCharsets.UTF_8);
    DrillLedger.Count count = result.count();
    assertThat(count.lost()).as(text).isEmpty();
    assertThat(count.doubled()).as(text).isEmpty();
    assertThat(count.provisioningFlows()).isPositive();
    assertThat(count.completedOnce()).isPositive();
    assertThat(count.mspRequestIds()).containsKeys("msp-sync", "msp-async");
    assertThat(result.figures()).containsKeys("msp-sync_before_p99_ms", "msp-sync_during_p99_ms",
        "down_msp_flows_during_outage");
    assertThat(text).contains("PASSED: nothing lost or doubled", "provisioning flows started:");
    assertThat(data).doesNotExist();
  }

  private static DrillLoad.Flow flow(String vin, String user, Outcome.Result result, String detail) {
    return new DrillLoad.Flow(vin, user, "msp-sync", 0,
        new Outcome(vin, user, Outcome.Flow.LOGIN, result, detail, Duration.ofMillis(5), Instant.now()));
  }
}
