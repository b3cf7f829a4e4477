package org.aidcmp.ingress.aid1;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
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
 * The CMP CESIM MSP API: the five functions of §7.1 an MSP calls. Each handler checks headers and identity,
 * then syntax, then writes one record to aid.aid1.inbound.v1 and answers with the topology's outcome.
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

  public void install(RouteTable r) {
    r.post("/cesim/msp/v1/users/{account_id}", this::sendMspToken);
    r.post("/cesim/msp/v1/users/{msp_token}/invalidate", this::notifyMspTokenInvalid);
    r.post("/cesim/msp/v1/users/{msp_token}/profiles", this::sendProfileInformation);
    r.patch("/cesim/msp/v1/subscriptions/{msp_token}", this::updateSubscriptionInfo);
    r.post("/cesim/msp/v1/activation-codes/{msp_token}", this::sendActivationCode);
  }

  /** §7.1.4 Send MSP token. Keyed by the account id's sid: the topology answers 10 for a sid it never minted, 11 for a used one. */
  void sendMspToken(Context ctx) {
    Aid1Call call = headers.check(ctx);
    if (answeredBefore(ctx, call, 422)) {
      return;
    }
    Json.Body body = body(ctx, 422, true);
    AccountIds.Verified accountId = accountIds.verify(ctx.pathParam("account_id"), call.msp().accountIdSecret());
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
        .setError(error);
    write(ctx, call, accountId.sid(), payload.build(), 422);
  }

  /** §7.1.5 Notify MSP token invalid: 204 from the topology; reason optional, so the body may be empty. */
  void notifyMspTokenInvalid(Context ctx) {
    Aid1Call call = headers.check(ctx);
    if (answeredBefore(ctx, call, 400)) {
      return;
    }
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
  void sendProfileInformation(Context ctx) {
    Aid1Call call = headers.check(ctx);
    if (answeredBefore(ctx, call, 422)) {
      return;
    }
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
  void updateSubscriptionInfo(Context ctx) {
    Aid1Call call = headers.check(ctx);
    if (answeredBefore(ctx, call, 422)) {
      return;
    }
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
  void sendActivationCode(Context ctx) {
    Aid1Call call = headers.check(ctx);
    if (answeredBefore(ctx, call, 422)) {
      return;
    }
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

  /** A repeated CMP-request-id this instance has an outcome for: that outcome, and nothing else is done. */
  private boolean answeredBefore(Context ctx, Aid1Call call, int mismatchStatus) {
    return requestReply.recorded(caller(call), call.requestId(), call.correlationId(), mismatchStatus)
        .map(outcome -> {
          Responses.outcome(ctx, outcome);
          return true;
        }).orElse(false);
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
