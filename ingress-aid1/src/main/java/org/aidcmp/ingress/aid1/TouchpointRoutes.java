package org.aidcmp.ingress.aid1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.AcceptAidTerms;
import org.aidcmp.schemas.touchpoint.ChooseSubscription;
import org.aidcmp.schemas.touchpoint.DeleteAllVehicleProfiles;
import org.aidcmp.schemas.touchpoint.DeleteProfile;
import org.aidcmp.schemas.touchpoint.OnboardingStart;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RequestAccountId;
import org.aidcmp.schemas.touchpoint.RequestVehicleCsimInfo;
import org.aidcmp.schemas.touchpoint.RetireVehicle;
import org.aidcmp.schemas.touchpoint.SyncProfileStatus;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.aidcmp.schemas.touchpoint.WithdrawOnboarding;

/**
 * The touchpoint API under /api/v1/: what the CMP app, portal and customer care ask for the signed-in user
 * (bearer sub = cmpUserId), and, with the fleet role, fleet operations on vehicles. Each request is one
 * record on aid.touchpoint.commands.v1 with a fresh requestId, answered with the topology's outcome.
 */
public final class TouchpointRoutes {
  /** ISO 3779: 17 characters, digits and capitals without I, O and Q. */
  static final Pattern VIN = Pattern.compile("[A-HJ-NPR-Z0-9]{17}");
  /** EID (SGP.02/.22): 32 digits. */
  static final Pattern EID = Pattern.compile("[0-9]{32}");
  static final Pattern IMEI = Pattern.compile("[0-9]{15}");
  /** §5.1.2 ver: "secret knowledge", e.g. the last digits of the phone number; kept short and URL-harmless. */
  private static final Pattern VER = Pattern.compile("[A-Za-z0-9]{1,32}");
  private static final Pattern MSP_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final OidcVerifier oidc;
  private final MspRegistry msps;
  private final AccountIds accountIds;
  private final RequestReply requestReply;
  private final Clock clock;
  private final Duration accountIdTtl;
  private final String cmpReturnUrl;
  private final String fleetRole;
  private final Bodies bodies;

  public TouchpointRoutes(OidcVerifier oidc, MspRegistry msps, AccountIds accountIds, RequestReply requestReply,
      Clock clock, Duration accountIdTtl, String cmpReturnUrl, String fleetRole, Bodies bodies) {
    this.bodies = bodies;
    this.oidc = oidc;
    this.msps = msps;
    this.accountIds = accountIds;
    this.requestReply = requestReply;
    this.clock = clock;
    this.accountIdTtl = accountIdTtl;
    this.cmpReturnUrl = cmpReturnUrl;
    this.fleetRole = fleetRole;
  }

  public void install(RouteTable r) {
    r.post("/api/v1/onboarding/account-ids", this::requestAccountId);
    r.post("/api/v1/onboarding/msp-redirects", this::redirectBackToMsp);
    r.post("/api/v1/terms/acceptance", this::acceptAidTerms);
    r.put("/api/v1/subscriptions/preferred", this::chooseSubscription);
    r.post("/api/v1/subscriptions/{msp_token}/withdraw", this::withdrawOnboarding);
    r.post("/api/v1/subscriptions/{msp_token}/profile-status-sync", this::syncProfileStatus);
    r.delete("/api/v1/vehicles/{vin}/profiles/{iccid}", this::deleteProfile);
    r.put("/api/v1/fleet/vehicles/{vin}", this::registerVehicle);
    r.delete("/api/v1/fleet/vehicles/{vin}", this::retireVehicle);
    r.post("/api/v1/fleet/vehicles/{vin}/csim-info-requests", this::requestCsimInfo);
    r.delete("/api/v1/fleet/vehicles/{vin}/profiles", this::deleteAllProfiles);
  }

  /** §4.1 [3]-[5]: an account id for one MSP, and the §7.1.1 redirect to that MSP's touchpoint. */
  void requestAccountId(Context ctx) {
    OidcVerifier.Principal user = oidc.verify(ctx.header("Authorization"));
    Json.Body body = body(ctx, true);
    MspRegistry.Msp msp = msp(body);
    String ver = body.optMatching("ver", 32, VER, "91");
    String redirectUri = body.optString("redirect_uri", 2048);
    if (redirectUri == null) {
      redirectUri = cmpReturnUrl;
    } else if (!redirectUri.startsWith("https://")) {
      throw new ApiError(400, "91", "Invalid request syntax: redirect_uri must be https");
    }
    if (msp.touchpointUrl() == null) {
      throw new ApiError(409, "93", "The MSP with the MSP identifier " + msp.id() + " has no touchpoint URL");
    }
    String accountId = mintAccountId(ctx, user, msp, ver, OnboardingStart.CMP_TOUCHPOINT);
    if (accountId == null) {
      return;
    }
    ObjectNode out = Json.MAPPER.createObjectNode()
        .put("account_id", accountId)
        .put("redirect_url", Redirects.toMsp(msp.touchpointUrl(), accountId, redirectUri));
    Responses.json(ctx, 201, out);
  }

