package org.aidcmp.lifecycle;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.aidcmp.schemas.aid1.CsimStatusValue;

/**
 * What the topology's decisions depend on besides state and input.
 *
 * @param activationCodeDeadline how long an AC request may wait for its answer (§7.1.8 async) before the
 *     vehicle is told NO_ACTIVATION_CODE_AVAILALE
 * @param csimStatusesByMsp which statuses each MSP gets by Send CSIM status (§7.1.9: per pre-arrangement);
 *     "deleted" of a withdrawn token's profiles is always sent (§4.4.1 [12], §4.4.2 [7])
 * @param profileType / deviceType sent in Request activation code (§7.1.8)
 * @param answeredRequestsKept per user, how many answered request ids are remembered for repeats
 */
public record LifecycleSettings(
    Duration activationCodeDeadline,
    Map<String, Set<CsimStatusValue>> csimStatusesByMsp,
    String profileType,
    String deviceType,
    int answeredRequestsKept) {

  public static LifecycleSettings defaults() {
    return new LifecycleSettings(Duration.ofMinutes(15), Map.of(), "personal", "tcu", 64);
  }

  public boolean forwards(String mspId, CsimStatusValue status) {
    return csimStatusesByMsp.getOrDefault(mspId, Set.of(CsimStatusValue.DELETED)).contains(status);
  }

  public LifecycleSettings withCsimStatuses(Map<String, Set<CsimStatusValue>> byMsp) {
    return new LifecycleSettings(activationCodeDeadline, byMsp, profileType, deviceType, answeredRequestsKept);
  }

  public LifecycleSettings withActivationCodeDeadline(Duration deadline) {
    return new LifecycleSettings(deadline, csimStatusesByMsp, profileType, deviceType, answeredRequestsKept);
  }
}
