package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Tls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as {@code main} wires it: every part from configuration keys (config/aid.properties or AID_*),
 * a PKCS12 key store on disk, the MSP registry. A second instance beside the shared one, on its own ports.
 */
@ExtendWith(TestStack.class)
class IngressAid1ConfigurationTest {
  private final TestStack.Stack stack;

  IngressAid1ConfigurationTest(TestStack.Stack stack) {
    this.stack = stack;
  }

  @Test
  void main_wiringFromConfiguration_servesSendMspToken_7_1_4(@TempDir Path dir) throws Exception {
    Identity server = stack.ca.issueServer("ingress-aid1-config", List.of("localhost"), List.of("127.0.0.1"));
    Path keyStore = dir.resolve("ingress.p12");
    try (OutputStream out = Files.newOutputStream(keyStore)) {
      server.keyStore("changeit".toCharArray()).store(out, "changeit".toCharArray());
    }
    SecureRandom random = new SecureRandom();
    byte[] cmpKey = new byte[32];
    random.nextBytes(cmpKey);
    byte[] phoneKey = new byte[16];
    random.nextBytes(phoneKey);
    String secret = "a-shared-msp-secret-of-32-chars-or-more";
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", stack.kafka.bootstrapServers());
    values.put("schema.registry.url", stack.registryServer.url());
    values.put("cmp.id", TestStack.CMP_ID);
    values.put("cmp.phone-key", Base64.getEncoder().encodeToString(cmpKey));
    values.put("cmp.phone-key-id", "cmp-config-1");
    values.put("ingress.aid1.tls.keystore", keyStore.toString());
    values.put("ingress.aid1.tls.keystore-password", "changeit");
    values.put("ingress.aid1.msp.port", "0");
    values.put("ingress.aid1.touchpoint.port", "0");
    values.put("oidc.issuer", stack.issuer.issuer());
    values.put("oidc.jwks-url", stack.issuer.jwksUrl());
    values.put("msp.ids", "mspc");
    values.put("msp.mspc.client-id", "clientC");
    values.put("msp.mspc.base-url", "https://mspc.example/api");
    values.put("msp.mspc.api-key", "outbound");
    values.put("msp.mspc.inbound-api-key", "keyC1234567890");
    values.put("msp.mspc.client-certificate-sha256", stack.mspACertificate.sha256Fingerprint());
    values.put("msp.mspc.account-id-secret", secret);
    values.put("msp.mspc.phone-key", Base64.getEncoder().encodeToString(phoneKey));
    values.put("msp.mspc.phone-cipher", "aes-cbc");
    values.put("msp.mspc.redirect-domains", "*.mspc.de");
    values.put("msp.mspc.touchpoint-url", "https://portal.mspc.de/login");

    try (IngressAid1 service = IngressAid1.start(IngressAid1.options(AidConfig.of(values), null))) {
      String sid = UUID.randomUUID().toString();
      stack.topology.sessions.put(sid, new TopologyStandIn.Session("user-" + sid, "mspc", false));
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      String accountId = new AccountIds(java.time.Clock.systemUTC(), new AccountIdUserClaim(cmpKey)).mint(
          secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "mspc", sid, "user-" + sid, now,
          now.plusSeconds(600), null);
      MspClient mspc = new MspClient(Tls.clientContext(stack.mspACertificate, List.of(stack.ca.certificate())),
          service.server().mspPort(), null);
      Map<String, String> h = new HashMap<>();
      h.put("CMP-request-id", UUID.randomUUID().toString());
      h.put("correlation-id", UUID.randomUUID().toString());
      h.put("api-key", "keyC1234567890");
      h.put("client-id", "clientC");
      h.put("target-id", TestStack.CMP_ID);
      h.put("Content-Type", "application/json");
      MspClient.Response r = mspc.call("POST", "/cesim/msp/v1/users/" + accountId,
          "{\"msp_token\":\"" + UUID.randomUUID() + "\",\"subscriptionType\":\"unknown\"}", h);
      assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
  }
}
