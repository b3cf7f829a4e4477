package org.aidcmp.infra.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.aidcmp.infra.launcher.bench.FlowHops.Hop;
import org.aidcmp.infra.launcher.bench.FlowHops.Seen;
import org.aidcmp.infra.launcher.bench.FlowHops.Traced;
import org.aidcmp.infra.vehicle.Outcome;
import org.junit.jupiter.api.Test;

/** Where a login flow of the bench waited, from the hops seen for its user and vehicle (§4.3 car provisioning). */
class FlowHopsTest {
  private static final long MS = 1_000_000L;

  @Test
  void aTimedOutFlow_waitedInTheHopAfterTheLastOneItReached() {
    assertThat(timedOut(List.of()).waitedIn()).isEqualTo(Hop.REQUEST_ON_UPLINK.waitingIn());
    assertThat(timedOut(List.of(seen(Hop.REQUEST_ON_UPLINK, 10, ""))).waitedIn())
        .isEqualTo(Hop.AT_USER_STAGE.waitingIn());
    assertThat(timedOut(List.of(seen(Hop.REQUEST_ON_UPLINK, 10, ""), seen(Hop.AT_USER_STAGE, 20, ""))).waitedIn())
        .isEqualTo(Hop.MSP_COMMAND.waitingIn());
    assertThat(timedOut(List.of(seen(Hop.AT_USER_STAGE, 20, ""), seen(Hop.MSP_COMMAND, 30, "msp-sync"))).waitedIn())
        .isEqualTo(Hop.MSP_ANSWER.waitingIn());
    // an asynchronous MSP's 201: the flow waits for its Send activation code
    assertThat(timedOut(List.of(seen(Hop.MSP_COMMAND, 30, ""), seen(Hop.MSP_ANSWER, 40, "accepted"))).waitedIn())
        .isEqualTo(Hop.ASYNC_CODE.waitingIn());
    assertThat(timedOut(List.of(seen(Hop.MSP_ANSWER, 40, "issued"))).waitedIn())
        .isEqualTo(Hop.AC_ON_DOWNLINK.waitingIn());
    assertThat(timedOut(List.of(seen(Hop.MSP_ANSWER, 40, "accepted"), seen(Hop.ASYNC_CODE, 50, "code"))).waitedIn())
        .isEqualTo(Hop.AC_ON_DOWNLINK.waitingIn());
    assertThat(timedOut(List.of(seen(Hop.AC_ON_DOWNLINK, 60, ""))).waitedIn())
        .isEqualTo(Hop.VEHICLE_DONE.waitingIn());
  }

  @Test
  void aRequestTheUserStageDidNotForward_waitedForTheOneStillInFlight() {
    Traced t = new Traced("VIN", "user", Outcome.Result.TIMED_OUT, null, 0, 60_000 * MS,
        List.of(seen(Hop.REQUEST_ON_UPLINK, 10, ""), seen(Hop.AT_USER_STAGE, 20, "")), true);
    assertThat(t.waitedIn()).isEqualTo(FlowHops.EARLIER_IN_FLIGHT);
  }

  @Test
  void timeInHops_isFromTheHopBeforeToThisOne_andCountsOnlyProvisionedFlowsGiven() {
    Traced t = new Traced("VIN", "user", Outcome.Result.PROVISIONED, "iccid", 0, 900 * MS,
        List.of(seen(Hop.REQUEST_ON_UPLINK, 100, ""), seen(Hop.AT_USER_STAGE, 150, ""),
            seen(Hop.MSP_COMMAND, 200, ""), seen(Hop.MSP_ANSWER, 250, "accepted"), seen(Hop.ASYNC_CODE, 700, "code"),
            seen(Hop.AC_ON_DOWNLINK, 750, ""), seen(Hop.PROFILE_ENABLED, 950, "")), false);
    Map<Hop, Double> ms = FlowHops.timeInHops(List.of(t));
    assertThat(ms).containsEntry(Hop.REQUEST_ON_UPLINK, 100.0).containsEntry(Hop.ASYNC_CODE, 450.0)
        .containsEntry(Hop.VEHICLE_DONE, 150.0).containsEntry(Hop.PROFILE_ENABLED, 50.0)
        .doesNotContainKey(Hop.REFUSAL_ON_DOWNLINK);
    assertThat(FlowHops.waitedIn(List.of(t, timedOut(List.of())), Outcome.Result.TIMED_OUT))
        .containsExactly(Map.entry(Hop.REQUEST_ON_UPLINK.waitingIn(), 1));
  }

  private static Traced timedOut(List<Seen> hops) {
    return new Traced("VIN", "user", Outcome.Result.TIMED_OUT, "no activation code", 0, 60_000 * MS, hops, false);
  }

  private static Seen seen(Hop hop, long ms, String detail) {
    return new Seen(hop, ms * MS, detail);
  }
}
