package org.aidcmp.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.ProfileStatusReceived;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * §6 per MSP: each lane trusts only the CA agreed for its MSP's server certificate and presents the client
 * certificate agreed with that MSP, both read from the configuration's PEM files ({@link MspTls#from}). A
 * certificate refused either way is a configuration error, not a passing fault: given up at the first attempt.
 */
@ExtendWith(SharedKafka.class)
class PerMspTlsTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @Test
  void eachLaneUsesItsMspsCaAndClientCertificate_aServerSignedByAnotherCaGivesUpAtOnce(
      SharedKafka.Endpoints kafka, @TempDir Path dir) throws Exception {
    try (Harness h = new Harness(kafka, "per-msp-tls")) {
      // mspX: its server certificate from its own CA, and it accepts only the CMP certificate agreed with it.
      CertificateAuthority xCa = CertificateAuthority.create("msp-x-ca");
      CertificateAuthority cmpCaForX = CertificateAuthority.create("cmp-ca-for-x");
      try (MspSimulator x = MspSimulator.builder().mspId("mspX").cmpId(Harness.CMP_ID).apiKey("xKey123")
          .tls(xCa.issueServer("mspX", List.of(), List.of()), List.of(cmpCaForX.certificate()))
          .build().start()) {
        Path cmpIdentity = write(dir, "cmp.pem", Pem.identity(h.cmpCa.issueClient(Harness.CMP_ID)));
        Path mspCas = write(dir, "msp-cas.pem", Pem.certificates(List.of(h.mspCa.certificate())));
        Path xCaFile = write(dir, "msp-x-ca.pem", Pem.certificates(List.of(xCa.certificate())));
        Path cmpForX = write(dir, "cmp-for-x.pem", Pem.identity(cmpCaForX.issueClient(Harness.CMP_ID)));
        Map<String, String> keys = new HashMap<>(Map.of(
            "cmp.id", Harness.CMP_ID,
            "msp.ids", "mspS,mspX,mspY,mspW",
            "egress.tls.identity", cmpIdentity.toString(),
            "egress.tls.trusted", mspCas.toString()));
        msp(keys, "mspS", "mspS", h.sync.baseUrl().toString(), "syncKey123");
        msp(keys, "mspX", "mspX", x.baseUrl().toString(), "xKey123");
        keys.put("msp.mspX.server-ca", xCaFile.toString());
        keys.put("msp.mspX.client-identity", cmpForX.toString());
        // mspY is configured with the default trust, but its address answers with mspX's certificate.
        msp(keys, "mspY", "mspX", x.baseUrl().toString(), "xKey123");
        // mspW trusts mspX's CA but presents the default client certificate, which mspX does not accept.
        msp(keys, "mspW", "mspX", x.baseUrl().toString(), "xKey123");
        keys.put("msp.mspW.server-ca", xCaFile.toString());
        AidConfig config = AidConfig.of(keys);
        MspRegistry msps = MspRegistry.from(config);
        h.startWorker(h.settings("per-msp-tls", msps, MspTls.from(config, msps)));

        String tokenS = h.newUser(h.sync, 1);
        String tokenX = UUID.randomUUID().toString();
        x.createUser(tokenX, 1);
        String toS = h.profileStatus("mspS", tokenS, null);
        String toX = h.profileStatus("mspX", tokenX, null);
        String toY = h.profileStatus("mspY", tokenX, null);
        String toW = h.profileStatus("mspW", tokenX, null);
        Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, Set.of(toS, toX, toY, toW));

        assertThat(done.get(toS).get(0).getPayload()).isInstanceOf(ProfileStatusReceived.class);
        assertThat(done.get(toX).get(0).getPayload()).as("mspX: its own CA and its own client certificate")
            .isInstanceOf(ProfileStatusReceived.class);
        assertThat(done.get(toY).get(0).getPayload()).isInstanceOfSatisfying(MspCallGaveUp.class, gaveUp -> {
          assertThat(gaveUp.getCommand().getAttempts()).as("a refused certificate is not retried").isEqualTo(1);
          assertThat(gaveUp.getReason()).contains("server certificate is not trusted").contains("msp.mspY.server-ca");
        });
        assertThat(done.get(toW).get(0).getPayload()).isInstanceOfSatisfying(MspCallGaveUp.class, gaveUp -> {
          assertThat(gaveUp.getCommand().getAttempts()).as("a refused client certificate neither").isEqualTo(1);
          assertThat(gaveUp.getReason()).contains("refused the CMP's client certificate")
              .contains("msp.mspW.client-identity");
        });
        assertThat(h.deadLetters()).as("one dead letter each, to redrive once the configuration is fixed")
            .extracting(letter -> ((DeadLetter) letter.getPayload()).getReason())
            .hasSize(2).allSatisfy(reason -> assertThat(reason).contains("(not retried; check msp."));
        assertThat(x.requests()).as("only mspX's lane reached the server").singleElement()
            .satisfies(r -> assertThat(r.cmpRequestId()).isEqualTo(toX));
      }
    }
  }

  @Test
  void aMissingFileOrKeyNamesWhatToSet(@TempDir Path dir) {
    Map<String, String> keys = new HashMap<>(Map.of("cmp.id", "cmp", "msp.ids", "mspZ"));
    msp(keys, "mspZ", "mspZ", "https://127.0.0.1:9", "k");
    assertThatThrownBy(() -> tls(keys)).hasMessageContaining("msp.mspZ.client-identity or egress.tls.identity");
    keys.put("egress.tls.identity", dir.resolve("absent.pem").toString());
    assertThatThrownBy(() -> tls(keys)).hasMessageContaining("msp.mspZ.server-ca or egress.tls.trusted");
    keys.put("msp.mspZ.server-ca", write(dir, "empty.pem", "").toString());
    assertThatThrownBy(() -> tls(keys)).hasMessageContaining("egress.tls.identity: cannot read");
    keys.put("egress.tls.identity", write(dir, "cmp.pem",
        Pem.identity(CertificateAuthority.create("c").issueClient("cmp"))).toString());
    assertThatThrownBy(() -> tls(keys)).hasMessageContaining("msp.mspZ.server-ca:").hasMessageContaining("no PEM certificate");
  }

  private static MspTls tls(Map<String, String> keys) {
    AidConfig config = AidConfig.of(keys);
    return MspTls.from(config, MspRegistry.from(config));
  }

  private static void msp(Map<String, String> keys, String id, String clientId, String baseUrl, String apiKey) {
    String p = "msp." + id + ".";
    keys.put(p + "client-id", clientId);
    keys.put(p + "base-url", baseUrl);
    keys.put(p + "api-key", apiKey);
    keys.put(p + "inbound-api-key", "in" + id);
    keys.put(p + "account-id-secret", "s".repeat(32));
    keys.put(p + "phone-key", Base64.getEncoder().encodeToString(new byte[16]));
  }

  private static Path write(Path dir, String name, String pem) {
    Path file = dir.resolve(name);
    Pem.write(file, pem);
    return file;
  }
}
