package org.aidcmp.ingress.aid1;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.security.RouteRole;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.ingress.aid1.Aid1Headers.Aid1Call;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.ProfileInformation;
import org.aidcmp.schemas.aid1.SendActivationCode;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.aid1.SendProfileInformation;
import org.aidcmp.schemas.aid1.UpdateSubscriptionInfo;
import org.aidcmp.schemas.common.EncryptedValue;
import org.aidcmp.schemas.common.ProfileInformationStatus;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.topics.AidTopic;

/**
 * The CMP CESIM MSP API: the five functions of §7.1 an MSP calls. What every call needs first (the §5.1.1
 * headers, the pinned certificate's MSP, its api-key, the ids, and the recorded answer to a repeated
 * CMP-request-id) is checked once, before the matched route runs ({@link #checkCall}, as Javalin's access
 * managers do with a route's roles); each handler then checks its own syntax, writes one record to
 * aid.aid1.inbound.v1 and answers with the topology's outcome.
 *
 * <p>A bad body gets the status its function's table gives an invalid request: 422 where the table has one
 * (§7.1.4, §7.1.6, §7.1.7, §7.1.8.2.1), 400 for §7.1.5, whose table has none. A malformed msp_token in the
 * path cannot name a user: 404 code 20, except §7.1.7, whose table says 422 for "msp_token format is incorrect".
 */
public final class MspRoutes {
  static final String SOURCE = "ingress-aid1";
  private static final List<String> SUBSCRIPTION_TYPES = List.of("private", "business", "unknown");
  private static final List<String> PROFILE_STATUSES = List.of("invalid", "valid", "suspended");
  /** SGP.22 activation code: "1$" SM-DP+ address "$" matching id, optional further fields; printable ASCII. */
  private static final Pattern ACTIVATION_CODE = Pattern.compile("1\\$[\\x21-\\x7e&&[^$]]{1,255}\\$[\\x20-\\x7e]{0,255}");
  /** profileType (§7.1.8): ASCII, at most 20 characters. */
  private static final Pattern PROFILE_TYPE = Pattern.compile("[\\x20-\\x7e]{1,20}");
  private static final int REASON_MAX = 512;
  private static final int ERROR_MAX = 512;
  private static final int MAX_PROFILES = 100;

  private final Aid1Headers headers;
  private final AccountIds accountIds;
  private final PhoneNumbers phoneNumbers;
  private final RequestReply requestReply;
  private final Clock clock;
  private final Bodies bodies;

  public MspRoutes(Aid1Headers headers, AccountIds accountIds, PhoneNumbers phoneNumbers, RequestReply requestReply,
      Clock clock, Bodies bodies) {
    this.bodies = bodies;
    this.headers = headers;
    this.accountIds = accountIds;
    this.phoneNumbers = phoneNumbers;
    this.requestReply = requestReply;
    this.clock = clock;
  }

  /**
   * The §7.1 function a route serves, as the route's role: {@link #checkCall} knows by it that the route is an
   * MSP call, and which status its table gives an invalid request (a repeated CMP-request-id with another
   * correlation-id is one).
   */
  enum MspFunction implements RouteRole {
    SEND_MSP_TOKEN(422), NOTIFY_MSP_TOKEN_INVALID(400), SEND_PROFILE_INFORMATION(422), UPDATE_SUBSCRIPTION_INFO(422),
    SEND_ACTIVATION_CODE(422);

    final int invalidStatus;

    MspFunction(int invalidStatus) {
      this.invalidStatus = invalidStatus;
    }
  }

  /** A handler of one function, given the call {@link #checkCall} let through. */
  @FunctionalInterface
  interface MspHandler {
    void handle(Context ctx, Aid1Call call);
  }

  private static final String CALL = MspRoutes.class.getName() + ".call";

  public void install(RouteTable r) {
    r.beforeMatched(this::checkCall);
    r.post("/cesim/msp/v1/users/{account_id}", handler(this::sendMspToken), MspFunction.SEND_MSP_TOKEN);
    r.post("/cesim/msp/v1/users/{msp_token}/invalidate", handler(this::notifyMspTokenInvalid),
        MspFunction.NOTIFY_MSP_TOKEN_INVALID);
    r.post("/cesim/msp/v1/users/{msp_token}/profiles", handler(this::sendProfileInformation),
        MspFunction.SEND_PROFILE_INFORMATION);
    r.patch("/cesim/msp/v1/subscriptions/{msp_token}", handler(this::updateSubscriptionInfo),
        MspFunction.UPDATE_SUBSCRIPTION_INFO);
    r.post("/cesim/msp/v1/activation-codes/{msp_token}", handler(this::sendActivationCode),
        MspFunction.SEND_ACTIVATION_CODE);
  }

