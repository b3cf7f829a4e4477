package org.aidcmp.infra.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.lifecycle.SubscriptionUpdated;

/** §4.8 / §7.1.7: the MSP changes the subscription's phone number, type and customer group. */
final class UpdateSubscriptionInfo implements Chapter {
  @Override
  public String section() {
    return "§4.8, §7.1.7";
  }

  @Override
  public String title() {
    return "Update subscription info";
  }

  @Override
  public String story() {
    return "Alice moves her line to a business contract with a new number: msp-sync sends Update subscription "
        + "info; the CMP keeps the number encrypted and shows it masked.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    World.User alice = w.user("alice");
    CmpClient.Answer updated = alice.msp().cmp().updateSubscriptionInfo(alice.mspToken(),
        new CmpClient.UpdateSubscriptionInfo("4915112345699", "business", "Fleet_Demo"));
    c.that(alice.msp().id() + " sends Update subscription info", updated.successful(), "HTTP " + updated.status());
    c.eventually("the platform recorded the update (SubscriptionUpdated, phone number encrypted)",
        () -> w.events.first(SubscriptionUpdated.class, e -> e.getCmpUserId().equals(alice.cmpUserId())
            && e.getSubscriptionType() == SubscriptionType.BUSINESS && e.getPhoneNumber() != null),
        e -> "aid.lifecycle.events: " + e.getSubscriptionType() + ", group " + e.getCustomerGroup()
            + ", phone number under key " + e.getPhoneNumber().getKeyId());
    c.eventually("her subscription in the query API: BUSINESS, Fleet_Demo, the new number masked", () -> {
      for (JsonNode s : w.asUser(alice, "GET", "/api/v1/me/subscriptions", "").body().path("items")) {
        if (s.path("mspToken").asText().equals(alice.mspToken()) && s.path("subscriptionType").asText()
            .equals("BUSINESS") && s.path("phoneNumberMasked").asText().endsWith("99")
            && !s.toString().contains("4915112345699")) {
          return s;
        }
      }
      return null;
    }, s -> "GET /api/v1/me/subscriptions: " + s.path("subscriptionType").asText() + ", "
        + s.path("customerGroup").asText() + ", phone " + s.path("phoneNumberMasked").asText());
  }
}
