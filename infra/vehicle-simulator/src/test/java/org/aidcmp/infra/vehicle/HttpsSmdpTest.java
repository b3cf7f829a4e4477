package org.aidcmp.infra.vehicle;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.junit.jupiter.api.Test;

/** The vehicle's SM-DP+ client against two MSP simulators' HTTPS download endpoints, as {@code aid fleet} uses it. */
class HttpsSmdpTest {
  private static final String EID = "89049032000000000000000000000042";

  @Test
  void aCodeDownloadsFromTheSmdpThatBoundIt_onceAndOnlyToItsEid() {
    CertificateAuthority ca = CertificateAuthority.create("local");
    try (MspSimulator a = simulator(ca, "mspA"); MspSimulator b = simulator(ca, "mspB")) {
      HttpsSmdp smdp = new HttpsSmdp(List.of(a.smdpDownloadUrl(), b.smdpDownloadUrl()),
          ca.issueClient("vehicle-fleet"), List.of(ca.certificate()));
      String code = b.smdp().bind(EID, "89490000000000000042");

      assertThat(smdp.download(code, "89049032000000000000000000009999")).as("another EID")
          .isEqualTo(Smdp.Download.refused());
      assertThat(smdp.download(code, EID).iccid()).isEqualTo("89490000000000000042");
      assertThat(smdp.download(code, EID)).as("used up").isEqualTo(Smdp.Download.refused());
    }
  }

  @Test
  void noSmdpReachableIsUnreachable() {
    CertificateAuthority ca = CertificateAuthority.create("local");
    HttpsSmdp smdp = new HttpsSmdp(List.of(URI.create("https://127.0.0.1:9/smdp/v1/downloads")),
        ca.issueClient("vehicle-fleet"), List.of(ca.certificate()));
    assertThat(smdp.download("1$x$y", EID)).isEqualTo(Smdp.Download.unreachable());
  }

  private static MspSimulator simulator(CertificateAuthority ca, String id) {
    return MspSimulator.builder().mspId(id).tls(ca.issueServer(id, List.of(), List.of()), List.of(ca.certificate()))
        .build().start();
  }
}
