package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aid msp onboard}: from a new MSP's client certificate, a configuration block that is a working MSP
 * entry pinning exactly that certificate, and the files the MSP needs before its first call (AID.02 §6).
 */
class MspOnboardingTest {
  @TempDir
  Path dir;

  private final Map<String, String> base = new HashMap<>(Map.of(
      "cmp.id", "aidcmp",
      "msp.ids", "msp-a",
      "msp.msp-a.client-id", "mspA",
      "msp.msp-a.base-url", "https://127.0.0.1:19443",
      "msp.msp-a.inbound-api-key", "mspAKey0123456789",
      "msp.msp-a.account-id-secret", "msp-a-shared-secret-of-32-bytes-or-more",
      "msp.msp-a.phone-key", "MDEyMzQ1Njc4OWFiY2RlZg=="));

  private record Run(int code, String out, String err) {}

  private Run aid(String... args) throws Exception {
    Path config = dir.resolve("aid.properties");
    Map<String, String> values = new HashMap<>(base);
    values.put("aid.data.dir", dir.resolve("data").toString());
    StringBuilder text = new StringBuilder();
    values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(config, text);
    List<String> all = new ArrayList<>(List.of("--config", config.toString(), "msp"));
    all.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = new Aid(new PrintStream(out, true, StandardCharsets.UTF_8)).run(all.toArray(String[]::new));
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(originalErr);
    }
  }

  /** A certificate as an MSP makes it with its own CA: only the certificate, in PEM. */
  private Path mspCertificate(Identity identity) throws Exception {
    Path file = dir.resolve("msp-new-client.crt");
    Files.writeString(file, Pem.certificates(List.of(identity.certificate())));
    return file;
  }

  @Test
  void onboard_writesAWorkingMspEntryPinningTheCertificate_andTheFilesToHandOver() throws Exception {
    Identity client = CertificateAuthority.create("MSP New Root CA").issueClient("msp-new");
    Path folder = dir.resolve("kit");
    Run run = aid("onboard", "msp-new", "--client-certificate", mspCertificate(client).toString(),
        "--base-url", "https://127.0.0.1:19555/api", "--phone-cipher", "aes-cbc", "--out", folder.toString());
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains(client.sha256Fingerprint());

    // The block, added to the configuration, is an MSP entry pinning that very certificate.
    Path blockFile = folder.resolve("aid.properties.msp-msp-new");
    Properties block = new Properties();
    try (InputStream in = Files.newInputStream(blockFile)) {
      block.load(in);
    }
    Map<String, String> merged = new HashMap<>(base);
    block.forEach((k, v) -> merged.put((String) k, (String) v));
    merged.put("msp.ids", "msp-a,msp-new");
    MspRegistry.Msp msp = MspRegistry.from(AidConfig.of(merged)).byId("msp-new").orElseThrow();
    assertThat(msp.clientCertificateSha256()).isEqualTo(client.sha256Fingerprint());
    assertThat(msp.clientId()).isEqualTo("mspnew");
    assertThat(msp.baseUrl()).hasToString("https://127.0.0.1:19555/api");
    assertThat(msp.phoneCipher()).isEqualTo(MspRegistry.PhoneCipher.AES_CBC);
    assertThat(msp.phoneKey()).hasSize(32);
    assertThat(msp.accountIdSecret().length).isGreaterThanOrEqualTo(32);
    assertThat(msp.inboundApiKey()).matches("[A-Za-z0-9]{32}");

    // The secrets the MSP gets are those of the block, and none of them is printed.
    Properties secrets = new Properties();
    try (InputStream in = Files.newInputStream(folder.resolve(MspOnboarding.SECRETS))) {
      secrets.load(in);
    }
    assertThat(secrets.getProperty("api-key")).isEqualTo(msp.inboundApiKey());
    assertThat(secrets.getProperty("account-id-secret").getBytes(StandardCharsets.UTF_8)).isEqualTo(msp.accountIdSecret());
    assertThat(Base64.getDecoder().decode(secrets.getProperty("phone-key"))).isEqualTo(msp.phoneKey());
    assertThat(secrets.getProperty("phone-cipher")).isEqualTo("AES_CBC");
    for (String secret : List.of("api-key", "account-id-secret", "phone-key")) {
      assertThat(run.out()).doesNotContain(secrets.getProperty(secret));
    }
    for (Path file : List.of(blockFile, folder.resolve(MspOnboarding.SECRETS))) {
      assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    // The CMP's server CA signs the certificate the ingress serves; the CMP's client certificate comes without key.
    Path data = dir.resolve("data");
    X509Certificate serverCa = Pem.readCertificates(Pem.read(folder.resolve(MspOnboarding.SERVER_CA))).get(0);
    KeyStore keystore = KeyStore.getInstance("PKCS12");
    char[] password = Files.readString(data.resolve("pki").resolve("keystore-password")).trim().toCharArray();
    try (InputStream in = Files.newInputStream(data.resolve("pki").resolve("ingress-aid1.p12"))) {
      keystore.load(in, password);
    }
    X509Certificate served = (X509Certificate) keystore.getCertificate(keystore.aliases().nextElement());
    served.verify(serverCa.getPublicKey());
    String clientPem = Pem.read(folder.resolve(MspOnboarding.CLIENT_CERTIFICATE));
    assertThat(clientPem).doesNotContain("PRIVATE KEY");
    assertThat(Pem.readCertificates(clientPem))
        .isEqualTo(Pem.readIdentity(Pem.read(DevCredentials.cmpClient(data))).chain());
  }

  @Test
  void onboard_refusesWhatCannotWork_inOneLine() throws Exception {
    Identity client = CertificateAuthority.create("MSP New Root CA").issueClient("msp-new");
    String cert = mspCertificate(client).toString();
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    Path full = Files.createDirectories(dir.resolve("full"));
    Files.writeString(full.resolve("x"), "x");
    String url = "https://msp.example/api";
    Map<List<String>, String> cases = Map.of(
        List.of("onboard", "msp-new", "--base-url", url), "--client-certificate is required",
        List.of("onboard", "msp-new", "--client-certificate", dir.resolve("missing.pem").toString(), "--base-url", url),
        "cannot read",
        List.of("onboard", "msp-new", "--client-certificate", notPem.toString(), "--base-url", url), "no PEM certificate",
        List.of("onboard", "msp-a", "--client-certificate", cert, "--base-url", url), "configured already",
        List.of("onboard", "msp-new", "--client-certificate", cert, "--base-url", "http://msp.example"), "https URL",
        List.of("onboard", "msp-new", "--client-certificate", cert, "--base-url", url, "--pin", "x"),
        "is not an option of onboard",
        List.of("onboard", "msp-new", "--client-certificate", cert, "--base-url", url, "--out", full.toString()),
        "not empty",
        List.of("onboard", "msp-new", "--client-certificate", cert, "--base-url", url, "--phone-cipher", "des"),
        "aes-gcm or aes-cbc",
        List.of("onboard", "--client-certificate", cert), "needs the new MSP's id");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      Run run = aid(c.getKey().toArray(String[]::new));
      assertThat(run.code()).as(c.getKey().toString()).isEqualTo(2);
      assertThat(run.err()).as(c.getKey().toString()).contains(c.getValue()).startsWith("aid msp: ");
      assertThat(run.err().strip()).as("one line").doesNotContain("\n");
    }

    // The same certificate pinned for another MSP already: refused too.
    base.put("msp.msp-a.client-certificate-sha256", client.sha256Fingerprint());
    Run pinned = aid("onboard", "msp-new", "--client-certificate", cert, "--base-url", url);
    assertThat(pinned.code()).isEqualTo(2);
    assertThat(pinned.err()).contains("pinned for MSP msp-a");
  }

  @Test
  void onboard_help_saysWhatItNeeds() throws Exception {
    Run run = aid("onboard", "--help");
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("onboard NEW_MSP_ID --client-certificate FILE --base-url URL");
  }
}
