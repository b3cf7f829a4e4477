package org.aidcmp.ingress.aid1;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.List;
import java.util.Set;

/**
 * The touchpoint API's bearer tokens: OIDC JWTs from the CMP's identity provider, signature checked against
 * its JWKS (RS256 / ES256; never HS or "none"), iss exact, aud containing ours, exp in the future. sub is the
 * cmpUserId (§5.2.2); fleet operations need the fleet role in the roles claim.
 */
public final class OidcVerifier {
  /** Who is calling. */
  public record Principal(String cmpUserId, Set<String> roles) {}

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final String rolesClaim;

  public OidcVerifier(String issuer, String audience, URI jwksUrl, String rolesClaim) {
    this.rolesClaim = rolesClaim;
    JWKSource<SecurityContext> keys;
    try {
      keys = JWKSourceBuilder.create(jwksUrl.toURL()).retrying(true).build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("oidc.jwks-url is not a URL", e);
    }
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
        new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp", "iat")));
  }

  /** The principal of an Authorization header; 401 otherwise, saying as little as possible. */
  public Principal verify(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || authorization.length() > 8192) {
      throw new ApiError(401, ApiError.UNAUTHORIZED, "Unauthorized: a bearer token is required");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(authorization.substring(7).trim(), null);
    } catch (Exception e) {
      throw new ApiError(401, ApiError.UNAUTHORIZED, "Unauthorized: invalid token");
    }
    String sub = claims.getSubject();
    if (sub == null || sub.isBlank() || sub.length() > 128) {
      throw new ApiError(401, ApiError.UNAUTHORIZED, "Unauthorized: invalid token");
    }
    Object roles = claims.getClaim(rolesClaim);
    Set<String> set = roles instanceof List<?> list
        ? list.stream().filter(String.class::isInstance).map(String.class::cast).collect(java.util.stream.Collectors.toSet())
        : Set.of();
    return new Principal(sub, set);
  }
}
