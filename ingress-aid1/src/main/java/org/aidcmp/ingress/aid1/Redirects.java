package org.aidcmp.ingress.aid1;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The redirects of §7.1.1 - §7.1.3, and the check that a redirect goes only where agreed: "the domain or
 * custom url scheme to which the CMP performs redirects SHALL be agreed and specified". A pattern is a host
 * ({@code www.msp.de}), a wildcard ({@code *.msp.de}: any subdomain, not msp.de itself, not example.de), or a
 * custom scheme ({@code mspapp:}). Hosts are reached over https only.
 */
public final class Redirects {
  private static final int MAX_LENGTH = 2048;

  private Redirects() {}

  /** The redirect_uri, parsed, if it goes to an agreed place; otherwise empty. */
  public static java.util.Optional<URI> agreed(String redirectUri, List<String> patterns) {
    if (redirectUri == null || redirectUri.isEmpty() || redirectUri.length() > MAX_LENGTH) {
      return java.util.Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(redirectUri);
    } catch (URISyntaxException e) {
      return java.util.Optional.empty();
    }
    // A fragment would swallow the parameters we append; user info is the classic host-confusion trick.
    if (!uri.isAbsolute() || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      return java.util.Optional.empty();
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    for (String raw : patterns) {
      String pattern = raw.trim().toLowerCase(Locale.ROOT);
      if (pattern.endsWith(":") || pattern.endsWith("://")) {
        String agreedScheme = pattern.substring(0, pattern.indexOf(':'));
        if (!agreedScheme.equals("https") && !agreedScheme.equals("http") && scheme.equals(agreedScheme)) {
          return java.util.Optional.of(uri);
        }
        continue;
      }
      if (!scheme.equals("https") || uri.getHost() == null) {
        continue;
      }
      String host = uri.getHost().toLowerCase(Locale.ROOT);
      if (pattern.startsWith("*.")) {
        String suffix = pattern.substring(1);
        if (host.endsWith(suffix) && host.length() > suffix.length()) {
          return java.util.Optional.of(uri);
        }
      } else if (host.equals(pattern)) {
        return java.util.Optional.of(uri);
      }
    }
    return java.util.Optional.empty();
  }

  /** §7.1.1: {touchpointUrl}?id={account_id}&redirect_uri={encoded}. */
  public static String toMsp(URI touchpointUrl, String accountId, String redirectUri) {
    String url = append(touchpointUrl.toString(), "id", accountId);
    return redirectUri == null ? url : append(url, "redirect_uri", redirectUri);
  }

  /** §7.1.3.1: the MSP's redirect_uri with &id={account_id}. */
  public static String success(URI redirectUri, String accountId) {
    return append(redirectUri.toString(), "id", accountId);
  }

  /** §7.1.3.2: the MSP's redirect_uri with &code={100..103}&error={description}. */
  public static String failure(URI redirectUri, int code, String error) {
    return append(append(redirectUri.toString(), "code", Integer.toString(code)), "error", error);
  }

  private static String append(String url, String name, String value) {
    String separator = url.contains("?") ? (url.endsWith("?") || url.endsWith("&") ? "" : "&") : "?";
    return url + separator + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
