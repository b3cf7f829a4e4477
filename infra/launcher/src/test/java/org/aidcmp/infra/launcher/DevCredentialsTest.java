package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.mqtt.PasswordHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local credentials: made once, kept owner-only, reused; a CA whose key was not kept is replaced. */
class DevCredentialsTest {
  private static final AidConfig CONFIG = AidConfig.of(Map.of(
      "cmp.id", "aidcmp",
      "msp.ids", "msp-a, msp-b",
      "msp.msp-b.client-certificate-sha256", "ab".repeat(32)));

  @Test
  void theLocalCaIssuesEveryDevCredentialOnceAndKeepsItsKeyOwnerOnly(@TempDir Path data) throws Exception {
    AidConfig first = DevCredentials.fill(CONFIG, data);
    AidConfig again = DevCredentials.fill(CONFIG, data);
    assertThat(again.describe()).isEqualTo(first.describe());

    Path key = data.resolve("pki").resolve("ca-key.pem");
    assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    CertificateAuthority ca = DevCredentials.authority(data);
    Identity cmpClient = Pem.readIdentity(Pem.read(Path.of(first.require("egress.tls.identity"))));
    assertThat(cmpClient.chain()).last().isEqualTo(ca.certificate());
    assertThat(Files.getPosixFilePermissions(Path.of(first.require("egress.tls.identity"))))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(first.require("egress.tls.trusted")).isEqualTo(DevCredentials.localCa(data).toString());

    Identity mspA = Pem.readIdentity(Pem.read(DevCredentials.mspClient(data, "msp-a")));
    assertThat(first.require("msp.msp-a.client-certificate-sha256")).as("pinned for aid msp")
        .isEqualTo(mspA.sha256Fingerprint());
    assertThat(first.require("msp.msp-b.client-certificate-sha256")).as("a configured pin stays")
        .isEqualTo("ab".repeat(32));
    assertThat(DevCredentials.mspClient(data, "msp-b")).doesNotExist();
    assertThat(Base64.getDecoder().decode(first.require("cmp.phone-key"))).hasSize(32);

    // the embedded broker's service logins: issued once, kept, accepted by its credentials store
    assertThat(first.require("ingress.aid2.username")).isEqualTo("aid-bridge");
    assertThat(first.require("downlink.mqtt.username")).isEqualTo("aid-downlink");
    assertThat(again.require("ingress.aid2.password")).isEqualTo(first.require("ingress.aid2.password"));
    assertThat(PasswordHash.verify(first.require("downlink.mqtt.password"), DevCredentials.mqttCredentials(data)
        .store().find("aid-downlink").orElseThrow().passwordHash())).isTrue();
    assertThat(Files.getPosixFilePermissions(data.resolve("keys").resolve("mqtt-bridge-password")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(first.require("mqtt.tls.trusted")).isEqualTo(DevCredentials.localCa(data).toString());
    assertThat(DevCredentials.mqttBroker(data).chain()).last().isEqualTo(ca.certificate());
  }

  @Test
  void anExternalBrokerMeansNoBrokerLoginsAreMadeUp(@TempDir Path data) {
    AidConfig filled = DevCredentials.fill(CONFIG.with(Map.of("mqtt.server.uri", "ssl://203.0.113.5:8883")), data);
    assertThat(filled.get("ingress.aid2.password")).isEmpty();
    assertThat(filled.get("mqtt.tls.trusted")).isEmpty();
    assertThat(data.resolve("mqtt-auth")).doesNotExist();
  }

  @Test
  void aDataDirectoryWithoutTheCaKeyGetsANewCaAndEverythingIssuedAgain(@TempDir Path data) throws Exception {
    Path pki = data.resolve("pki");
    AidConfig before = DevCredentials.fill(CONFIG, data);
    String oldPin = before.require("msp.msp-a.client-certificate-sha256");
    String oldCa = Pem.read(DevCredentials.localCa(data));
    // What a data directory made before the key was kept looks like.
    Files.delete(pki.resolve("ca-key.pem"));

    AidConfig after = DevCredentials.fill(CONFIG, data);
    assertThat(Pem.read(DevCredentials.localCa(data))).isNotEqualTo(oldCa);
    assertThat(after.require("msp.msp-a.client-certificate-sha256")).isNotEqualTo(oldPin);
    Identity cmpClient = Pem.readIdentity(Pem.read(Path.of(after.require("egress.tls.identity"))));
    assertThat(cmpClient.chain()).last().isEqualTo(DevCredentials.authority(data).certificate());
  }

  @Test
  void aConfiguredIngressKeystoreMeansNoMspCertificatesAreMadeUp(@TempDir Path data) {
    AidConfig production = CONFIG.with(Map.of("ingress.aid1.tls.keystore", "/etc/aid/ingress.p12"));
    AidConfig filled = DevCredentials.fill(production, data);
    assertThat(filled.get("msp.msp-a.client-certificate-sha256")).isEmpty();
    assertThat(filled.require("ingress.aid1.tls.keystore")).isEqualTo("/etc/aid/ingress.p12");
  }
}
