package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RequestAccountId;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The touchpoint API: OIDC bearer tokens from the local issuer, onboarding (§4.1, §4.2), user and fleet requests. */
@ExtendWith(TestStack.class)
class TouchpointApiTest {
  private static final String VIN = "WBAUX11030A334483";
  private final TestStack.Stack stack;
  private MspClient client;
  private String user;

  TouchpointApiTest(TestStack.Stack stack) {
    this.stack = stack;
  }

  @BeforeEach
  void setUp() {
    client = new MspClient(Tls.clientContext(null, List.of(stack.ca.certificate())),
        stack.ingress.server().touchpointPort(), null);
    user = "user-" + UUID.randomUUID();
  }

  private Map<String, String> bearer(String token) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", token == null ? null : "Bearer " + token);
    h.put("Content-Type", "application/json");
    return h;
  }

  private Map<String, String> as(String sub, String... roles) {
    return bearer(stack.issuer.token(sub, List.of(roles), Duration.ofMinutes(5)));
  }

  private MspClient.Response call(String method, String path, String body, Map<String, String> headers) throws Exception {
    return client.call(method, path, body, headers);
  }

  private static Map<String, String> query(String url) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      out.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void requestAccountId_4_1_returnsSignedAccountIdAndTheRedirect_7_1_1() throws Exception {
    MspClient.Response r = call("POST", "/api/v1/onboarding/account-ids", "{\"mspId\":\"mspa\",\"ver\":\"0143\"}", as(user));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    String accountId = r.json().get("account_id").asText();
    String url = r.json().get("redirect_url").asText();
    assertThat(url).startsWith("https://portal.mspa.de/login?id=");
    Map<String, String> q = query(url);
    assertThat(q.get("id")).isEqualTo(accountId);
    assertThat(q.get("redirect_uri")).isEqualTo("https://app.aidcmp.example/onboarding/done");

    // The MSP checks it as §5.1.2 says: HS256 with its secret, exp, sid, ver.
    AccountIds.Verified verified = Onboarding.accountIds(stack).verify(accountId, stack.msp("mspa").accountIdSecret(), "mspa");
    assertThat(verified.ver()).isEqualTo("0143");
    RequestAccountId written = stack.topology.received.stream()
        .filter(x -> x.value() instanceof TouchpointCommand c && c.getPayload() instanceof RequestAccountId a
            && a.getSid().equals(verified.sid()))
        .map(x -> (RequestAccountId) ((TouchpointCommand) x.value()).getPayload()).findFirst().orElseThrow();
    assertThat(written.getCmpUserId()).isEqualTo(user);
    assertThat(written.getExpiresAt()).isEqualTo(verified.expiresAt());
  }

  @Test
  void onboarding_4_1_endToEnd_touchpointThenMspSendsToken_is201() throws Exception {
    MspClient.Response r = call("POST", "/api/v1/onboarding/account-ids", "{\"mspId\":\"mspa\"}", as(user));
    String accountId = r.json().get("account_id").asText();
    String token = UUID.randomUUID().toString();
    MspClient msp = stack.client(stack.mspACertificate, "mspa");
    assertThat(msp.call("POST", "/cesim/msp/v1/users/" + accountId, "{\"msp_token\":\"" + token + "\"}").status())
        .isEqualTo(201);
    // Then the user's touchpoint may choose it, and withdraw it: withdraw returns the MSP's withdraw page.
    assertThat(call("PUT", "/api/v1/subscriptions/preferred", "{\"msp_token\":\"" + token + "\"}", as(user)).status())
        .isEqualTo(204);
    MspClient.Response withdraw = call("POST", "/api/v1/subscriptions/" + token + "/withdraw", null, as(user));
    assertThat(withdraw.status()).as(withdraw.body()).isEqualTo(202);
    assertThat(withdraw.json().get("redirect_url").asText()).isEqualTo("https://portal.mspa.de/withdraw");
  }

  @Test
  void requestAccountId_unknownMsp_is404Code93() throws Exception {
    MspClient.Response r = call("POST", "/api/v1/onboarding/account-ids", "{\"mspId\":\"nobody\"}", as(user));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.code()).isEqualTo("93");
  }

  @Test
  void mspRedirect_7_1_3_1_agreedDomain_getsSuccessRedirectWithId() throws Exception {
    MspClient.Response r = call("POST", "/api/v1/onboarding/msp-redirects",
        "{\"mspId\":\"mspa\",\"redirect_uri\":\"https://www.mspa.de/return?foo=bar\"}", as(user));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    String url = r.json().get("redirect_url").asText();
    assertThat(url).startsWith("https://www.mspa.de/return?foo=bar&id=");
    assertThat(query(url).get("id")).isEqualTo(r.json().get("account_id").asText());
  }

  @Test
  void mspRedirect_7_1_3_2_failure_getsCodeAndError() throws Exception {
    MspClient.Response r = call("POST", "/api/v1/onboarding/msp-redirects",
        "{\"mspId\":\"mspa\",\"redirect_uri\":\"https://www.mspa.de/return?foo=bar\",\"failure_code\":\"102\"}", as(user));
    assertThat(r.status()).isEqualTo(200);
    Map<String, String> q = query(r.json().get("redirect_url").asText());
    assertThat(q).containsEntry("foo", "bar").containsEntry("code", "102").containsEntry("error", "Onboarding aborted by user");
  }

  @Test
  void mspRedirect_7_1_2_notAgreedDomains_are422_andNothingWritten() throws Exception {
    for (String uri : new String[] {"https://www.example.de/esim", "http://www.mspa.de/esim", "https://mspa.de/esim",
        "https://www.mspa.de.evil.com/x", "https://evil.com\\@www.mspa.de/", "https://user@www.mspa.de/",
        "javascript:alert(1)", "https://www.mspb.de/x", "mspapp-mspb:/return"}) {
      long before = stack.recordsWritten();
      MspClient.Response r = call("POST", "/api/v1/onboarding/msp-redirects",
          "{\"mspId\":\"mspa\",\"redirect_uri\":" + Json.MAPPER.writeValueAsString(uri) + "}", as(user));
      assertThat(r.status()).as(uri).isIn(400, 422);
      assertThat(stack.recordsWritten()).isEqualTo(before);
    }
  }

  @Test
  void mspRedirect_7_1_2_agreedCustomScheme_isAllowed() throws Exception {
    MspClient.Response r = call("POST", "/api/v1/onboarding/msp-redirects",
        "{\"mspId\":\"mspa\",\"redirect_uri\":\"mspapp-mspa:/onboarding/return\"}", as(user));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("redirect_url").asText()).startsWith("mspapp-mspa:/onboarding/return?id=");
  }

  @Test
  void oidc_missingExpiredForeignOrMisaddressedTokens_are401() throws Exception {
    Instant now = Instant.now();
    JWTClaimsSet.Builder base = new JWTClaimsSet.Builder().subject(user).issuer(stack.issuer.issuer())
        .audience(stack.issuer.audience()).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
    String expired = stack.issuer.sign(new JWTClaimsSet.Builder(base.build())
        .issueTime(Date.from(now.minusSeconds(7200))).expirationTime(Date.from(now.minusSeconds(3600))).build());
    String wrongIssuer = stack.issuer.sign(new JWTClaimsSet.Builder(base.build()).issuer("https://evil.example").build());
    String wrongAudience = stack.issuer.sign(new JWTClaimsSet.Builder(base.build()).audience("other").build());
    String noSub = stack.issuer.sign(new JWTClaimsSet.Builder(base.build()).subject(null).build());
    String good = stack.issuer.sign(base.build());
    String tampered = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
    String unsigned = good.substring(0, good.indexOf('.')).replace(good.substring(0, good.indexOf('.')),
        java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)))
        + good.substring(good.indexOf('.'), good.lastIndexOf('.') + 1);
    for (String token : new String[] {null, "garbage", expired, wrongIssuer, wrongAudience, noSub, tampered, unsigned}) {
      MspClient.Response r = call("POST", "/api/v1/terms/acceptance", "{}", bearer(token));
      assertThat(r.status()).as(String.valueOf(token)).isEqualTo(401);
    }
    assertThat(call("POST", "/api/v1/terms/acceptance", "{}", bearer(good)).status()).isEqualTo(204);
  }

  @Test
  void acceptAidTerms_isPassedToThePlatform() throws Exception {
    assertThat(call("POST", "/api/v1/terms/acceptance", "{\"termsVersion\":\"2025-01\"}", as(user)).status()).isEqualTo(204);
    assertThat(call("POST", "/api/v1/terms/acceptance", null, as(user)).status()).isEqualTo(204);
  }

  @Test
  void chooseSubscription_unknownTokenIs404_badBodyIs400() throws Exception {
    assertThat(call("PUT", "/api/v1/subscriptions/preferred", "{\"msp_token\":\"" + UUID.randomUUID() + "\"}", as(user))
        .status()).isEqualTo(404);
    assertThat(call("PUT", "/api/v1/subscriptions/preferred", "{\"msp_token\":\"x\"}", as(user)).status()).isEqualTo(400);
  }

  @Test
  void deleteProfile_4_5_andSync_4_6_areAccepted() throws Exception {
    assertThat(call("DELETE", "/api/v1/vehicles/" + VIN + "/profiles/98341201501601380129", null, as(user)).status())
        .isEqualTo(202);
    assertThat(call("DELETE", "/api/v1/vehicles/WBAUX11030A33448I/profiles/98341201501601380129", null, as(user))
        .status()).isEqualTo(400);
    assertThat(call("POST", "/api/v1/subscriptions/" + UUID.randomUUID() + "/profile-status-sync",
        "{\"iccid\":\"98341201501601380129\"}", as(user)).status()).isEqualTo(202);
  }

  @Test
  void fleet_withoutFleetRole_is403_andNothingWritten() throws Exception {
    long before = stack.recordsWritten();
    MspClient.Response r = call("PUT", "/api/v1/fleet/vehicles/" + VIN,
        "{\"eid\":\"89049032123451234512345678901235\"}", as(user));
    assertThat(r.status()).isEqualTo(403);
    assertThat(stack.recordsWritten()).isEqualTo(before);
  }

  @Test
  void fleet_registerRequestCsimInfoDeleteAllRetire() throws Exception {
    Map<String, String> operator = as("operator-1", "fleet");
    MspClient.Response registered = call("PUT", "/api/v1/fleet/vehicles/" + VIN,
        "{\"eid\":\"89049032123451234512345678901235\",\"imei\":\"490154203237518\"}", operator);
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    RegisterVehicle written = stack.topology.received.stream()
        .filter(x -> x.value() instanceof TouchpointCommand c && c.getPayload() instanceof RegisterVehicle)
        .map(x -> (RegisterVehicle) ((TouchpointCommand) x.value()).getPayload()).reduce((a, b) -> b).orElseThrow();
    assertThat(written.getVin()).isEqualTo(VIN);
    assertThat(call("POST", "/api/v1/fleet/vehicles/" + VIN + "/csim-info-requests", null, operator).status()).isEqualTo(202);
    assertThat(call("DELETE", "/api/v1/fleet/vehicles/" + VIN + "/profiles", null, operator).status()).isEqualTo(202);
    assertThat(call("DELETE", "/api/v1/fleet/vehicles/" + VIN, null, operator).status()).isEqualTo(204);
    assertThat(call("DELETE", "/api/v1/fleet/vehicles/" + VIN, null, operator).status()).isEqualTo(404);
  }

  @Test
  void fleet_invalidVinEidImei_are400() throws Exception {
    Map<String, String> operator = as("operator-1", "fleet");
    String[][] cases = {
        {"WBAUX11030A33448", "{\"eid\":\"89049032123451234512345678901235\"}"},
        {"WBAUX11030A33448O", "{\"eid\":\"89049032123451234512345678901235\"}"},
        {VIN, "{\"eid\":\"8904903212345123451234567890123\"}"},
        {VIN, "{\"eid\":\"89049032123451234512345678901235\",\"imei\":\"490154203237519\"}"},
        {VIN, "{\"eid\":\"89049032123451234512345678901235\",\"aidEnabled\":\"yes\"}"},
        {VIN, "{}"}};
    for (String[] c : cases) {
      long before = stack.recordsWritten();
      MspClient.Response r = call("PUT", "/api/v1/fleet/vehicles/" + c[0], c[1], operator);
      assertThat(r.status()).as(c[0] + " " + c[1]).isEqualTo(400);
      assertThat(stack.recordsWritten()).isEqualTo(before);
    }
  }

  @Test
  void localIssuer_servesDiscoveryAndTokens() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    var discovery = http.send(java.net.http.HttpRequest.newBuilder(
        URI.create(stack.issuer.issuer() + "/.well-known/openid-configuration")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    JsonNode d = Json.MAPPER.readTree(discovery.body());
    assertThat(d.get("jwks_uri").asText()).isEqualTo(stack.issuer.jwksUrl());
    var token = http.send(java.net.http.HttpRequest.newBuilder(URI.create(stack.issuer.issuer() + "/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("sub=" + user + "&roles=fleet")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    String accessToken = Json.MAPPER.readTree(token.body()).get("access_token").asText();
    assertThat(call("POST", "/api/v1/terms/acceptance", "{}", bearer(accessToken)).status()).isEqualTo(204);
  }
}
