package org.aidcmp.infra.launcher.demo;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.aidcmp.schemas.lifecycle.AccountIdIssued;

/** §4.2 with §7.1.2 - §7.1.3: the user starts at the MSP's portal, which sends them to the CMP and back. */
final class OnboardingViaMspTouchpoint implements Chapter {
  @Override
  public String section() {
    return "§4.2, §7.1.2, §7.1.3";
  }

  @Override
  public String title() {
    return "Onboarding via the MSP touchpoint";
  }

  @Override
  public String story() {
    return "Bob starts at msp-async's portal and chooses the car maker. The portal redirects him to the CMP's "
        + "content with its redirect_uri; he logs in there, the CMP checks the redirect_uri against the domains "
        + "agreed with that MSP and sends him back with an account id, which the MSP answers with Send MSP token.";
  }

  @Override
  public void run(World w, Checks c) throws Exception {
    World.Msp msp = w.async;
    World.User bob = new World.User("bob", w.cmpUserId("bob"), msp, UUID.randomUUID().toString());
    World.Answer foreign = w.asUser(bob, "POST", "/api/v1/onboarding/msp-redirects",
        "{\"mspId\":\"" + msp.id() + "\",\"redirect_uri\":\"https://portal.elsewhere.example/return\"}");
    c.that("a redirect_uri outside the domains agreed with " + msp.id() + " is refused",
        foreign.status() == 422 && foreign.body().path("code").asText().equals("211"),
        "HTTP " + foreign.status() + " code " + foreign.body().path("code").asText());

    World.Answer failed = w.asUser(bob, "POST", "/api/v1/onboarding/msp-redirects",
        "{\"mspId\":\"" + msp.id() + "\",\"redirect_uri\":\"" + msp.redirectBase() + "\",\"failure_code\":\"102\"}");
    String failure = failed.body().path("redirect_url").asText("");
    c.that("had Bob aborted at the CMP, the MSP would get the §7.1.3 failure redirect (102)",
        failed.status() == 200 && failure.startsWith(msp.redirectBase()) && failure.contains("code=102"),
        "HTTP " + failed.status() + ", redirect " + failure);

    World.Answer back = w.asUser(bob, "POST", "/api/v1/onboarding/msp-redirects",
        "{\"mspId\":\"" + msp.id() + "\",\"redirect_uri\":\"" + msp.redirectBase() + "\"}");
    String redirect = back.body().path("redirect_url").asText("");
    String accountId = accountIdIn(redirect);
    c.that("Bob is sent back to the MSP's content with an account id (§7.1.2)",
        back.status() == 200 && redirect.startsWith(msp.redirectBase()) && accountId != null
            && accountId.equals(back.body().path("account_id").asText()),
        "HTTP " + back.status() + ", redirect to " + redirect.replaceAll("\\?.*", "?...id=<account id>"));
    Checks.needed(accountId, "an account id in the redirect");
    c.eventually("the platform issued the account id for an onboarding started at the MSP (AccountIdIssued)",
        () -> w.events.first(AccountIdIssued.class, e -> e.getCmpUserId().equals(bob.cmpUserId())
            && e.getMspId().equals(msp.id())), e -> "aid.lifecycle.events: AccountIdIssued for " + e.getMspId());
    OnboardingViaCmpTouchpoint.finish(w, c, bob, accountId);
  }

  /** The MSP reads the account id from the redirect it received (its id parameter). */
  static String accountIdIn(String redirect) {
    if (redirect.isEmpty()) {
      return null;
    }
    String query = URI.create(redirect).getRawQuery();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      if (pair.startsWith("id=")) {
        return URLDecoder.decode(pair.substring(3), StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
