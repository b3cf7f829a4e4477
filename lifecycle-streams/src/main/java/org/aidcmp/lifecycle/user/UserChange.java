package org.aidcmp.lifecycle.user;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.aidcmp.lifecycle.Decider;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Records;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.state.AnsweredRequest;
import org.aidcmp.schemas.state.UserState;

/**
 * One decision about a user in the making, local to one {@code decide} call: a working copy of the state to
 * change, the records it emits, the time. {@link #decision()} ends it; the state given stays as it was. The
 * answers every procedure gives (a reply remembered for repeats, a refusal to a vehicle) are here, once.
 */
public final class UserChange {
  private final UserState before;
  public final UserState s;
  public final Records out;
  public final Instant now;
  public final LifecycleSettings settings;

  private UserChange(UserState before, UserState working, Records out, Instant now, LifecycleSettings settings) {
    this.before = before;
    this.s = working;
    this.out = out;
    this.now = now;
    this.settings = settings;
  }

  /** A change of the user the message is keyed by; a user not known yet starts empty. */
  public static UserChange of(UserState state, Message m, Instant now, LifecycleSettings settings) {
    return new UserChange(state, copyOrNew(m.key(), state), records(state, m, now), now, settings);
  }

  private static Records records(UserState state, Message m, Instant now) {
    return new Records(m.cause(), now, state == null ? 0 : state.getDecisions());
  }

  /**
   * The new state, or the given one itself when nothing changed (so nothing is written), and the records. A
   * decision that changed the state is counted: the next one's ids differ even if its cause's messageId does not.
   */
  public Decision<UserState> decision() {
    if (before != null && s.equals(before)) {
      return new Decision<>(before, out.list());
    }
    s.setDecisions(s.getDecisions() + 1);
    return new Decision<>(s, out.list());
  }

  /** The user does not exist and is not created: only the records. */
  public static Decision<UserState> unknownUser(Records out) {
    return new Decision<>(null, out.list());
  }

  public String cmpUserId() {
    return s.getCmpUserId();
  }

  /** The reply to the request that caused this, remembered so a repeated CMP-request-id gets it again. */
  public void answer(int status, ErrorInfo error, String body) {
    out.reply(status, error, body);
    String requestId = out.cause().getRequestId();
    if (requestId == null) {
      return;
    }
    List<AnsweredRequest> answered = s.getAnsweredRequests();
    answered.add(new AnsweredRequest(requestId, new RequestOutcome(status, error, body)));
    while (answered.size() > settings.answeredRequestsKept()) {
      answered.remove(0);
    }
  }

  public void answer(int status) {
    answer(status, null, null);
  }

  /** §7.2.1: the vehicle's request cannot be served; the answer goes straight to the vehicle. */
  public void refuseVehicle(String vin, VehicleRequestId requestId, Aid2Error error) {
    refuseVehicle(out, vin, requestId, s.getCmpUserId(), error);
  }

  public static void refuseVehicle(Records out, String vin, VehicleRequestId requestId, String cmpUserId,
      Aid2Error error) {
    out.answerVehicle(vin, new VehicleRequestError(requestId, cmpUserId, error, null));
  }

  /**
   * §5.1.1: a request (touchpoint command or MSP call) whose CMP-request-id was answered before gets the
   * recorded outcome again and changes nothing; any other goes to the procedure's decider.
   */
  public static Decider<UserState> answeringRepeats(Decider<UserState> decider) {
    return (state, m, now) -> {
      Optional<RequestOutcome> repeated = answeredBefore(state, m.cause().getRequestId());
      if (repeated.isEmpty()) {
        return decider.decide(state, m, now);
      }
      Records out = records(state, m, now);
      out.reply(repeated.get());
      return new Decision<>(state, out.list());
    };
  }

  private static Optional<RequestOutcome> answeredBefore(UserState state, String requestId) {
    if (state == null || requestId == null) {
      return Optional.empty();
    }
    for (AnsweredRequest a : state.getAnsweredRequests()) {
      if (a.getRequestId().equals(requestId)) {
        return Optional.of(a.getOutcome());
      }
    }
    return Optional.empty();
  }

  /** A copy to change (Avro's defaults and decoded arrays are not all mutable): the input state stays as it was. */
  static UserState copyOrNew(String cmpUserId, UserState state) {
    UserState s = state == null
        ? UserState.newBuilder().setCmpUserId(cmpUserId).build()
        : UserState.newBuilder(state).build();
    s.setSessions(new ArrayList<>(s.getSessions()));
    s.setFederations(new ArrayList<>(s.getFederations()));
    s.setProfiles(new ArrayList<>(s.getProfiles()));
    s.setActivationCodesInFlight(new ArrayList<>(s.getActivationCodesInFlight()));
    s.setAnsweredRequests(new ArrayList<>(s.getAnsweredRequests()));
    return s;
  }
}
