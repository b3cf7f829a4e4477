package org.aidcmp.infra.launcher.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntBiFunction;
import org.aidcmp.infra.vehicle.Outcome;

/**
 * The count at the end of a fault drill: was anything lost or doubled. A car provisioning flow (a login of a user
 * whose profile the vehicle did not hold) either completed exactly once — its vehicle got one activation code
 * for it (§7.2.2), reported it installed and enabled, and the User aggregate has the profile ENABLED (its
 * {@code ProfileEnabled} read from the lifecycle events) — or ended for a named reason the platform gave
 * (refused with an error code, §7.2.1; a failed download or install, §7.2.3). Lost: a flow with no outcome, one
 * that timed out at the vehicle, or one the vehicle finished whose profile never became ENABLED. Doubled: more
 * activation codes to a vehicle for a user than flows that got one; more {@code ProfileEnabled} of a profile than
 * the flows that enabled it; an MSP that executed one activationCodeRequestID (§7.1.8) under more than one
 * CMP-request-id (a repeat with the same CMP-request-id is the §5.1.1 retry of one request, counted apart).
 */
public final class DrillLedger {

  /** A Request activation code the MSP simulator answered by its own logic (2xx or 4xx, not a fault or 5xx). */
  public record MspExecution(String activationCodeRequestId, String cmpRequestId) {}