  /**
   * Before every matched route that serves an MSP function: headers and identity (401, 403, 400), then a
   * CMP-request-id this instance has an outcome for gets that outcome, and nothing else is done.
   */
  void checkCall(Context ctx) {
    MspFunction function = function(ctx);
    if (function == null) {
      return; // not an MSP route
    }
    Aid1Call call = headers.check(ctx);
    Optional<RequestReply.Outcome> recorded =
        requestReply.recorded(caller(call), call.requestId(), call.correlationId(), function.invalidStatus);
    if (recorded.isPresent()) {
      Responses.outcome(ctx, recorded.get());
      ctx.skipRemainingHandlers();
      return;
    }
    ctx.attribute(CALL, call);
  }

  private static MspFunction function(Context ctx) {
    for (RouteRole role : ctx.routeRoles()) {
      if (role instanceof MspFunction f) {
        return f;
      }
    }
    return null;
  }

  private static Handler handler(MspHandler h) {
    return ctx -> {
      Aid1Call call = ctx.attribute(CALL);
      if (call == null) {
        // checkCall runs before every MSP route; no call here means it did not, and nothing may pass unchecked.
        throw new IllegalStateException("MSP route without its checks");
      }
      h.handle(ctx, call);
    };
  }

  /**
   * §7.1.4 Send MSP token. Keyed by the user the account id was issued for (its CMP-only claim), so it goes
   * straight to the user's partition: the topology answers 10 for a sid that user was never given, 11 for a
   * used one.
   */
  void sendMspToken(Context ctx, Aid1Call call) {
    Json.Body body = body(ctx, 422, true);
    AccountIds.Verified accountId =
        accountIds.verify(ctx.pathParam("account_id"), call.msp().accountIdSecret(), call.msp().id());
    String mspToken = lower(body.optMatching("msp_token", 36, Json.UUID, "29"));
    String error = body.optString("error", ERROR_MAX);
    if (mspToken == null && error == null) {
      throw new ApiError(422, "60", "The request body is empty or contains null values: msp_token or error");
    }
    if (mspToken != null && error != null) {
      throw new ApiError(422, "29", "Other msp_token id error: msp_token and error exclude each other");
    }
    SendMspToken.Builder payload = SendMspToken.newBuilder()
        .setMspId(call.msp().id())
        .setSid(accountId.sid())
        .setAccountIdExpiresAt(accountId.expiresAt())
        .setMspToken(mspToken)
        .setPhoneNumber(phone(call.msp(), body))
        .setSubscriptionType(subscriptionType(body))
        .setCustomerGroup(body.optString("customerGroup", 256))
        .setError(error)
        .setCmpUserId(accountId.cmpUserId());
    write(ctx, call, accountId.cmpUserId(), payload.build(), 422);
  }

  /** §7.1.5 Notify MSP token invalid: 204 from the topology; reason optional, so the body may be empty. */
  void notifyMspTokenInvalid(Context ctx, Aid1Call call) {
    String mspToken = pathToken(ctx, 404);
    Json.Body body = body(ctx, 400, false);
    NotifyMspTokenInvalid payload = NotifyMspTokenInvalid.newBuilder()
        .setMspId(call.msp().id())
        .setMspToken(mspToken)
        .setReason(body.optString("reason", REASON_MAX))
        .build();
    write(ctx, call, mspToken, payload, 400);
  }

  /** §7.1.6 Send profile information: a non-empty array of {iccid, status, reason?}, one token's profiles. */
  void sendProfileInformation(Context ctx, Aid1Call call) {
    String mspToken = pathToken(ctx, 404);
    Json.Body body = body(ctx, 422, true);
    List<ProfileInformation> profiles = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Iterator<JsonNode> items = body.array("profiles", MAX_PROFILES);
    while (items.hasNext()) {
      Json.Body item = body.object(items.next(), "profiles[]");
      String iccid = item.optMatching("iccid", 22, Json.ICCID, "91");
      String status = item.optEnum("status", PROFILE_STATUSES);
      if (iccid == null || status == null) {
        throw new ApiError(422, "60", "The request body is empty or contains null values: iccid and status");
      }
      if (!seen.add(iccid)) {
        throw new ApiError(422, "91", "Invalid request syntax: iccid " + iccid + " is given twice");
      }
      profiles.add(ProfileInformation.newBuilder()
          .setIccid(iccid)
          .setStatus(ProfileInformationStatus.valueOf(status.toUpperCase(Locale.ROOT)))
          .setReason(item.optString("reason", REASON_MAX))
          .build());
    }
    SendProfileInformation payload = SendProfileInformation.newBuilder()
        .setMspId(call.msp().id())
        .setMspToken(mspToken)
        .setProfiles(profiles)
        .build();
    write(ctx, call, mspToken, payload, 422);
  }

