package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.aidcmp.infra.msp.CmpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The query API on the running platform, fed the real way: an MSP onboards a user (§7.1.4, the phone number
 * encrypted by ingress under the CMP key), lifecycle-streams decides, the projections write PostgreSQL, and the
 * touchpoint API reads it back, the phone number masked at the edge. Auth: a user sees only their own data,
 * customer care and operations need their roles.
 */
@ExtendWith(SharedEmbeddedStack.class)
class QueryApiEndToEndTest {
  private static TestPlatform platform;
  private static final String USER = "query-" + UUID.randomUUID();
  private static final String OTHER = "query-other-" + UUID.randomUUID();
  private static final String TOKEN = UUID.randomUUID().toString();

  @BeforeAll
  static void onboard(Endpoints endpoints, SharedEmbeddedStack.DataDir stackData) throws Exception {
    platform = new TestPlatform(endpoints, stackData.path());
    assertThat(platform.msp.sendMspToken(platform.accountId(USER),
        CmpClient.SendMspToken.of(TOKEN, "4918974020143", "private").withCustomerGroup("Market_Germany"))
        .status()).isEqualTo(201);
    assertThat(platform.msp.updateSubscriptionInfo(TOKEN,
        new CmpClient.UpdateSubscriptionInfo("4918974020177", "business", null)).status()).isEqualTo(201);
    // the platform answered; the projections follow the event topic
    Await.until("the update in the read models", Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
      JsonNode items = get(USER, List.of(), "/api/v1/me/subscriptions").body().path("items");
      return items.size() == 1 && items.get(0).path("subscriptionType").asText().equals("BUSINESS") ? items : null;
    }, () -> "subscriptions: " + get(USER, List.of(), "/api/v1/me/subscriptions").body());
  }

  @AfterAll
  static void stop() throws Exception {
    if (platform != null) {
      platform.close();
    }
  }

  private static Touchpoint.Answer get(String user, List<String> roles, String path) {
    try {
      return platform.touchpoint.call(user, roles, "GET", path, "");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void mySubscriptions_showTheMspAndTheLatestPhoneNumber_maskedAtTheEdge() {
    Touchpoint.Answer answer = get(USER, List.of(), "/api/v1/me/subscriptions");
    assertThat(answer.status()).isEqualTo(200);
    JsonNode s = answer.body().path("items").get(0);
    assertThat(s.path("mspId").asText()).isEqualTo("msp-a");
    assertThat(s.path("mspToken").asText()).isEqualTo(TOKEN);
    assertThat(s.path("customerGroup").asText()).isEqualTo("Market_Germany");
    assertThat(s.path("state").asText()).isEqualTo("ESTABLISHED");
    assertThat(s.path("phoneNumberMasked").asText()).isEqualTo("*".repeat(11) + "77");
    assertThat(answer.body().toString()).doesNotContain("4918974020177").doesNotContain("ciphertext");
    assertThat(answer.body().path("next").isNull()).isTrue();
  }

  @Test
  void aUserSeesOnlyTheirOwnData() {
    Touchpoint.Answer other = get(OTHER, List.of(), "/api/v1/me/subscriptions");
    assertThat(other.status()).isEqualTo(200);
    assertThat(other.body().path("items").size()).isZero();
    assertThat(get(OTHER, List.of(), "/api/v1/me/withdrawals").body().path("items").size()).isZero();
    // care's views are not a user's: no role, no timeline of anyone, not even one's own
    Touchpoint.Answer own = get(USER, List.of(), "/api/v1/care/users/" + USER + "/timeline");
    assertThat(own.status()).isEqualTo(403);
    assertThat(own.body().path("code").asText()).isEqualTo("203");
  }

  @Test
  void customerCare_needsItsRole_andThenSeesTheUsersTimelineWithReasons() {
    assertThat(get("agent-1", List.of("fleet"), "/api/v1/care/users/" + USER + "/timeline").status()).isEqualTo(403);
    assertThat(get("agent-1", List.of(), "/api/v1/care/vehicles/WBAUX11030A334483/why-no-profile").status())
        .isEqualTo(403);
    Touchpoint.Answer timeline = get("agent-1", List.of("care"), "/api/v1/care/users/" + USER + "/timeline?limit=1");
    assertThat(timeline.status()).isEqualTo(200);
    assertThat(timeline.body().path("items").size()).isEqualTo(1);
    String next = timeline.body().path("next").asText();
    Touchpoint.Answer rest = get("agent-1", List.of("care"), "/api/v1/care/users/" + USER + "/timeline?after=" + next);
    List<String> facts = new java.util.ArrayList<>();
    facts.add(timeline.body().path("items").get(0).path("eventType").asText());
    rest.body().path("items").forEach(i -> facts.add(i.path("eventType").asText()));
    assertThat(facts).containsSubsequence("AccountIdIssued", "FederationEstablished", "SubscriptionUpdated");
    assertThat(rest.body().toString()).doesNotContain(TOKEN).doesNotContain("4918974020");
  }

  @Test
  void whyNoProfile_forACarNobodyAskedFor_saysSo() {
    Touchpoint.Answer why = get("agent-1", List.of("care"), "/api/v1/care/vehicles/WBAUX11030A339999/why-no-profile");
    assertThat(why.status()).isEqualTo(200);
    assertThat(why.body().path("hasProfile").asBoolean()).isFalse();
    assertThat(why.body().path("answer").asText()).contains("no fact about this VIN");
  }

  @Test
  void operations_needTheirRole_andCountFederationsByMsp() {
    assertThat(get("ops-1", List.of("care"), "/api/v1/operations/federations/by-msp").status()).isEqualTo(403);
    Touchpoint.Answer counts = get("ops-1", List.of("operations"), "/api/v1/operations/federations/by-msp");
    assertThat(counts.status()).isEqualTo(200);
    assertThat(counts.body().path("items").findValuesAsText("key")).contains("msp-a");
  }

  @Test
  void badPagingIsRefusedWithTheSyntaxCode() {
    Touchpoint.Answer bad = get(USER, List.of(), "/api/v1/me/subscriptions?limit=0");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("code").asText()).isEqualTo("91");
    assertThat(get("agent-1", List.of("care"), "/api/v1/care/users/" + USER + "/timeline?after=x").status())
        .isEqualTo(400);
  }
}
