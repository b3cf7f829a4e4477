package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.PhoneNumberCipher;

/**
 * The platform's services (as `aid up` runs them) on given backing endpoints, with one MSP, "msp-a", whose
 * certificate, api-key and phone key this class holds: an MSP ({@link #msp}, the simulator's {@link CmpClient})
 * and a touchpoint that follow AID.02, for the end-to-end test and the Send MSP token benchmark.
 */
final class TestPlatform implements AutoCloseable {
  private final byte[] phoneKey = new byte[16];
  private final Path data;
  private final Identity mspCertificate;
  final Services services;
  /** MSP "msp-a" calling the platform's AiD1 API. */
  final CmpClient msp;
  final Touchpoint touchpoint;

  /** {@code stackData}: the data directory of the stack behind {@code endpoints} (its broker's logins). */
  TestPlatform(Endpoints endpoints, Path stackData) throws Exception {
    new SecureRandom().nextBytes(phoneKey);
    data = Files.createTempDirectory("aid-platform-");
    mspCertificate = CertificateAuthority.create("MSP A test CA").issueClient("msp-a");
    AidConfig config = AidConfig.of(Map.ofEntries(
        Map.entry("aid.data.dir", data.toString()),
        Map.entry("cmp.id", "aidcmp"),
        Map.entry("lifecycle.application-id", "aid-lifecycle-e2e-" + UUID.randomUUID()),
        // msp-a's base-url has no server behind it: few attempts, so egress lets go of its calls soon.
        Map.entry("egress.group.id", "aid-egress-e2e-" + UUID.randomUUID()),
        Map.entry("egress.max.attempts", "2"),
        Map.entry("egress.call.timeout.ms", "2000"),
        Map.entry("ingress.aid1.msp.port", "0"),
        Map.entry("ingress.aid1.touchpoint.port", "0"),
        Map.entry("oidc.local.port", "0"),
        Map.entry("msp.ids", "msp-a"),
        Map.entry("msp.msp-a.client-id", "mspA"),
        Map.entry("msp.msp-a.base-url", "https://127.0.0.1:9/cesim"),
        Map.entry("msp.msp-a.api-key", "cmp-key-at-msp-a"),
        Map.entry("msp.msp-a.inbound-api-key", "mspAkey0123456789"),
        Map.entry("msp.msp-a.client-certificate-sha256", mspCertificate.sha256Fingerprint()),
        Map.entry("msp.msp-a.account-id-secret", "msp-a-secret-of-at-least-32-bytes!!"),
        Map.entry("msp.msp-a.phone-key", Base64.getEncoder().encodeToString(phoneKey)),
        Map.entry("msp.msp-a.redirect-domains", "*.msp-a.example"),
        Map.entry("msp.msp-a.touchpoint-url", "https://portal.msp-a.example/login"),
        Map.entry("msp.msp-a.withdraw-url", "https://portal.msp-a.example/withdraw")))
        .with(SharedEmbeddedStack.brokerLogins(stackData));
    services = Services.start(config, endpoints);
    // The tests' requests once every service is ready, as /health/ready would let a load balancer send them.
    Await.until("every service ready", java.time.Duration.ofSeconds(180), java.time.Duration.ofMillis(200),
        () -> services.management().readiness().containsValue(false) ? null : Boolean.TRUE,
        () -> "readiness " + services.management().readiness());
    msp = mspClient("mspAkey0123456789");
    touchpoint = new Touchpoint(services, data);
  }

  /** MSP A's client (its certificate, over mutual TLS) sending this api-key. */
  CmpClient mspClient(String apiKey) throws Exception {
    return CmpClient.builder()
        .baseUrl(URI.create("https://127.0.0.1:" + services.ingress().server().mspPort() + "/cesim/msp/v1"))
        .clientId("mspA").cmpId("aidcmp").apiKey(apiKey)
        .phoneKey(phoneKey, PhoneNumberCipher.Algorithm.AES_GCM)
        .tls(mspCertificate, Pem.readCertificates(Pem.read(DevCredentials.localCa(data)))).build();
  }

  Touchpoint.Answer touchpoint(String user, String method, String path, String body) throws Exception {
    return touchpoint.call(user, method, path, body);
  }

  /** §4.1: the touchpoint asks for an account id; returns it. */
  String accountId(String user) throws Exception {
    Touchpoint.Answer issued = Touchpoint.answered(() -> touchpoint(user, "POST", "/api/v1/onboarding/account-ids",
        "{\"mspId\":\"msp-a\"}"));
    assertThat(issued.status()).as(issued.body().toString()).isEqualTo(201);
    assertThat(issued.body().path("redirect_url").asText()).startsWith("https://portal.msp-a.example/login?id=");
    return issued.body().path("account_id").asText();
  }

  @Override
  public void close() throws Exception {
    services.close();
    SharedEmbeddedStack.deleteRecursively(data);
  }
}
