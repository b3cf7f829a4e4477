package org.aidcmp.lifecycle.route;

import org.aidcmp.lifecycle.DecidingProcessor;
import org.aidcmp.lifecycle.Dispatch;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequestAccepted;
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

/** Applies {@link RoutesDecider} to MSP calls, token claims, MSP call results and route updates (key: msp_token). */
public final class RoutesProcessor extends DecidingProcessor<Route> {
  public static final String NAME = "route-msp-calls";
  public static final String STORE = "routes";

  public RoutesProcessor() {
    super(NAME, STORE, dispatch());
  }

  static Dispatch<Route> dispatch() {
    RoutesDecider routes = new RoutesDecider();
    return new Dispatch<Route>()
        // a Send MSP token here names no user: written before account ids carried theirs (the decider refuses it)
        .on(AidTopic.AID1_INBOUND, routes, SendMspToken.class, NotifyMspTokenInvalid.class,
            SendProfileInformation.class, UpdateSubscriptionInfo.class, SendActivationCode.class)
        .on(AidTopic.INTERNAL_ROUTES, routes, RouteUpdate.class, MspTokenClaim.class)
        // results keyed by msp_token (their command named no user), passed on by the user stage
        .on(AidTopic.INTERNAL_ROUTES, routes, ActivationCodeIssued.class, ActivationCodeRequestAccepted.class,
            MspCallSucceeded.class, MspCallRejected.class, ProfileStatusReceived.class, MspCallGaveUp.class);
  }
}
