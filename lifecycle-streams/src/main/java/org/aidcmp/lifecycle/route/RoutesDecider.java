package org.aidcmp.lifecycle.route;

import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Outputs;
import org.aidcmp.schemas.AidErrorCode;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.internal.MspTokenClaim;
import org.aidcmp.schemas.internal.MspTokenClaimAnswer;
import org.aidcmp.schemas.internal.RouteUpdate;
import org.aidcmp.schemas.state.Route;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;

/**
 * The routing index (key: msp_token, or an account id's sid): which user an MSP's call is about. MSP calls
 * arrive keyed by what the MSP knows; the user stage is keyed by cmpUserId. A call naming an unknown token or
 * sid, or one of another MSP, is answered here with 404, the same answer for both, so that an MSP learns
 * nothing about another's tokens. Tokens are claimed here, which keeps each unique to one user (§7.1.4, 23).
 */
public final class RoutesDecider {

  /**
   * §7.1.4: a Send MSP token whose sid has no route may have overtaken the RouteUpdate the user stage wrote when
   * it issued the account id (both committed, the route not read yet, e.g. under load). It waits for the route
   * (up to {@link org.aidcmp.lifecycle.LifecycleSettings#routeWait()}) rather than be refused; a route that
   * exists but is another MSP's is refused at once. msp_token routes are written by this stage itself (token
   * claims), so calls naming a token never wait.
   */
  public static boolean awaitsRoute(Route route, Aid1Inbound call) {
    return route == null && call.getPayload() instanceof SendMspToken;
  }

  /** §7.1.4 - §7.1.8.2.1: route the MSP's call to its user. */
  public Decision<Route> onMspCall(Route route, Aid1Inbound call, Outputs out) {
    String mspId = mspIdOf(call.getPayload());
    if (route == null || !route.getMspId().equals(mspId)) {
      AidErrorCode notFound = call.getPayload() instanceof SendMspToken
          ? AidErrorCode.ACCOUNT_ID_NOT_FOUND
          : AidErrorCode.MSP_TOKEN_NOT_FOUND;
      out.reply(404, notFound.toErrorInfo(), null);
      return out.decide(route);
    }
    out.internal(AidTopic.INTERNAL_USERS, route.getCmpUserId(), call);
    return out.decide(route);
  }

  /** What an MSP call of ours returned goes to the token's user; a token already removed has no one to tell. */
  public Decision<Route> onMspResult(Route route, Aid1Result result, Outputs out) {
    if (route != null) {
      out.internal(AidTopic.INTERNAL_USERS, route.getCmpUserId(), result);
    }
    return out.decide(route);
  }

  public Decision<Route> onRouteUpdate(Route route, RouteUpdate update, Outputs out) {
    if (update.getCmpUserId() == null) {
      return out.decide(null);
    }
    return out.decide(new Route(update.getCmpUserId(), update.getMspId()));
  }

  /** A token is granted to the first user that claims it; the same user claiming again is granted again. */
  public Decision<Route> onTokenClaim(Route route, MspTokenClaim claim, Outputs out) {
    boolean granted = route == null
        || (route.getCmpUserId().equals(claim.getCmpUserId()) && route.getMspId().equals(claim.getMspId()));
    Route next = granted ? new Route(claim.getCmpUserId(), claim.getMspId()) : route;
    out.internal(AidTopic.INTERNAL_USERS, claim.getCmpUserId(),
        new MspTokenClaimAnswer(claim.getMspToken(), granted, claim.getSendMspToken()));
    return out.decide(next);
  }

  /** Every MSP -> CMP call names its MSP in field mspId (set by ingress from the client certificate). */
  static String mspIdOf(Object payload) {
    SpecificRecord record = (SpecificRecord) payload;
    return String.valueOf(record.get(record.getSchema().getField("mspId").pos()));
  }
}
