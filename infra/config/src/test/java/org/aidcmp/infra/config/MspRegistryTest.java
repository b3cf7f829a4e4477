package org.aidcmp.infra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MspRegistryTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[16]);

  private final AidConfig config = AidConfig.of(Map.ofEntries(
      Map.entry("cmp.id", "cmp-1"),
      Map.entry("msp.ids", "msp-a, msp-b"),
      Map.entry("msp.msp-a.client-id", "mspA"),
      Map.entry("msp.msp-a.base-url", "https://127.0.0.1:9443/cesim"),
      Map.entry("msp.msp-a.api-key", "k-a"),
      Map.entry("msp.msp-a.inbound-api-key", "in-a"),
      Map.entry("msp.msp-a.client-certificate-sha256", "AB:CD:EF"),
      Map.entry("msp.msp-a.account-id-secret", "secret-a"),
      Map.entry("msp.msp-a.phone-key", KEY),
      Map.entry("msp.msp-a.redirect-domains", "*.msp-a.de, msp-a.de"),
      Map.entry("msp.msp-a.csim-statuses", "deleted,enabled"),
      Map.entry("msp.msp-a.server-ca", "/etc/aid/msp-a-ca.pem"),
      Map.entry("msp.msp-a.client-identity", "/etc/aid/cmp-for-msp-a.pem"),
      Map.entry("msp.msp-b.client-id", "mspB"),
      Map.entry("msp.msp-b.base-url", "https://127.0.0.1:9444"),
      Map.entry("msp.msp-b.outbound-auth", "basic"),
      Map.entry("msp.msp-b.basic-user", "cmp"),
      Map.entry("msp.msp-b.basic-password", "pw"),
      Map.entry("msp.msp-b.inbound-api-key", "in-b"),
      Map.entry("msp.msp-b.account-id-secret", "secret-b"),
      Map.entry("msp.msp-b.phone-key", KEY),
      Map.entry("msp.msp-b.phone-cipher", "aes-cbc")));

  @Test
  void readsEveryMspOfTheConfiguration() {
    MspRegistry registry = MspRegistry.from(config);

    assertThat(registry.cmpId()).isEqualTo("cmp-1");
    assertThat(registry.all()).extracting(MspRegistry.Msp::id).containsExactly("msp-a", "msp-b");
    MspRegistry.Msp a = registry.byClientId("mspA").orElseThrow();
    assertThat(a.outboundAuth()).isEqualTo(MspRegistry.OutboundAuth.API_KEY);
    assertThat(a.clientCertificateSha256()).isEqualTo("abcdef");
    assertThat(a.redirectDomains()).containsExactly("*.msp-a.de", "msp-a.de");
    assertThat(a.csimStatusesToForward()).containsExactlyInAnyOrder("DELETED", "ENABLED");
    assertThat(a.phoneCipher()).isEqualTo(MspRegistry.PhoneCipher.AES_GCM);
    assertThat(a.serverCa()).isEqualTo(java.nio.file.Path.of("/etc/aid/msp-a-ca.pem"));
    assertThat(a.clientIdentity()).isEqualTo(java.nio.file.Path.of("/etc/aid/cmp-for-msp-a.pem"));
    MspRegistry.Msp b = registry.byId("msp-b").orElseThrow();
    assertThat(b.outboundAuth()).isEqualTo(MspRegistry.OutboundAuth.BASIC);
    assertThat(b.phoneCipher()).isEqualTo(MspRegistry.PhoneCipher.AES_CBC);
    assertThat(b.csimStatusesToForward()).containsExactly("DELETED");
    assertThat(b.serverCa()).as("the CMP's default trust").isNull();
    assertThat(b.clientIdentity()).as("the CMP's default client certificate").isNull();
    assertThat(b.toString()).doesNotContain("pw").doesNotContain("secret");
  }

  @Test
  void aMissingRequiredFieldNamesItsVariable() {
    AidConfig incomplete = AidConfig.of(Map.of("msp.ids", "msp-c", "msp.msp-c.base-url", "https://x"));
    assertThatThrownBy(() -> MspRegistry.from(incomplete)).hasMessageContaining("AID_MSP_MSP_C_CLIENT_ID");
  }
}
