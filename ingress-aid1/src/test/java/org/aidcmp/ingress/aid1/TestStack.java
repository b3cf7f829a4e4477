package org.aidcmp.ingress.aid1;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.infra.testing.TestBackbone;
import org.aidcmp.infra.testing.TestKafka;
import org.aidcmp.ingress.aid1.oidc.LocalOidcIssuer;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded stack for every integration test class of this module, started once and closed at the end of
 * the run: Kafka (KRaft) and the schema registry on free loopback ports, the three topics ingress uses, test
 * certificates, the local OIDC issuer, the topology stand-in, and ingress-aid1 itself over real TLS.
 */
public final class TestStack implements BeforeAllCallback, ParameterResolver {
  static final String CMP_ID = "aidcmp";
  static final char[] PASSWORD = "test".toCharArray();

  /** What a test gets. */
  public static final class Stack implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final Path dir;
    private final TestBackbone backbone;
    final TestKafka kafka;
    final SchemaRegistryServer registryServer;
    final CertificateAuthority ca;
    final Identity mspACertificate;
    final Identity mspBCertificate;
    final Identity strangerCertificate;
    final MspRegistry msps;
    final byte[] cmpPhoneKey;
    final LocalOidcIssuer issuer;
    final TopologyStandIn topology;
    final IngressAid1 ingress;
    private final Admin admin;

    Stack() throws Exception {
      dir = Files.createTempDirectory("ingress-aid1-test-");
      backbone = TestBackbone.start("ingress-aid1-test-broker");
      kafka = backbone.kafka();
      registryServer = backbone.registry();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        List<NewTopic> topics = new ArrayList<>();
        for (AidTopic t : List.of(AidTopic.AID1_INBOUND, AidTopic.TOUCHPOINT_COMMANDS, AidTopic.REPLIES)) {
          topics.add(new NewTopic(t.topicName(), 2, (short) 1).configs(t.topicConfig()));
        }
        TopicSetup.create(admin, topics);
      }
      ca = CertificateAuthority.create("ingress-aid1 test CA");
      Identity server = ca.issueServer("ingress-aid1", List.of("localhost"), List.of("127.0.0.1"));
      mspACertificate = ca.issueClient("msp-a");
      mspBCertificate = ca.issueClient("msp-b");
      // Issued by the same CA: being signed by a CA we know is not enough, only pinned certificates get in.
      strangerCertificate = ca.issueClient("stranger");
      SecureRandom random = new SecureRandom();
      cmpPhoneKey = new byte[32];
      random.nextBytes(cmpPhoneKey);
      msps = MspRegistry.of(CMP_ID, List.of(
          msp("mspa", "clientA", "keyA1234567890", mspACertificate, MspRegistry.PhoneCipher.AES_GCM, random),
          msp("mspb", "clientB", "keyB1234567890", mspBCertificate, MspRegistry.PhoneCipher.AES_CBC, random)));
      issuer = new LocalOidcIssuer(0, LocalOidcIssuer.DEFAULT_AUDIENCE, Clock.systemUTC()).start();
      RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(registryServer.url());
      topology = new TopologyStandIn(kafka.bootstrapServers(), registry).start();
      var keyStore = server.keyStore(PASSWORD);
      ingress = IngressAid1.start(new IngressAid1.Options(
          "127.0.0.1", 0, 0,
          IngressAid1.tls(keyStore, PASSWORD, new ClientCertificates(msps)),
          IngressAid1.tls(keyStore, PASSWORD, null),
          msps, kafka.bootstrapServers(), Map.of(), registry, cmpPhoneKey, "cmp-test-1",
          issuer.issuer(), issuer.audience(), URI.create(issuer.jwksUrl()), "roles", "fleet",
          Duration.ofSeconds(5), 1, 16 * 1024, Duration.ofMinutes(30), "https://app.aidcmp.example/onboarding/done",
          Clock.systemUTC()));
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static MspRegistry.Msp msp(String id, String clientId, String apiKey, Identity certificate,
        MspRegistry.PhoneCipher cipher, SecureRandom random) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      byte[] phoneKey = new byte[16];
      random.nextBytes(phoneKey);
      return new MspRegistry.Msp(id, clientId, URI.create("https://" + id + ".example/api"),
          MspRegistry.OutboundAuth.API_KEY, "out", null, null, apiKey, certificate.sha256Fingerprint(),
          Base64.getEncoder().encode(secret), phoneKey, cipher, List.of("*." + id + ".de", "mspapp-" + id + ":"),
          URI.create("https://portal." + id + ".de/login"), URI.create("https://portal." + id + ".de/withdraw"),
          Set.of("DELETED"));
    }

    MspRegistry.Msp msp(String id) {
      return msps.byId(id).orElseThrow();
    }

    /** An HTTPS client presenting {@code identity} (null: none), trusting the test CA. */
    MspClient client(Identity identity, String mspId) {
      return new MspClient(Tls.clientContext(identity, List.of(ca.certificate())), ingress.server().mspPort(),
          mspId == null ? null : msp(mspId));
    }

    /** Records written to the topics ingress writes, summed over partitions. */
    long recordsWritten() {
      Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
      for (AidTopic t : List.of(AidTopic.AID1_INBOUND, AidTopic.TOUCHPOINT_COMMANDS)) {
        for (int p = 0; p < 2; p++) {
          partitions.put(new TopicPartition(t.topicName(), p), OffsetSpec.latest());
        }
      }
      try {
        return admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS).values().stream()
            .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() throws IOException {
      ingress.close();
      topology.close();
      issuer.close();
      admin.close(Duration.ofSeconds(2));
      backbone.close();
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    stack(context);
  }

  static Stack stack(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(Stack.class, k -> {
      try {
        return new Stack();
      } catch (Exception e) {
        throw new IllegalStateException("test stack did not start", e);
      }
    }, Stack.class);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Stack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }
}
