package org.aidcmp.ingress.aid1.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.javalin.Javalin;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A local OpenID Connect issuer for the embedded stack, the demo and the tests: an RSA key made at start,
 * its JWKS and discovery document over HTTP on loopback, and tokens signed with it. Not an identity provider:
 * it authenticates nobody. It binds 127.0.0.1 only, and production points oidc.* at the real one.
 *
 * <p>{@code POST /token} with form fields {@code sub} and optional {@code roles} (comma-separated) returns
 * {@code {"access_token": ..., "token_type": "Bearer", "expires_in": ...}} so a demo can get a token with curl.
 */
public final class LocalOidcIssuer implements AutoCloseable {
  public static final String DEFAULT_AUDIENCE = "aid-cmp";
  private static final Pattern SUB = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final int requestedPort;
  private final String audience;
  private final Clock clock;
  private final RSAKey key;
  private Javalin app;

  public LocalOidcIssuer(int port, String audience, Clock clock) {
    this.requestedPort = port;
    this.audience = audience;
    this.clock = clock;
    try {
      this.key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).algorithm(JWSAlgorithm.RS256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public synchronized LocalOidcIssuer start() {
    String jwks = new JWKSet(key.toPublicJWK()).toString();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = "127.0.0.1";
      config.jetty.port = requestedPort;
      config.routes.get("/jwks.json", ctx -> ctx.contentType("application/json").result(jwks));
      config.routes.get("/.well-known/openid-configuration", ctx -> ctx.json(Map.of(
          "issuer", issuer(),
          "jwks_uri", jwksUrl(),
          "token_endpoint", issuer() + "/token",
          "id_token_signing_alg_values_supported", List.of("RS256"))));
      config.routes.post("/token", ctx -> {
        String sub = ctx.formParam("sub");
        if (sub == null || !SUB.matcher(sub).matches()) {
          ctx.status(400).json(Map.of("error", "invalid_request"));
          return;
        }
        String rolesParam = ctx.formParam("roles");
        List<String> roles = rolesParam == null || rolesParam.isBlank() ? List.of()
            : List.of(rolesParam.split(",")).stream().map(String::trim).filter(r -> ROLE.matcher(r).matches()).toList();
        Duration ttl = Duration.ofHours(1);
        ctx.json(Map.of("access_token", token(sub, roles, ttl), "token_type", "Bearer",
            "expires_in", ttl.toSeconds()));
      });
    }).start();
    return this;
  }

  public String issuer() {
    return "http://127.0.0.1:" + port();
  }

  public String jwksUrl() {
    return issuer() + "/jwks.json";
  }

  public String audience() {
    return audience;
  }

  public int port() {
    return app.port();
  }

  /** A token for user {@code sub} with {@code roles}, valid for {@code ttl}. */
  public String token(String sub, List<String> roles, Duration ttl) {
    Instant now = clock.instant();
    return sign(new JWTClaimsSet.Builder()
        .issuer(issuer())
        .audience(audience)
        .subject(sub)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)))
        .jwtID(UUID.randomUUID().toString())
        .claim("roles", roles)
        .build());
  }

  /** Signs any claims with the issuer's key: for tests of wrong iss, aud or exp. */
  public String sign(JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
        .type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  @Override
  public synchronized void close() {
    if (app != null) {
      app.stop();
      app = null;
    }
  }
}