  /**
   * §4.2 / §7.1.2 - §7.1.3: the MSP's redirect_uri checked against the agreed domains, then the success redirect
   * with a fresh account id, or, when the touchpoint reports a failure (100 - 103), the failure redirect.
   */
  void redirectBackToMsp(Context ctx) {
    OidcVerifier.Principal user = oidc.verify(ctx.header("Authorization"));
    Json.Body body = body(ctx, true);
    MspRegistry.Msp msp = msp(body);
    String given = body.optString("redirect_uri", 2048);
    if (given == null) {
      throw new ApiError(400, "60", "The request body is empty or contains null values: redirect_uri");
    }
    URI redirect = Redirects.agreed(given, msp.redirectDomains()).orElseThrow(() ->
        new ApiError(422, "211", "redirect_uri is not in the domains agreed with MSP " + msp.id()));
    String failure = body.optMatching("failure_code", 3, Pattern.compile("10[0-3]"), "91");
    if (failure != null) {
      int code = Integer.parseInt(failure);
      Responses.json(ctx, 200, Json.MAPPER.createObjectNode()
          .put("redirect_url", Redirects.failure(redirect, code, failureText(code))));
      return;
    }
    String ver = body.optMatching("ver", 32, VER, "91");
    String accountId = mintAccountId(ctx, user, msp, ver, OnboardingStart.MSP_TOUCHPOINT);
    if (accountId == null) {
      return;
    }
    Responses.json(ctx, 200, Json.MAPPER.createObjectNode()
        .put("account_id", accountId)
        .put("redirect_url", Redirects.success(redirect, accountId)));
  }

  /** Records the session (sid) through the topology first: an account id exists only once the topology knows it. */
  private String mintAccountId(Context ctx, OidcVerifier.Principal user, MspRegistry.Msp msp, String ver,
      OnboardingStart start) {
    Instant issuedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant expiresAt = issuedAt.plus(accountIdTtl);
    String sid = UUID.randomUUID().toString();
    RequestAccountId command = RequestAccountId.newBuilder()
        .setCmpUserId(user.cmpUserId())
        .setMspId(msp.id())
        .setSid(sid)
        .setIssuedAt(issuedAt)
        .setExpiresAt(expiresAt)
        .setStart(start)
        .build();
    RequestReply.Outcome outcome = send(user, user.cmpUserId(), command);
    if (outcome.httpStatus() / 100 != 2) {
      Responses.outcome(ctx, outcome);
      return null;
    }
    return accountIds.mint(msp.accountIdSecret(), msp.id(), sid, user.cmpUserId(), issuedAt, expiresAt, ver);
  }

  void acceptAidTerms(Context ctx) {
    OidcVerifier.Principal user = oidc.verify(ctx.header("Authorization"));
    Json.Body body = body(ctx, false);
    reply(ctx, send(user, user.cmpUserId(), AcceptAidTerms.newBuilder().setCmpUserId(user.cmpUserId())
        .setTermsVersion(body.optString("termsVersion", 64)).build()));
  }

  void chooseSubscription(Context ctx) {
    OidcVerifier.Principal user = oidc.verify(ctx.header("Authorization"));
    Json.Body body = body(ctx, true);
    String token = body.optMatching("msp_token", 36, Json.UUID, "91");
    if (token == null) {
      throw new ApiError(400, "60", "The request body is empty or contains null values: msp_token");
    }
    reply(ctx, send(user, user.cmpUserId(), ChooseSubscription.newBuilder().setCmpUserId(user.cmpUserId())
        .setMspToken(token.toLowerCase(Locale.ROOT)).build()));
  }

