package org.aidcmp.lifecycle.route;

import java.time.Instant;
import org.aidcmp.lifecycle.Decider;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Records;
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
 * The routing index (key: msp_token): which user an MSP's call is about. MSP calls arrive keyed by what the MSP
 * knows; the user stage is keyed by cmpUserId. A call naming an unknown token, or one of another MSP, is
 * answered here with 404 (code 20), the same answer for both, so that an MSP learns nothing about another's
 * tokens. Tokens are claimed here, which keeps each unique to one user (§7.1.4, 23). Send MSP token does not
 * pass here: its account id names its user, and ingress keys it so (routes written for sids before that are
 * left as they are; nothing reads them).
 */
public final class RoutesDecider implements Decider<Route> {

  @Override
  public Decision<Route> decide(Route route, Message m, Instant now) {
    Records out = new Records(m.cause(), now);
    Route next = route;
    Object payload = m.payload();
    if (payload instanceof RouteUpdate update) {
      next = update.getCmpUserId() == null ? null : routeTo(route, update.getCmpUserId(), update.getMspId());
    } else if (payload instanceof MspTokenClaim claim) {
      next = tokenClaim(route, claim, out);
    } else if (m.envelope() instanceof Aid1Inbound call) {
      mspCall(route, call, out);
    } else if (m.envelope() instanceof Aid1Result result) {
      // What an MSP call of ours returned goes to the token's user; a token already removed has no one to tell.
      if (route != null) {
        out.internal(AidTopic.INTERNAL_USERS, route.getCmpUserId(), result);
      }
    } else {
      throw new IllegalArgumentException("routes do not take " + m.describe());
    }
    return new Decision<>(next, out.list());
  }

  /**
   * §7.1.5 - §7.1.8.2.1: route the MSP's call to its user. A Send MSP token here names no user: ingress wrote
   * it keyed by the sid, before account ids carried their user; it is refused as such an account id is at the
   * edge now (422, 11: found, but no longer valid), so none is left unanswered.
   */
  private static void mspCall(Route route, Aid1Inbound call, Records out) {
    if (call.getPayload() instanceof SendMspToken) {
      out.reply(422, AidErrorCode.ACCOUNT_ID_NO_LONGER_VALID.toErrorInfo(), null);
      return;
    }
    if (route == null || !route.getMspId().equals(mspIdOf(call.getPayload()))) {
      out.reply(404, AidErrorCode.MSP_TOKEN_NOT_FOUND.toErrorInfo(), null);
      return;
    }
    out.internal(AidTopic.INTERNAL_USERS, route.getCmpUserId(), call);
  }

  /** A token is granted to the first user that claims it; the same user claiming again is granted again. */
  private static Route tokenClaim(Route route, MspTokenClaim claim, Records out) {
    boolean granted = route == null
        || (route.getCmpUserId().equals(claim.getCmpUserId()) && route.getMspId().equals(claim.getMspId()));
    out.internal(AidTopic.INTERNAL_USERS, claim.getCmpUserId(),
        new MspTokenClaimAnswer(claim.getMspToken(), granted, claim.getSendMspToken()));
    return granted ? routeTo(route, claim.getCmpUserId(), claim.getMspId()) : route;
  }

  /** The route, the same instance if it already says so (then nothing is written). */
  private static Route routeTo(Route route, String cmpUserId, String mspId) {
    if (route != null && route.getCmpUserId().equals(cmpUserId) && route.getMspId().equals(mspId)) {
      return route;
    }
    return new Route(cmpUserId, mspId);
  }

  /** Every MSP -> CMP call names its MSP in field mspId (set by ingress from the client certificate). */
  static String mspIdOf(Object payload) {
    SpecificRecord record = (SpecificRecord) payload;
    return String.valueOf(record.get(record.getSchema().getField("mspId").pos()));
  }
}
