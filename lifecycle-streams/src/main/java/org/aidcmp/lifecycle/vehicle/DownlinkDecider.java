package org.aidcmp.lifecycle.vehicle;

import java.time.Instant;
import org.aidcmp.lifecycle.Decider;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.aid2.VehiclePresence;
import org.aidcmp.schemas.internal.VehicleCommand;
import org.aidcmp.schemas.state.InventoryEntryState;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.vehicle.VehicleOffline;
import org.aidcmp.schemas.vehicle.VehicleOnline;

/**
 * The Vehicle aggregate owns its downlink: every command the user stage decides for a vehicle is sent and kept
 * until the vehicle answers, and sent again, with its own id, whenever the vehicle comes back online (§4.4 end
 * condition c: a vehicle offline for weeks still gets its delete). An error answering a vehicle's request is
 * an answer, not a command: it is sent, not kept.
 */
public final class DownlinkDecider implements Decider<VehicleState> {

  @Override
  public Decision<VehicleState> decide(VehicleState state, Message m, Instant now) {
    VehicleChange c = VehicleChange.of(state, m, now);
    if (m.payload() instanceof VehicleCommand command && command.getSent()) {
      keep(c, command);
      return c.decisionUncounted();
    } else if (m.payload() instanceof VehicleCommand command) {
      command(c, command.getDownlink());
    } else if (m.payload() instanceof VehiclePresence presence) {
      presence(c, presence.getOnline());
    } else {
      throw new IllegalArgumentException("the downlink does not take " + m.describe());
    }
    return c.decision();
  }

  private static void command(VehicleChange c, Aid2Downlink downlink) {
    if (downlink.getPayload() instanceof VehicleRequestError) {
      c.out.downlink(c.vin(), downlink); // nothing comes back to wait for
      return;
    }
    if (downlink.getPayload() instanceof RequestDeleteProfile d) {
      VehicleSteps.entry(c, d.getIccid()).ifPresent(e -> e.setState(InventoryEntryState.DELETE_PENDING));
    }
    VehicleSteps.send(c, downlink);
  }

  /**
   * The user stage sent it already (the AC): kept until answered, unless the vehicle's report of the profile's
   * install got here first. That order is possible by design (two stages write), so it is decided by what the
   * vehicle reported, not by timing; and not counted as a decision (VehicleChange.decisionUncounted), so the
   * install report mints the same ids whichever came first.
   */
  private static void keep(VehicleChange c, VehicleCommand command) {
    boolean answeredAlready = command.getIccid() != null && VehicleSteps.entry(c, command.getIccid())
        .filter(e -> e.getState() == InventoryEntryState.INSTALLED || e.getState() == InventoryEntryState.INSTALL_FAILED)
        .isPresent();
    if (!answeredAlready) {
      c.s.getPending().add(command.getDownlink());
    }
  }

  /** Online: every command still unanswered goes out again, with its own id, so the vehicle can spot a repeat. */
  private static void presence(VehicleChange c, boolean online) {
    c.s.setOnline(online);
    if (!online) {
      c.out.vehicleEvent(c.vin(), new VehicleOffline(c.vin()));
      return;
    }
    c.out.vehicleEvent(c.vin(), new VehicleOnline(c.vin()));
    c.s.getPending().forEach(command -> c.out.downlink(c.vin(), command));
  }
}