  /** What was counted; {@link #ok()} when nothing was lost or doubled. */
  public record Count(int provisioningFlows, int completedOnce, Map<String, Integer> accounted,
                      Map<String, Integer> lost, Map<String, Integer> doubled, int enableFlows,
                      Map<String, Integer> mspRequestIds, Map<String, Integer> mspSameIdRepeats,
                      List<String[]> doubledEnables, int lateCodes) {
    public boolean ok() {
      return lost.isEmpty() && doubled.isEmpty();
    }

    public int lostTotal() {
      return lost.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int doubledTotal() {
      return doubled.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The lines the drill prints. */
    public List<String> lines() {
      List<String> l = new ArrayList<>();
      l.add(String.format("provisioning flows started: %d; completed exactly once: %d; ended for a named reason: %d;"
          + " lost: %d; doubled: %d", provisioningFlows, completedOnce,
          accounted.values().stream().mapToInt(Integer::intValue).sum(), lostTotal(), doubledTotal()));
      accounted.forEach((k, v) -> l.add("  named reason: " + k + ": " + v));
      lost.forEach((k, v) -> l.add("  LOST: " + k + ": " + v));
      doubled.forEach((k, v) -> l.add("  DOUBLED: " + k + ": " + v));
      if (lateCodes > 0) {
        l.add("activation codes that came after their flow had timed out at the vehicle (one each; the flow "
            + "counted lost above, the code not doubled): " + lateCodes);
      }
      l.add("logins of a user whose profile the vehicle held (enable, §4.9; not counted above): " + enableFlows);
      mspRequestIds.forEach((msp, n) -> l.add(String.format("MSP %s: %d activationCodeRequestIDs executed, "
          + "%d executed again under the same CMP-request-id (a §5.1.1 retry)", msp, n,
          mspSameIdRepeats.getOrDefault(msp, 0))));
      return l;
    }
  }

  private DrillLedger() {}

  /**
   * {@code codesReceived}: per vehicle, per user, the activation codes the vehicle took (repeats it dropped by
   * their command id not counted); {@code enabledCount}: the {@code ProfileEnabled} read per user and ICCID;
   * {@code mspExecutions}: per MSP, every Request activation code it executed.
   */
  public static Count count(List<DrillLoad.Flow> flows, Map<String, Map<String, Integer>> codesReceived,
                            ToIntBiFunction<String, String> enabledCount,
                            Map<String, List<MspExecution>> mspExecutions) {
    int provisioning = 0;
    int completed = 0;
    int enables = 0;
    Map<String, Integer> accounted = new TreeMap<>();
    Map<String, Integer> lost = new TreeMap<>();
    Map<String, Integer> doubled = new TreeMap<>();
    Map<String, Integer> codeFlows = new HashMap<>(); // vin + user -> flows that got a code
    Map<String, Integer> timedOutFlows = new HashMap<>(); // vin + user -> flows the vehicle gave up (a code may be late)
    Map<String, Integer> enablingFlows = new HashMap<>(); // user + iccid -> flows that enabled it
    Set<String> provisioned = new HashSet<>();
    List<String[]> doubledEnables = new ArrayList<>(); // {cmpUserId, iccid}
    for (DrillLoad.Flow f : flows) {
      Outcome o = f.outcome();
      if (o != null && (o.result() == Outcome.Result.ENABLED)) {
        enables++;
        enablingFlows.merge(f.cmpUserId() + '\u0000' + o.detail(), 1, Integer::sum);
        continue;
      }
      provisioning++;
      if (o == null) {
        lost.merge("no outcome from the vehicle", 1, Integer::sum);
        continue;
      }
      switch (o.result()) {
        case PROVISIONED -> {
          codeFlows.merge(f.vin() + '\u0000' + f.cmpUserId(), 1, Integer::sum);
          String key = f.cmpUserId() + '\u0000' + o.detail();
          enablingFlows.merge(key, 1, Integer::sum);
          provisioned.add(key);
          if (enabledCount.applyAsInt(f.cmpUserId(), o.detail()) >= 1) {
            completed++;
          } else {
            lost.merge("installed and enabled at the vehicle, never ENABLED in the User aggregate", 1, Integer::sum);
          }
        }
        case INSTALL_FAILED, EUICC_FULL -> {
          codeFlows.merge(f.vin() + '\u0000' + f.cmpUserId(), 1, Integer::sum);
          accounted.merge(o.result() + " " + o.detail(), 1, Integer::sum);
        }
        case REFUSED -> accounted.merge("refused by the CMP, error code " + o.detail(), 1, Integer::sum);
        case TIMED_OUT -> {
          timedOutFlows.merge(f.vin() + '\u0000' + f.cmpUserId(), 1, Integer::sum);
          lost.merge("timed out at the vehicle (" + o.detail() + ")", 1, Integer::sum);
        }
        default -> accounted.merge(o.result() + " " + o.detail(), 1, Integer::sum);
      }
    }
    int[] late = {0};
    codesReceived.forEach((vin, byUser) -> byUser.forEach((user, codes) -> {
      // A flow the vehicle gave up may still get its one code, late (the platform recovering): not a second code.
      int beyondInTime = codes - codeFlows.getOrDefault(vin + '\u0000' + user, 0);
      int lateHere = Math.max(0, Math.min(beyondInTime, timedOutFlows.getOrDefault(vin + '\u0000' + user, 0)));
      late[0] += lateHere;
      if (beyondInTime - lateHere > 0) {
        doubled.merge("activation codes to a vehicle beyond one per flow", beyondInTime - lateHere, Integer::sum);
      }
    }));
    for (String key : provisioned) {
      String[] parts = key.split("\u0000", 2);
      int surplus = enabledCount.applyAsInt(parts[0], parts[1]) - enablingFlows.getOrDefault(key, 0);
      if (surplus > 0) {
        doubled.merge("ProfileEnabled beyond the flows that enabled the profile", surplus, Integer::sum);
        doubledEnables.add(parts);
      }
    }
    Map<String, Integer> ids = new TreeMap<>();
    Map<String, Integer> sameIdRepeats = new TreeMap<>();
    mspExecutions.forEach((msp, executions) -> {
      Map<String, Set<String>> requestIdsOf = new HashMap<>();
      int repeats = 0;
      for (MspExecution e : executions) {
        if (!requestIdsOf.computeIfAbsent(e.activationCodeRequestId(), unused -> new HashSet<>())
            .add(e.cmpRequestId())) {
          repeats++;
        }
      }
      ids.put(msp, requestIdsOf.size());
      sameIdRepeats.put(msp, repeats);
      long twice = requestIdsOf.values().stream().filter(s -> s.size() > 1).count();
      if (twice > 0) {
        doubled.merge("activationCodeRequestIDs MSP " + msp + " executed under two or more CMP-request-ids",
            (int) twice, Integer::sum);
      }
    });
    return new Count(provisioning, completed, accounted, lost, doubled, enables, ids, sameIdRepeats,
        doubledEnables, late[0]);
  }
}
