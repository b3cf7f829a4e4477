package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** §7.1.1 - §7.1.3: redirects go only to agreed domains or schemes, and carry their parameters encoded. */
class RedirectsTest {
  private static final List<String> AGREED = List.of("*.msp.de", "portal.msp.com", "mspapp:");

  @Test
  void redirect_7_1_2_examplesOfTheSpec() {
    assertThat(Redirects.agreed("https://www.msp.de/esim", AGREED)).isPresent();
    assertThat(Redirects.agreed("https://www.example.de/esim", AGREED)).isEmpty();
  }

  @Test
  void redirect_7_1_2_wildcardsExactHostsAndSchemes() {
    assertThat(Redirects.agreed("https://a.b.msp.de/x?y=1", AGREED)).isPresent();
    assertThat(Redirects.agreed("https://WWW.MSP.DE/x", AGREED)).isPresent();
    assertThat(Redirects.agreed("https://msp.de/x", AGREED)).isEmpty();
    assertThat(Redirects.agreed("https://evilmsp.de/x", AGREED)).isEmpty();
    assertThat(Redirects.agreed("https://www.msp.de.evil.com/x", AGREED)).isEmpty();
    assertThat(Redirects.agreed("https://portal.msp.com/r", AGREED)).isPresent();
    assertThat(Redirects.agreed("https://x.portal.msp.com/r", AGREED)).isEmpty();
    assertThat(Redirects.agreed("http://www.msp.de/x", AGREED)).isEmpty();
    assertThat(Redirects.agreed("mspapp:/done", AGREED)).isPresent();
    assertThat(Redirects.agreed("otherapp:/done", AGREED)).isEmpty();
    assertThat(Redirects.agreed("https://user@www.msp.de/x", AGREED)).isEmpty();
    assertThat(Redirects.agreed("https://www.msp.de/x#frag", AGREED)).isEmpty();
    assertThat(Redirects.agreed("/relative", AGREED)).isEmpty();
    assertThat(Redirects.agreed("https://www.msp.de/" + "a".repeat(3000), AGREED)).isEmpty();
    assertThat(Redirects.agreed("https://www.msp.de/x", List.of())).isEmpty();
  }

  @Test
  void redirect_7_1_1_toMspCarriesAccountIdAndEncodedRedirectUri() {
    assertThat(Redirects.toMsp(URI.create("https://consumer-esim-msp.com/portal/login"), "a.b.c", "https://consumer-esim-cmp.com"))
        .isEqualTo("https://consumer-esim-msp.com/portal/login?id=a.b.c&redirect_uri=https%3A%2F%2Fconsumer-esim-cmp.com");
  }

  @Test
  void redirect_7_1_3_successAndFailureAppendToTheMspsParameters() {
    URI back = URI.create("https://consumer-esim-cmp.com/return?foo=bar");
    assertThat(Redirects.success(back, "a.b.c")).isEqualTo("https://consumer-esim-cmp.com/return?foo=bar&id=a.b.c");
    assertThat(Redirects.failure(back, 100, "Unspecified CMP content error"))
        .isEqualTo("https://consumer-esim-cmp.com/return?foo=bar&code=100&error=Unspecified+CMP+content+error");
    assertThat(Redirects.success(URI.create("https://www.msp.de/r"), "x")).isEqualTo("https://www.msp.de/r?id=x");
  }
}
