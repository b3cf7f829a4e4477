package org.aidcmp.lifecycle.route;

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

/** Applies {@link RoutesDecider} to MSP calls, MSP call results and route updates (key: msp_token or sid). */
public final class RoutesProcessor extends DecidingProcessor<Route> {
  public static final String NAME = "route-msp-calls";
  public static final String STORE = "routes";

  private final RoutesDecider decider = new RoutesDecider();

  public RoutesProcessor() {
    super(NAME, STORE);
  }

  @Override
  protected Decision<Route> decide(String key, Route route, SpecificRecord value, Outputs out) {
    if (value instanceof Aid1Inbound call) {
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

  static String describe(SpecificRecord value) {
    return value == null ? "a tombstone" : value.getSchema().getFullName();
  }
}
