package org.aidcmp.ingress.aid1;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The account id of §5.1.2: a JWT, HS256 with the MSP-specific secret, payload exp, ver (optional), sid, iat,
 * and the user it was issued for in a claim only the CMP can read ({@link AccountIdUserClaim}). Minted for
 * Request account id (touchpoint API), checked on Send MSP token (§7.1.4): bad signature 12 (the user claim's
 * tag included), expired 11, anything else wrong 19. Whether the sid is known or already used (10) is state:
 * the topology's.
 *
 * <p>An account id without the user claim (minted before account ids carried one) is refused 11, found but no
 * longer valid: account ids live {@code ingress.aid1.account-id-ttl-seconds} (an hour by default), so only those
 * issued in that hour before the upgrade are concerned, and the MSP's answer to 11 is the user starting again
 * (§4.1); keeping them would need the sid index and its wait, for every onboarding, which this claim removes.
 */
public final class AccountIds {
  /** §5.1.2: base64url parts and dots only, so it is URL safe. Bounded: a real one is a few hundred bytes. */
  private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9._-]{1,2048}");
  /** nimbus-jose-jwt (rightly, RFC 7518 §3.2) refuses HS256 keys shorter than the hash. */
  public static final int MIN_SECRET_BYTES = 32;

  private final Clock clock;
  private final AccountIdUserClaim userClaim;

  public AccountIds(Clock clock, AccountIdUserClaim userClaim) {
    this.clock = clock;
    this.userClaim = userClaim;
  }

  /** What a valid account id says. */
  public record Verified(String sid, Instant expiresAt, Instant issuedAt, String ver, String cmpUserId) {
    @Override
    public String toString() {
      return "Verified[sid=" + sid + ", expiresAt=" + expiresAt + "]"; // neither ver nor the user in a log line
    }
  }

  public String mint(byte[] mspSecret, String mspId, String sid, String cmpUserId, Instant issuedAt,
      Instant expiresAt, String ver) {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .expirationTime(Date.from(expiresAt))
        .claim("sid", sid)
        .issueTime(Date.from(issuedAt))
        .claim(AccountIdUserClaim.NAME, userClaim.seal(cmpUserId, mspId, sid));
    if (ver != null) {
      claims.claim("ver", ver);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
        claims.build());
    try {
      jwt.sign(new MACSigner(mspSecret));
    } catch (JOSEException e) {
      throw new IllegalStateException("account id secret unusable: " + e.getMessage());
    }
    return jwt.serialize();
  }

  /** Checks the account id MSP {@code mspId} sends with Send MSP token; 422 with code 11, 12 or 19 otherwise. */
  public Verified verify(String accountId, byte[] mspSecret, String mspId) {
    if (accountId == null || !SYNTAX.matcher(accountId).matches()) {
      throw other("the account id is malformed");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(accountId);
    } catch (ParseException e) {
      throw other("the account id is not a JWT");
    }
    // Only HS256 was agreed (§5.1.2): a token claiming another algorithm ("none", RS256 with our secret as a
    // public key, ...) has no valid signature for us, whatever it contains.
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      throw badSignature();
    }
    boolean valid;
    try {
      valid = jwt.verify(new MACVerifier(mspSecret));
    } catch (JOSEException e) {
      valid = false;
    }
    if (!valid) {
      throw badSignature();
    }
    Map<String, Object> payload = jwt.getPayload().toJSONObject();
    if (payload == null) {
      throw other("the account id has no JSON payload");
    }
    // §5.1.2's own example carries exp as a string ("1648541816"); RFC 7519 says a number. Accept both.
    Long exp = seconds(payload.get("exp"));
    if (exp == null) {
      throw other("the account id has no valid exp");
    }
    Object sid = payload.get("sid");
    if (!(sid instanceof String) || !Json.isUuid((String) sid)) {
      throw other("the account id has no valid sid");
    }
    Object ver = payload.get("ver");
    if (ver != null && !(ver instanceof String)) {
      throw other("the account id has an invalid ver");
    }
    Long iat = seconds(payload.get("iat"));
    Instant expiresAt = Instant.ofEpochSecond(exp);
    if (!clock.instant().isBefore(expiresAt)) {
      throw noLongerValid();
    }
    Object claim = payload.get(AccountIdUserClaim.NAME);
    if (claim == null) {
      throw noLongerValid(); // minted before account ids carried their user (see above)
    }
    if (!(claim instanceof String)) {
      throw other("the account id has an invalid " + AccountIdUserClaim.NAME);
    }
    String cmpUserId = userClaim.open((String) claim, mspId, (String) sid).orElseThrow(AccountIds::badSignature);
    return new Verified(((String) sid).toLowerCase(java.util.Locale.ROOT), expiresAt,
        iat == null ? null : Instant.ofEpochSecond(iat), (String) ver, cmpUserId);
  }

  private static Long seconds(Object value) {
    if (value instanceof Number n) {
      double d = n.doubleValue();
      // Beyond year 9999 or negative is not a time anyone minted.
      return d >= 0 && d < 253402300800d ? n.longValue() : null;
    }
    if (value instanceof String s && s.matches("[0-9]{1,12}")) {
      return Long.parseLong(s);
    }
    return null;
  }

  private static ApiError noLongerValid() {
    return new ApiError(422, "11", "The account ID was found but is no longer valid");
  }

  private static ApiError badSignature() {
    return new ApiError(422, "12", "The account ID has an invalid signature");
  }

  private static ApiError other(String why) {
    return new ApiError(422, "19", "Other account ID error: " + why);
  }
}
