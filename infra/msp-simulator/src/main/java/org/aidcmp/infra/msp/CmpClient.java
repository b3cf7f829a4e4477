package org.aidcmp.infra.msp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.aidcmp.infra.msp.AsyncActivationCodeSink.SendActivationCode;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.PhoneNumberCipher;
import org.aidcmp.infra.pki.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MSP's client of the CMP's AiD1 API (the "CMP CESIM MSP API"): the five functions an MSP calls, §7.1.4 Send
 * MSP token, §7.1.5 Notify MSP token invalid, §7.1.6 Send profile information, §7.1.7 Update subscription info
 * and §7.1.8.2.1 Send activation code. Over HTTPS with the MSP's client certificate (§6, two-way TLS), the
 * api-key the CMP gave the MSP, and every §5.1.1 header: client-id (this MSP at the CMP), target-id (the CMP),
 * a fresh CMP-request-id per request (§5.1.1 names the header so in both directions) and a correlation-id.
 * Phone numbers go out encrypted under the agreed per-MSP key ({@link PhoneNumberCipher}).
 *
 * <p>Each call returns what the CMP answered, status and parsed body, and throws only when no answer came
 * (connection, TLS, timeout). Nothing it logs holds a phone number, an activation code or a secret.
 */
public final class CmpClient {
  private static final Logger LOG = LoggerFactory.getLogger(CmpClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** §7.1.4: CC + NPA + SN, digits only, no "+"; E.164 allows 15 at most. */
  private static final Pattern PHONE_NUMBER = Pattern.compile("[1-9][0-9]{7,14}");
  private static final List<String> SUBSCRIPTION_TYPES = List.of("private", "business", "unknown");
  private static final List<String> PROFILE_STATUSES = List.of("invalid", "valid", "suspended");

  /** What the CMP answered: the HTTP status and the JSON body (an empty object when there was none). */
  public record Answer(int status, JsonNode body) {
    /** The §5.1.5 error code, or null on success. */
    public String code() {
      return body.hasNonNull("code") ? body.get("code").asText() : null;
    }

    public String error() {
      return body.hasNonNull("error") ? body.get("error").asText() : null;
    }

    public boolean successful() {
      return status >= 200 && status < 300;
    }
  }

  /**
   * The ids of one request (§5.1.1). A retry of the same request sends the same pair: the CMP then answers with
   * the outcome it already recorded instead of acting twice.
   */
  public record RequestIds(String requestId, String correlationId) {
    public static RequestIds fresh() {
      return new RequestIds(UUID.randomUUID().toString(), UUID.randomUUID().toString());
    }
  }

  /**
   * The body of §7.1.4 Send MSP token: an msp_token with the user's phone number (clear here, encrypted on the
   * wire), subscriptionType and customerGroup; or, instead of a token, the error why none can be generated.
   */
  public record SendMspToken(String mspToken, String phoneNumber, String subscriptionType, String customerGroup,
                             String error) {
    public static SendMspToken of(String mspToken, String phoneNumber, String subscriptionType) {
      return new SendMspToken(mspToken, phoneNumber, subscriptionType, null, null);
    }

    /** "Not set, or error describing why the msp_token cannot be generated" (e.g. "1000:Customer not eligible"). */
    public static SendMspToken refused(String error) {
      return new SendMspToken(null, null, null, null, error);
    }

    public SendMspToken withCustomerGroup(String group) {
      return new SendMspToken(mspToken, phoneNumber, subscriptionType, group, error);
    }

    @Override
    public String toString() {
      return "SendMspToken[subscriptionType=" + subscriptionType + ", customerGroup=" + customerGroup
          + ", phoneNumber=" + (phoneNumber == null ? null : "****") + ", error=" + error + "]";
    }
  }

  /** One profile of §7.1.6 Send profile information: its ICCID, status (invalid, valid, suspended), reason. */
  public record ProfileInformation(String iccid, String status, String reason) {}

  /** The body of §7.1.7 Update subscription info; null fields are left out. */
  public record UpdateSubscriptionInfo(String phoneNumber, String subscriptionType, String customerGroup) {
    @Override
    public String toString() {
      return "UpdateSubscriptionInfo[subscriptionType=" + subscriptionType + ", customerGroup=" + customerGroup
          + ", phoneNumber=" + (phoneNumber == null ? null : "****") + "]";
    }
  }

  private final URI baseUrl;
  private final String clientId;
  private final String cmpId;
  private final String apiKey;
  private final byte[] phoneKey;
  private final PhoneNumberCipher.Algorithm phoneCipher;
  private final Duration timeout;
  private final HttpClient http;

  private CmpClient(Builder b) {
    this.baseUrl = Objects.requireNonNull(b.baseUrl, "baseUrl");
    this.clientId = Objects.requireNonNull(b.clientId, "clientId");
    this.cmpId = Objects.requireNonNull(b.cmpId, "cmpId");
    this.apiKey = Objects.requireNonNull(b.apiKey, "apiKey");
    this.phoneKey = b.phoneKey == null ? null : b.phoneKey.clone();
    this.phoneCipher = b.phoneCipher;
    this.timeout = b.timeout;
    this.http = HttpClient.newBuilder()
        .sslContext(Objects.requireNonNull(b.tls, "tls"))
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(b.connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The API's base, e.g. https://127.0.0.1:18443/cesim/msp/v1. */
  public URI baseUrl() {
    return baseUrl;
  }

  // §7.1.4 -----------------------------------------------------------------------------------------------

  /** §7.1.4 POST /users/{account_id}: 201 when the token was assigned; 422 with 10, 11, 12, 19, 23, 24 ... */
  public Answer sendMspToken(String accountId, SendMspToken message) throws IOException, InterruptedException {
    return sendMspToken(accountId, message, RequestIds.fresh());
  }

  public Answer sendMspToken(String accountId, SendMspToken message, RequestIds ids)
      throws IOException, InterruptedException {
    require(accountId, "account_id");
    ObjectNode body = JSON.createObjectNode();
    putIfSet(body, "msp_token", message.mspToken());
    putPhoneNumber(body, message.phoneNumber());
    putIfSet(body, "subscriptionType", subscriptionType(message.subscriptionType()));
    putIfSet(body, "customerGroup", message.customerGroup());
    putIfSet(body, "error", message.error());
    return call("Send MSP token", "POST", "/users/" + segment(accountId), body, ids);
  }

  // §7.1.5 -----------------------------------------------------------------------------------------------

  /** §7.1.5 POST /users/{msp_token}/invalidate: 204 when invalidated; {@code reason} may be null. */
  public Answer notifyMspTokenInvalid(String mspToken, String reason) throws IOException, InterruptedException {
    return notifyMspTokenInvalid(mspToken, reason, RequestIds.fresh());
  }

  public Answer notifyMspTokenInvalid(String mspToken, String reason, RequestIds ids)
      throws IOException, InterruptedException {
    require(mspToken, "msp_token");
    ObjectNode body = JSON.createObjectNode();
    putIfSet(body, "reason", reason);
    return call("Notify MSP token invalid", "POST", "/users/" + segment(mspToken) + "/invalidate", body, ids);
  }

  // §7.1.6 -----------------------------------------------------------------------------------------------

  /** §7.1.6 POST /users/{msp_token}/profiles: 200 when recorded; profiles of this one token only. */
  public Answer sendProfileInformation(String mspToken, List<ProfileInformation> profiles)
      throws IOException, InterruptedException {
    return sendProfileInformation(mspToken, profiles, RequestIds.fresh());
  }

  public Answer sendProfileInformation(String mspToken, List<ProfileInformation> profiles, RequestIds ids)
      throws IOException, InterruptedException {
    require(mspToken, "msp_token");
    if (profiles == null || profiles.isEmpty()) {
      throw new IllegalArgumentException("Send profile information needs at least one profile");
    }
    ObjectNode body = JSON.createObjectNode();
    var list = body.putArray("profiles");
    for (ProfileInformation p : profiles) {
      require(p.iccid(), "iccid");
      if (!PROFILE_STATUSES.contains(p.status())) {
        throw new IllegalArgumentException("profile status must be one of " + PROFILE_STATUSES + ", not '"
            + p.status() + "'");
      }
      ObjectNode item = list.addObject().put("iccid", p.iccid()).put("status", p.status());
      putIfSet(item, "reason", p.reason());
    }
    return call("Send profile information", "POST", "/users/" + segment(mspToken) + "/profiles", body, ids);
  }

  // §7.1.7 -----------------------------------------------------------------------------------------------

  /** §7.1.7 PATCH /subscriptions/{msp_token}: 201 when updated. */
  public Answer updateSubscriptionInfo(String mspToken, UpdateSubscriptionInfo update)
      throws IOException, InterruptedException {
    return updateSubscriptionInfo(mspToken, update, RequestIds.fresh());
  }

  public Answer updateSubscriptionInfo(String mspToken, UpdateSubscriptionInfo update, RequestIds ids)
      throws IOException, InterruptedException {
    require(mspToken, "msp_token");
    ObjectNode body = JSON.createObjectNode();
    putPhoneNumber(body, update.phoneNumber());
    putIfSet(body, "subscriptionType", subscriptionType(update.subscriptionType()));
    putIfSet(body, "customerGroup", update.customerGroup());
    if (body.isEmpty()) {
      throw new IllegalArgumentException("Update subscription info needs a phone number, subscription type or "
          + "customer group");
    }
    return call("Update subscription info", "PATCH", "/subscriptions/" + segment(mspToken), body, ids);
  }

  // §7.1.8.2.1 -------------------------------------------------------------------------------------------

  /** §7.1.8.2.1 POST /activation-codes/{msp_token}: 200 when assigned, 422 when the request id matches nothing. */
  public Answer sendActivationCode(SendActivationCode message) throws IOException, InterruptedException {
    return sendActivationCode(message, RequestIds.fresh());
  }

  public Answer sendActivationCode(SendActivationCode message, RequestIds ids)
      throws IOException, InterruptedException {
    require(message.mspToken(), "msp_token");
    require(message.activationCodeRequestId(), "activationCodeRequestID");
    ObjectNode body = JSON.createObjectNode();
    if (message.error() != null) {
      body.put("activationCodeRequestID", message.activationCodeRequestId()).put("error", message.error());
    } else {
      body.put("iccid", message.iccid())
          .put("activationCode", message.activationCode())
          .put("profileType", message.profileType())
          .put("activationCodeRequestID", message.activationCodeRequestId())
          // "In case no profile swap was done, the value is set to null": sent as null, not left out.
          .put("swappedIccid", message.swappedIccid());
    }
    return call("Send activation code", "POST", "/activation-codes/" + segment(message.mspToken()), body, ids);
  }

  // ------------------------------------------------------------------------------------------------------

  private Answer call(String function, String method, String path, ObjectNode body, RequestIds ids)
      throws IOException, InterruptedException {
    String base = baseUrl.toString();
    URI uri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("CMP-request-id", ids.requestId())
        .header("correlation-id", ids.correlationId())
        .header("api-key", apiKey)
        .header("client-id", clientId)
        .header("target-id", cmpId)
        .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    // Only the function, the status and the ids: paths hold account ids and msp_tokens, bodies phone numbers.
    LOG.debug("{} {} -> {} (CMP-request-id {})", clientId, function, response.statusCode(), ids.requestId());
    return new Answer(response.statusCode(), parse(response.body()));
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      // An answer is still an answer; keep its text where a JSON body would be.
      return JSON.createObjectNode().put("text", body);
    }
  }

  private void putPhoneNumber(ObjectNode body, String number) {
    if (number == null) {
      return;
    }
    if (!PHONE_NUMBER.matcher(number).matches()) {
      throw new IllegalArgumentException(
          "a phone number is CC + NPA + SN in digits without '+' (AID.02 §7.1.4), e.g. 919961345678");
    }
    if (phoneKey == null) {
      throw new IllegalStateException("no phone key agreed with the CMP: set phoneKey to send phone numbers");
    }
    PhoneNumberCipher.Encrypted encrypted = PhoneNumberCipher.encrypt(phoneCipher, phoneKey, number);
    body.put("phoneNumber", encrypted.phoneNumber()).put("iv", encrypted.iv());
  }

  private static String subscriptionType(String type) {
    if (type != null && !SUBSCRIPTION_TYPES.contains(type)) {
      throw new IllegalArgumentException("subscriptionType must be one of " + SUBSCRIPTION_TYPES + ", not '"
          + type + "'");
    }
    return type;
  }

  private static void putIfSet(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  private static void require(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " is required");
    }
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Builds a {@link CmpClient}. Required: baseUrl, clientId, cmpId, apiKey, tls; phoneKey to send numbers. */
  public static final class Builder {
    private URI baseUrl;
    private String clientId;
    private String cmpId;
    private String apiKey;
    private byte[] phoneKey;
    private PhoneNumberCipher.Algorithm phoneCipher = PhoneNumberCipher.Algorithm.AES_GCM;
    private SSLContext tls;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration timeout = Duration.ofSeconds(20);

    /** The CMP's AiD1 API base to which /users/... is appended, e.g. https://127.0.0.1:18443/cesim/msp/v1. */
    public Builder baseUrl(URI baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /** §5.1.1 client-id: how the CMP knows this MSP. */
    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    /** §5.1.1 target-id: the CMP's id. */
    public Builder cmpId(String cmpId) {
      this.cmpId = cmpId;
      return this;
    }

    /** §6: the api-key the CMP issued to this MSP. */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** The agreed phone number key (AES, 16/24/32 bytes) and algorithm (§7.1.4). */
    public Builder phoneKey(byte[] key, PhoneNumberCipher.Algorithm algorithm) {
      this.phoneKey = key.clone();
      this.phoneCipher = Objects.requireNonNull(algorithm);
      return this;
    }

    /** §6: the MSP's client certificate, and the CAs of the CMP's server certificate. */
    public Builder tls(Identity clientCertificate, Collection<X509Certificate> trustedCmpCas) {
      this.tls = Tls.clientContext(Objects.requireNonNull(clientCertificate, "client certificate"), trustedCmpCas);
      return this;
    }

    public Builder tls(SSLContext context) {
      this.tls = context;
      return this;
    }

    /** Per request, until the answer's headers arrive (the CMP waits for its topology, up to its reply bound). */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    public CmpClient build() {
      return new CmpClient(this);
    }
  }
}
