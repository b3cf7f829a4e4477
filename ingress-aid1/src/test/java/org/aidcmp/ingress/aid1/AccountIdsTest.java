package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** §5.1.2 account ids: minted and verified; codes 11, 12 and 19 on Send MSP token (§7.1.4). */
class AccountIdsTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final String MSP = "msp-a";
  private static final String USER = "user-1";
  private final AccountIdUserClaim userClaim = new AccountIdUserClaim("a CMP key of thirty-two bytes!!!".getBytes(StandardCharsets.US_ASCII));
  private final AccountIds ids = new AccountIds(Clock.fixed(NOW, ZoneOffset.UTC), userClaim);

  private String mint(byte[] secret, String sid, Instant issuedAt, Instant expiresAt, String ver) {
    return ids.mint(secret, MSP, sid, USER, issuedAt, expiresAt, ver);
  }

  private AccountIds.Verified verify(String id, byte[] secret) {
    return ids.verify(id, secret, MSP);
  }

  private static int code(Runnable r) {
    try {
      r.run();
    } catch (ApiError e) {
      assertThat(e.status()).isEqualTo(422);
      return Integer.parseInt(e.code());
    }
    throw new AssertionError("accepted");
  }

  @Test
  void accountId_5_1_2_mintedIsVerified_withSidExpAndVer() {
    String sid = UUID.randomUUID().toString();
    String id = mint(SECRET, sid, NOW, NOW.plusSeconds(600), "6789");
    assertThat(id).matches("[A-Za-z0-9._-]+");
    AccountIds.Verified v = verify(id, SECRET);
    assertThat(v.sid()).isEqualTo(sid);
    assertThat(v.cmpUserId()).isEqualTo(USER);
    assertThat(v.expiresAt()).isEqualTo(NOW.plusSeconds(600));
    assertThat(v.ver()).isEqualTo("6789");
    assertThat(SignedJWTs.header(id)).contains("\"alg\":\"HS256\"").contains("\"typ\":\"JWT\"");
  }

  @Test
  void accountId_5_1_2_expIsAcceptedAsStringAsInTheSpecsExample() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .claim("exp", Long.toString(NOW.getEpochSecond() + 60)).claim("sid", UUID.randomUUID().toString())
        .claim("iat", NOW.getEpochSecond()).build());
    jwt = withUserClaim(jwt);
    assertThat(verify(jwt.serialize(), SECRET).expiresAt()).isEqualTo(NOW.plusSeconds(60));
  }

  /** The same claims, with the user claim for its sid added, signed with SECRET. */
  private SignedJWT withUserClaim(SignedJWT unsigned) throws Exception {
    JWTClaimsSet claims = unsigned.getJWTClaimsSet();
    SignedJWT jwt = new SignedJWT(unsigned.getHeader(), new JWTClaimsSet.Builder(claims)
        .claim(AccountIdUserClaim.NAME, userClaim.seal(USER, MSP, (String) claims.getClaim("sid"))).build());
    jwt.sign(new MACSigner(SECRET));
    return jwt;
  }

  @Test
  void accountId_5_1_2_theUserClaimIsReadableOnlyByTheCmp_andAnMspSeesFourClaimsAndOneOpaque() throws Exception {
    String sid = UUID.randomUUID().toString();
    String id = mint(SECRET, sid, NOW, NOW.plusSeconds(600), null);
    String payload = new String(java.util.Base64.getUrlDecoder().decode(id.split("\\.")[1]), StandardCharsets.UTF_8);
    assertThat(payload).contains("\"sid\":\"" + sid + "\"").contains("\"" + AccountIdUserClaim.NAME + "\":")
        .doesNotContain(USER);
    assertThat(userClaim.open(userClaim.seal(USER, MSP, sid), MSP, sid)).contains(USER);
    assertThat(userClaim.open(userClaim.seal(USER, MSP, sid), "msp-b", sid)).as("another MSP's").isEmpty();
    assertThat(userClaim.open(userClaim.seal(USER, MSP, sid), MSP, UUID.randomUUID().toString()))
        .as("moved to another sid").isEmpty();
    assertThat(new AccountIdUserClaim("another CMP key, thirty-two bytes".getBytes(StandardCharsets.US_ASCII))
        .open(userClaim.seal(USER, MSP, sid), MSP, sid)).as("another key").isEmpty();
    assertThat(userClaim.open("AAAA", MSP, sid)).isEmpty();
    assertThat(userClaim.open("not base64url!", MSP, sid)).isEmpty();
  }

  @Test
  void sendMspToken_7_1_4_anAccountIdWithoutTheUserClaim_is11_oneMintedBeforeAccountIdsCarriedTheirUser()
      throws Exception {
    SignedJWT old = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .claim("exp", NOW.getEpochSecond() + 60).claim("sid", UUID.randomUUID().toString())
        .claim("iat", NOW.getEpochSecond()).build());
    old.sign(new MACSigner(SECRET));
    assertThat(code(() -> verify(old.serialize(), SECRET))).isEqualTo(11);
  }

  @Test
  void sendMspToken_7_1_4_aUserClaimTheCmpDidNotMakeForThisSid_is12() throws Exception {
    String sid = UUID.randomUUID().toString();
    // The MSP knows the HS256 secret: it can sign anything, but not make the claim, nor move one to another sid.
    SignedJWT moved = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .claim("exp", NOW.getEpochSecond() + 60).claim("sid", sid)
        .claim(AccountIdUserClaim.NAME, userClaim.seal(USER, MSP, UUID.randomUUID().toString())).build());
    moved.sign(new MACSigner(SECRET));
    assertThat(code(() -> verify(moved.serialize(), SECRET))).isEqualTo(12);
    String ofB = ids.mint(SECRET, "msp-b", sid, USER, NOW, NOW.plusSeconds(60), null);
    assertThat(code(() -> verify(ofB, SECRET))).as("issued for another MSP under the same secret").isEqualTo(12);
    SignedJWT notText = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .claim("exp", NOW.getEpochSecond() + 60).claim("sid", sid).claim(AccountIdUserClaim.NAME, 7).build());
    notText.sign(new MACSigner(SECRET));
    assertThat(code(() -> verify(notText.serialize(), SECRET))).isEqualTo(19);
  }

  @Test
  void sendMspToken_7_1_4_expired_is11_evenAtTheExactSecond() {
    String id = mint(SECRET, UUID.randomUUID().toString(), NOW.minusSeconds(600), NOW, null);
    assertThat(code(() -> verify(id, SECRET))).isEqualTo(11);
  }

  @Test
  void sendMspToken_7_1_4_wrongSecretTamperedOrOtherAlgorithm_is12() throws Exception {
    String id = mint(SECRET, UUID.randomUUID().toString(), NOW, NOW.plusSeconds(600), null);
    assertThat(code(() -> verify(id, "another-secret-another-secret-xx".getBytes(StandardCharsets.UTF_8)))).isEqualTo(12);
    String[] p = id.split("\\.");
    String otherPayload = Base64URL.encode("{\"exp\":9999999999,\"sid\":\"" + UUID.randomUUID() + "\"}").toString();
    assertThat(code(() -> verify(p[0] + "." + otherPayload + "." + p[2], SECRET))).isEqualTo(12);
    String none = Base64URL.encode("{\"alg\":\"none\"}").toString() + "." + p[1] + ".";
    assertThat(code(() -> verify(none, SECRET))).isIn(12, 19);
    SignedJWT hs512 = new SignedJWT(new JWSHeader(JWSAlgorithm.HS512), new JWTClaimsSet.Builder()
        .claim("exp", NOW.getEpochSecond() + 60).claim("sid", UUID.randomUUID().toString()).build());
    hs512.sign(new MACSigner("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
    assertThat(code(() -> verify(hs512.serialize(), SECRET))).isEqualTo(12);
  }

  @Test
  void sendMspToken_7_1_4_malformedMissingSidOrExp_is19() throws Exception {
    assertThat(code(() -> verify("", SECRET))).isEqualTo(19);
    assertThat(code(() -> verify("a.b", SECRET))).isEqualTo(19);
    assertThat(code(() -> verify("a b.c.d", SECRET))).isEqualTo(19);
    assertThat(code(() -> verify("x".repeat(3000), SECRET))).isEqualTo(19);
    for (JWTClaimsSet claims : new JWTClaimsSet[] {
        new JWTClaimsSet.Builder().claim("exp", NOW.getEpochSecond() + 60).build(),
        new JWTClaimsSet.Builder().claim("exp", NOW.getEpochSecond() + 60).claim("sid", "not-a-uuid").build(),
        new JWTClaimsSet.Builder().claim("sid", UUID.randomUUID().toString()).build(),
        new JWTClaimsSet.Builder().claim("exp", "soon").claim("sid", UUID.randomUUID().toString()).build(),
        new JWTClaimsSet.Builder().claim("exp", NOW.getEpochSecond() + 60).claim("sid", UUID.randomUUID().toString())
            .claim("ver", 12).build()}) {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(SECRET));
      assertThat(code(() -> verify(jwt.serialize(), SECRET))).as(claims.toString()).isEqualTo(19);
    }
  }

  @Test
  void accountId_shortSecret_isRefusedAtMint() {
    assertThatThrownBy(() -> mint("short".getBytes(StandardCharsets.UTF_8), UUID.randomUUID().toString(), NOW,
        NOW.plusSeconds(1), null)).isInstanceOf(IllegalStateException.class);
  }

  /** Reads a JWT's header. */
  static final class SignedJWTs {
    static String header(String jwt) {
      return new String(java.util.Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))), StandardCharsets.UTF_8);
    }
  }
}
