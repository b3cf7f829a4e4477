package org.aidcmp.lifecycle.route;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.DecidingProcessor;
import org.aidcmp.lifecycle.Outputs;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.internal.MspTokenClaim;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.state.Route;
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
 * punctuation refuses those whose wait is over.
 */
public final class RoutesProcessor extends DecidingProcessor<Route> {
  public static final String NAME = "route-msp-calls";
  public static final String STORE = "routes";
  public static final String AWAITING = "msp-calls-awaiting-route";
  public static final String AWAITING_UNTIL = "msp-calls-awaiting-route-until";

  private final RoutesDecider decider = new RoutesDecider();
  private final Duration routeWait;
  private KeyValueStore<String, Aid1Inbound> awaiting;
  private KeyValueStore<String, String> awaitingUntil;

  public RoutesProcessor(Duration routeWait) {
    super(NAME, STORE);
    this.routeWait = routeWait;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    super.init(context);
    awaiting = context.getStateStore(AWAITING);
    awaitingUntil = context.getStateStore(AWAITING_UNTIL);
    Duration scan = Duration.ofMillis(Math.max(10, Math.min(250, routeWait.toMillis() / 4)));
    context.schedule(scan, PunctuationType.WALL_CLOCK_TIME, this::refuseWaitsOver);
  }

  @Override
  protected Decision<Route> decide(String key, Route route, SpecificRecord value, Outputs out) {
    if (value instanceof Aid1Inbound call) {
      if (RoutesDecider.awaitsRoute(route, call)) {
        await(key, call);
        return null;
      }
      return decider.onMspCall(route, call, out);
    }
    if (value instanceof Aid1Result result) {
      return decider.onMspResult(route, result, out);
    }
    if (value instanceof InternalMessage message) {
      if (message.getPayload() instanceof RouteUpdate update) {
        return decider.onRouteUpdate(route, update, out);
      }
      if (message.getPayload() instanceof MspTokenClaim claim) {
        return decider.onTokenClaim(route, claim, out);
      }
    }
    throw new IllegalArgumentException("routes cannot take " + describe(value));
  }

  @Override
  protected void stateChanged(String key, Route before, Route after) {
    if (before == null && after != null) {
      for (KeyValue<String, Aid1Inbound> waiting : waitingFor(key)) {
        release(waiting.key, waiting.value);
      }
    }
  }

  private void await(String key, Aid1Inbound call) {
    long until = context.currentSystemTimeMs() + routeWait.toMillis();
    String awaitingKey = key + "|" + String.format("%019d", until) + "|" + call.getHeader().getMessageId();
    awaiting.put(awaitingKey, call);
    awaitingUntil.put(String.format("%019d", until) + "|" + key + "|" + call.getHeader().getMessageId(), awaitingKey);
  }

  private List<KeyValue<String, Aid1Inbound>> waitingFor(String key) {
    List<KeyValue<String, Aid1Inbound>> found = new ArrayList<>();
    try (KeyValueIterator<String, Aid1Inbound> it = awaiting.range(key + "|", key + "|~")) {
      it.forEachRemaining(found::add);
    }
    return found;
  }

  /** The call goes through the decider as if it came now: to its user, or refused if there is still no route. */
  private void release(String awaitingKey, Aid1Inbound call) {
    String[] parts = awaitingKey.split("\\|");
    String key = parts[0];
    awaiting.delete(awaitingKey);
    awaitingUntil.delete(parts[1] + "|" + key + "|" + parts[2]);
    long now = context.currentSystemTimeMs();
    apply(key, decider.onMspCall(store.get(key), call, new Outputs(call.getHeader(), Instant.ofEpochMilli(now))), now);
  }

  private void refuseWaitsOver(long wallClockMillis) {
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

  static String describe(SpecificRecord value) {
    return value == null ? "a tombstone" : value.getSchema().getFullName();
  }
}