  /** §7.1.7 Update subscription info: at least one of phoneNumber (with iv), subscriptionType, customerGroup. */
  void updateSubscriptionInfo(Context ctx, Aid1Call call) {
    String mspToken = pathToken(ctx, 422);
    Json.Body body = body(ctx, 422, true);
    EncryptedValue phone = phone(call.msp(), body);
    SubscriptionType type = subscriptionType(body);
    String customerGroup = body.optString("customerGroup", 256);
    if (phone == null && type == null && customerGroup == null) {
      throw new ApiError(422, "60", "The request body is empty or contains null values");
    }
    UpdateSubscriptionInfo payload = UpdateSubscriptionInfo.newBuilder()
        .setMspId(call.msp().id())
        .setMspToken(mspToken)
        .setPhoneNumber(phone)
        .setSubscriptionType(type)
        .setCustomerGroup(customerGroup)
        .build();
    write(ctx, call, mspToken, payload, 422);
  }

  /** §7.1.8.2.1 Send activation code: an AC (with iccid) or an error, for an activationCodeRequestID. */
  void sendActivationCode(Context ctx, Aid1Call call) {
    String mspToken = pathToken(ctx, 404);
    Json.Body body = body(ctx, 422, true);
    String requestId = lower(body.optMatching("activationCodeRequestID", 36, Json.UUID, "39"));
    if (requestId == null) {
      throw new ApiError(422, "60", "The request body is empty or contains null values: activationCodeRequestID");
    }
    String iccid = body.optMatching("iccid", 22, Json.ICCID, "91");
    String activationCode = body.optString("activationCode", 512);
    if (activationCode != null && !ACTIVATION_CODE.matcher(activationCode).matches()) {
      throw new ApiError(422, "47", "The activation code has an invalid format");
    }
    String profileType = body.optMatching("profileType", 20, PROFILE_TYPE, "59");
    String swappedIccid = body.optMatching("swappedIccid", 22, Json.ICCID, "91");
    String error = body.optString("error", ERROR_MAX);
    if (error == null && (activationCode == null || iccid == null)) {
      throw new ApiError(422, "60",
          "The request body is empty or contains null values: activationCode and iccid, or error");
    }
    if (error != null && activationCode != null) {
      throw new ApiError(422, "49", "Other activation code error: activationCode and error exclude each other");
    }
    SendActivationCode payload = SendActivationCode.newBuilder()
        .setMspId(call.msp().id())
        .setMspToken(mspToken)
        .setActivationCodeRequestId(requestId)
        .setIccid(iccid)
        .setActivationCode(activationCode)
        .setProfileType(profileType)
        .setSwappedIccid(swappedIccid)
        .setError(error)
        .build();
    write(ctx, call, mspToken, payload, 422);
  }

  private static RequestReply.Caller caller(Aid1Call call) {
    return new RequestReply.Caller("msp:" + call.msp().id());
  }

  private void write(Context ctx, Aid1Call call, String key, Object payload, int mismatchStatus) {
    Aid1Inbound envelope = Aid1Inbound.newBuilder()
        .setHeader(Envelopes.header(SOURCE, call.requestId(), call.correlationId(), clock.instant()))
        .setPayload(payload)
        .build();
    RequestReply.Outcome outcome = requestReply.call(caller(call),
        AidTopic.AID1_INBOUND, key, envelope, call.requestId(), call.correlationId(), mismatchStatus);
    Responses.outcome(ctx, outcome);
  }

  private Json.Body body(Context ctx, int status, boolean required) {
    return Json.parse(bodies.json(ctx), status, required);
  }

  private static String pathToken(Context ctx, int status) {
    String token = ctx.pathParam("msp_token");
    if (!Json.isUuid(token)) {
      throw status == 404
          ? new ApiError(404, "20", "The msp_token was not found")
          : new ApiError(status, "29", "Other msp_token id error: msp_token format is incorrect");
    }
    return token.toLowerCase(Locale.ROOT);
  }

  private EncryptedValue phone(MspRegistry.Msp msp, Json.Body body) {
    String phone = body.optString("phoneNumber", 256);
    String iv = body.optString("iv", 64);
    if (phone == null && iv == null) {
      return null;
    }
    return phoneNumbers.reEncrypt(msp, phone, iv, body.status());
  }

  private static SubscriptionType subscriptionType(Json.Body body) {
    String type = body.optEnum("subscriptionType", SUBSCRIPTION_TYPES);
    return type == null ? null : SubscriptionType.valueOf(type.toUpperCase(Locale.ROOT));
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