  /** §4.4.1 [3]-[6]: withdraw, and where the MSP has one, its withdraw page (the topology says which MSP). */
  void withdrawOnboarding(Context ctx) {
    OidcVerifier.Principal user = oidc.verify(ctx.header("Authorization"));
    String token = pathToken(ctx);
    // Which MSP the token is with is state: the topology's reply says so; else the touchpoint's hint, if any.
    String hintedMsp = body(ctx, false).optMatching("mspId", 64, MSP_ID, "91");
    RequestReply.Outcome outcome = send(user, user.cmpUserId(), WithdrawOnboarding.newBuilder()
        .setCmpUserId(user.cmpUserId()).setMspToken(token).build());
    if (outcome.httpStatus() / 100 != 2) {
      Responses.outcome(ctx, outcome);
      return;
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    String mspId = field(outcome.body(), "mspId");
    if (mspId == null) {
      mspId = hintedMsp;
    }
    msps.byId(mspId == null ? "" : mspId).map(MspRegistry.Msp::withdrawUrl)
        .ifPresent(url -> out.put("redirect_url", url.toString()));
    Responses.json(ctx, outcome.httpStatus(), out);
  }

  void syncProfileStatus(Context ctx) {
    OidcVerifier.Principal user = oidc.verify(ctx.header("Authorization"));
    String token = pathToken(ctx);
    Json.Body body = body(ctx, false);
    reply(ctx, send(user, user.cmpUserId(), SyncProfileStatus.newBuilder().setCmpUserId(user.cmpUserId())
        .setMspToken(token).setIccid(body.optMatching("iccid", 22, Json.ICCID, "91")).build()));
  }

  void deleteProfile(Context ctx) {
    OidcVerifier.Principal user = oidc.verify(ctx.header("Authorization"));
    String vin = vin(ctx);
    String iccid = ctx.pathParam("iccid");
    if (!Json.ICCID.matcher(iccid).matches()) {
      throw new ApiError(400, "91", "Invalid request syntax: iccid must be 19 to 22 digits");
    }
    reply(ctx, send(user, user.cmpUserId(), DeleteProfile.newBuilder().setCmpUserId(user.cmpUserId())
        .setVin(vin).setIccid(iccid).build()));
  }

  void registerVehicle(Context ctx) {
    OidcVerifier.Principal operator = fleet(ctx);
    String vin = vin(ctx);
    Json.Body body = body(ctx, true);
    String eid = body.optMatching("eid", 32, EID, "91");
    if (eid == null) {
      throw new ApiError(400, "60", "The request body is empty or contains null values: eid");
    }
    String imei = body.optMatching("imei", 15, IMEI, "91");
    if (imei != null && !luhn(imei)) {
      throw new ApiError(400, "91", "Invalid request syntax: imei check digit is wrong");
    }
    Boolean enabled = body.optBoolean("aidEnabled");
    reply(ctx, send(operator, vin, RegisterVehicle.newBuilder().setVin(vin).setEid(eid).setImei(imei)
        .setAidEnabled(enabled == null || enabled).build()));
  }

  void retireVehicle(Context ctx) {
    OidcVerifier.Principal operator = fleet(ctx);
    String vin = vin(ctx);
    reply(ctx, send(operator, vin, RetireVehicle.newBuilder().setVin(vin).build()));
  }

  void requestCsimInfo(Context ctx) {
    OidcVerifier.Principal operator = fleet(ctx);
    String vin = vin(ctx);
    reply(ctx, send(operator, vin, RequestVehicleCsimInfo.newBuilder().setVin(vin).build()));
  }

  void deleteAllProfiles(Context ctx) {
    OidcVerifier.Principal operator = fleet(ctx);
    String vin = vin(ctx);
    reply(ctx, send(operator, vin, DeleteAllVehicleProfiles.newBuilder().setVin(vin).build()));
  }

  private OidcVerifier.Principal fleet(Context ctx) {
    OidcVerifier.Principal principal = oidc.verify(ctx.header("Authorization"));
    if (!principal.roles().contains(fleetRole)) {
      throw new ApiError(403, ApiError.FORBIDDEN, "Forbidden: fleet operations need the " + fleetRole + " role");
    }
    return principal;
  }

  private RequestReply.Outcome send(OidcVerifier.Principal who, String key, Object payload) {
    String requestId = UUID.randomUUID().toString();
    TouchpointCommand command = TouchpointCommand.newBuilder()
        .setHeader(Envelopes.header(MspRoutes.SOURCE, requestId, null, clock.instant()))
        .setPayload(payload)
        .build();
    return requestReply.call(new RequestReply.Caller("touchpoint:" + who.cmpUserId()),
        AidTopic.TOUCHPOINT_COMMANDS, key, command, requestId, null, 400);
  }

  private static void reply(Context ctx, RequestReply.Outcome outcome) {
    Responses.outcome(ctx, outcome);
  }

  private MspRegistry.Msp msp(Json.Body body) {
    String mspId = body.optMatching("mspId", 64, MSP_ID, "91");
    if (mspId == null) {
      throw new ApiError(400, "60", "The request body is empty or contains null values: mspId");
    }
    return msps.byId(mspId).orElseThrow(() ->
        new ApiError(404, "93", "The MSP with the MSP identifier " + mspId + " could not be found"));
  }

  private static String vin(Context ctx) {
    String vin = ctx.pathParam("vin");
    if (!VIN.matcher(vin).matches()) {
      throw new ApiError(400, "91", "Invalid request syntax: vin must be a VIN per ISO 3779");
    }
    return vin;
  }

  private static String pathToken(Context ctx) {
    String token = ctx.pathParam("msp_token");
    if (!Json.isUuid(token)) {
      throw new ApiError(404, "20", "The msp_token was not found");
    }
    return token.toLowerCase(Locale.ROOT);
  }

  private Json.Body body(Context ctx, boolean required) {
    return Json.parse(bodies.json(ctx), 400, required);
  }

  private static String field(String json, String name) {
    if (json == null) {
      return null;
    }
    try {
      JsonNode node = Json.MAPPER.readTree(json).get(name);
      return node != null && node.isTextual() ? node.textValue() : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static String failureText(int code) {
    return switch (code) {
      case 101 -> "User login not possible on CMP side";
      case 102 -> "Onboarding aborted by user";
      case 103 -> "CMP onboarding content currently unavailable";
      default -> "Unspecified CMP content error";
    };
  }

  static boolean luhn(String digits) {
    int sum = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = digits.charAt(digits.length() - 1 - i) - '0';
      if (i % 2 == 1) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return sum % 10 == 0;
  }
}
