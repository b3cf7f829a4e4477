package org.aidcmp.lifecycle.vehicle;

import java.time.Instant;
import java.util.ArrayList;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Records;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;

/**
 * One decision about a vehicle in the making, local to one {@code decide} call: a working copy of the state,
 * the records it emits, the time. A vehicle that sends anything on the uplink is seen now.
 */
public final class VehicleChange {
  private final VehicleState before;
  public final VehicleState s;
  public final Records out;
  public final Instant now;

  private VehicleChange(VehicleState before, VehicleState s, Records out, Instant now) {
    this.before = before;
    this.s = s;
    this.out = out;
    this.now = now;
  }

  public static VehicleChange of(VehicleState state, Message m, Instant now) {
    VehicleChange c = new VehicleChange(state, copyOrNew(m.key(), state), new Records(m.cause(), now,
        state == null ? 0 : state.getDecisions()), now);
    if (AidTopic.AID2_UPLINK.topicName().equals(m.topic())) {
      c.s.setLastSeen(now);
    }
    return c;
  }

  public String vin() {
    return s.getVin();
  }

  /**
   * The new state, or the given one itself when nothing changed (so nothing is written), and the records. A
   * decision that changed the state is counted (see UserState.decisions).
   */
  public Decision<VehicleState> decision() {
    if (before != null && s.equals(before)) {
      return new Decision<>(before, out.list());
    }
    s.setDecisions(s.getDecisions() + 1);
    return new Decision<>(s, out.list());
  }

  /**
   * As {@link #decision()}, but not counted: for a change of bookkeeping that mints no id and whose order against
   * the vehicle's own reports is open by design (the AC the user stage sent, kept for re-sending). Counted, the
   * vehicle's install report would be decided with one count or the other depending on which came first, and so
   * mint other ids; a replay takes the two in time order, which need not be the order the platform met.
   */
  public Decision<VehicleState> decisionUncounted() {
    if (before != null && s.equals(before)) {
      return new Decision<>(before, out.list());
    }
    return new Decision<>(s, out.list());
  }

  /** The state stays as it was given (a vehicle not registered is not created by a refused command). */
  public Decision<VehicleState> unchanged() {
    return new Decision<>(before, out.list());
  }

  /** A copy to change (Avro's defaults and decoded arrays are not all mutable): the input state stays as it was. */
  static VehicleState copyOrNew(String vin, VehicleState state) {
    VehicleState s = state == null
        ? VehicleState.newBuilder().setVin(vin).build()
        : VehicleState.newBuilder(state).build();
    s.setInventory(new ArrayList<>(s.getInventory()));
    s.setPending(new ArrayList<>(s.getPending()));
    return s;
  }
}
