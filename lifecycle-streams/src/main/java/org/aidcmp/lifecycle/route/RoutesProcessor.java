package org.aidcmp.lifecycle.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.lifecycle.DecidingProcessor;
import org.aidcmp.lifecycle.Dispatch;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequestAccepted;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.MspCallRejected;
import org.aidcmp.schemas.aid1.MspCallSucceeded;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.ProfileStatusReceived;
import org.aidcmp.schemas.aid1.SendActivationCode;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.aid1.SendProfileInformation;
import org.aidcmp.schemas.aid1.UpdateSubscriptionInfo;
import org.aidcmp.schemas.internal.MspTokenClaim;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.state.Route;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies {@link RoutesDecider} to MSP calls, MSP call results and route updates (key: msp_token or sid).
 *
 * <p>Beside the routes it keeps the Send MSP tokens waiting for their sid's route ({@link
 * RoutesDecider#awaitsRoute}): one store of the calls, keyed {@code sid|until|messageId}, and one index ordered
 * by time, keyed {@code until|sid|messageId}. A route that appears releases its calls at once; a wall-clock
 * punctuation releases those whose wait is over. Either way the call reaches the decider as an
 * {@link AwaitedRoute}.
 */
public final class RoutesProcessor extends DecidingProcessor<Route> {
  public static final String NAME = "route-msp-calls";
  public static final String STORE = "routes";
  public static final String AWAITING = "msp-calls-awaiting-route";
  public static final String AWAITING_UNTIL = "msp-calls-awaiting-route-until";

  private final Duration routeWait;
  private KeyValueStore<String, Aid1Inbound> awaiting;
  private KeyValueStore<String, String> awaitingUntil;

  public RoutesProcessor(Duration routeWait) {
    super(NAME, STORE, dispatch());
    this.routeWait = routeWait;
  }

  static Dispatch<Route> dispatch() {
    RoutesDecider routes = new RoutesDecider();
    return new Dispatch<Route>()
        .on(AidTopic.AID1_INBOUND, routes, SendMspToken.class, NotifyMspTokenInvalid.class,
            SendProfileInformation.class, UpdateSubscriptionInfo.class, SendActivationCode.class)
        .on(AidTopic.INTERNAL_ROUTES, routes, RouteUpdate.class, MspTokenClaim.class)
        // results keyed by msp_token (their command named no user), passed on by the user stage
        .on(AidTopic.INTERNAL_ROUTES, routes, ActivationCodeIssued.class, ActivationCodeRequestAccepted.class,
            MspCallSucceeded.class, MspCallRejected.class, ProfileStatusReceived.class, MspCallGaveUp.class)
        .onOwn(AwaitedRoute.class, routes);
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    super.init(context);
    awaiting = context.getStateStore(AWAITING);
    awaitingUntil = context.getStateStore(AWAITING_UNTIL);
    Duration scan = Duration.ofMillis(Math.max(10, Math.min(250, routeWait.toMillis() / 4)));
    context.schedule(scan, PunctuationType.WALL_CLOCK_TIME, this::releaseWaitsOver);
  }

  @Override
  protected boolean held(Message m, Route route) {
    if (!RoutesDecider.awaitsRoute(route, m)) {
      return false;
    }
    Aid1Inbound call = (Aid1Inbound) m.envelope();
    String until = String.format("%019d", context.currentSystemTimeMs() + routeWait.toMillis());
    String awaitingKey = m.key() + "|" + until + "|" + call.getHeader().getMessageId();
    awaiting.put(awaitingKey, call);
    awaitingUntil.put(until + "|" + m.key() + "|" + call.getHeader().getMessageId(), awaitingKey);
    return true;
  }

  @Override
  protected void stateChanged(String key, Route before, Route after) {
    if (before == null && after != null) {
      List<KeyValue<String, Aid1Inbound>> found = new ArrayList<>();
      try (KeyValueIterator<String, Aid1Inbound> it = awaiting.range(key + "|", key + "|~")) {
        it.forEachRemaining(found::add);
      }
      found.forEach(waiting -> release(waiting.key, waiting.value));
    }
  }

  /** The call goes to the decider as if it came now: to its user, or refused if there is still no route. */
  private void release(String awaitingKey, Aid1Inbound call) {
    String[] parts = awaitingKey.split("\\|");
    awaiting.delete(awaitingKey);
    awaitingUntil.delete(parts[1] + "|" + parts[0] + "|" + parts[2]);
    decide(Message.own(parts[0], call.getHeader(), new AwaitedRoute(call)), context.currentSystemTimeMs());
  }

  private void releaseWaitsOver(long wallClockMillis) {
    List<String> over = new ArrayList<>();
    try (KeyValueIterator<String, String> it =
        awaitingUntil.range(null, String.format("%019d", wallClockMillis) + "|~")) {
      it.forEachRemaining(entry -> over.add(entry.value));
    }
    for (String awaitingKey : over) {
      Aid1Inbound call = awaiting.get(awaitingKey);
      if (call != null) {
        release(awaitingKey, call);
      }
    }
  }
}
