package org.aidcmp.infra.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.schemas.lifecycle.FederationEstablished;

/** §4.1: the user starts in the CMP's app, is sent to the MSP with an account id, the MSP sends its token. */
final class OnboardingViaCmpTouchpoint implements Chapter {
  @Override
  public String section() {
    return "§4.1";
  }

  @Override
  public String title() {
    return "Onboarding via the CMP touchpoint";
  }

  @Override
  public String story() {
    return "Alice and Carol open the car maker's app and choose their mobile operator msp-sync. The app gets an "
        + "account id from the CMP and redirects them to the MSP's portal; the MSP provisions the service and "
        + "sends the CMP an msp_token for that account id. They accept the AiD terms.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    onboard(w, c, "alice", w.sync);
    onboard(w, c, "carol", w.sync);
  }

  static void onboard(World w, Checks c, String name, World.Msp msp) throws Exception {
    World.User user = new World.User(name, w.cmpUserId(name), msp, UUID.randomUUID().toString());
    World.Answer issued = w.asUser(user, "POST", "/api/v1/onboarding/account-ids", "{\"mspId\":\"" + msp.id() + "\"}");
    String accountId = issued.body().path("account_id").asText("");
    String redirect = issued.body().path("redirect_url").asText("");
    c.that(name + " gets an account id and the §7.1.1 redirect to " + msp.id() + "'s touchpoint",
        issued.status() == 201 && !accountId.isEmpty() && redirect.startsWith(msp.touchpointUrl() + "?id="),
        "HTTP " + issued.status() + ", redirect to " + redirect.replaceAll("\\?.*", "?id=<account id>&..."));
    finish(w, c, user, accountId);
  }

  /** The MSP's Send MSP token for {@code accountId}, the terms, and what the platform made of them. */
  static void finish(World w, Checks c, World.User user, String accountId) throws Exception {
    CmpClient.Answer sent = user.msp().cmp().sendMspToken(accountId,
        CmpClient.SendMspToken.of(user.mspToken(), "4917612345678", "private"));
    c.that(user.msp().id() + " sends its msp_token for the account id (§7.1.4 Send MSP token)", sent.status() == 201,
        "HTTP " + sent.status() + (sent.successful() ? "" : " code " + sent.code()));
    World.Answer terms = w.asUser(user, "POST", "/api/v1/terms/acceptance", "{}");
    c.that(user.name() + " accepts the AiD terms", terms.status() == 200, "HTTP " + terms.status());
    c.eventually("the platform federated " + user.name() + " with " + user.msp().id() + " (FederationEstablished)",
        () -> w.events.first(FederationEstablished.class, e -> e.getCmpUserId().equals(user.cmpUserId())
            && e.getMspToken().equals(user.mspToken())), e -> "aid.lifecycle.events: FederationEstablished, "
            + e.getSubscriptionType() + ", phone number " + (e.getPhoneNumber() == null ? "none" : "encrypted"));
    c.eventually(user.name() + "'s subscription shows in the query API as ESTABLISHED", () -> {
      JsonNode items = w.asUser(user, "GET", "/api/v1/me/subscriptions", "").body().path("items");
      for (JsonNode s : items) {
        if (s.path("mspToken").asText().equals(user.mspToken()) && s.path("state").asText().equals("ESTABLISHED")) {
          return s;
        }
      }
      return null;
    }, s -> "GET /api/v1/me/subscriptions: " + s.path("mspId").asText() + " " + s.path("state").asText()
        + ", phone " + s.path("phoneNumberMasked").asText());
    w.onboarded(user);
  }
}
