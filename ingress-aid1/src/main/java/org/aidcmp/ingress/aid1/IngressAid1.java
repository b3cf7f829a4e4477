package org.aidcmp.ingress.aid1;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.ingress.aid1.oidc.LocalOidcIssuer;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ingress-aid1: the CMP side of AiD1 for MSPs and the touchpoint API. {@link #main} reads the configuration
 * and wires every part by hand; {@link #start} takes the parts, for the launcher and the tests.
 */
public final class IngressAid1 implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngressAid1.class);

  /** Everything the service needs, already built. */
  public record Options(
      String host,
      int mspPort,
      int touchpointPort,
      SSLContext mspTls,
      SSLContext touchpointTls,
      MspRegistry msps,
      String kafkaBootstrapServers,
      Map<String, Object> kafkaClientOverrides,
      SchemaRegistryClient registry,
      byte[] cmpPhoneKey,
      String cmpPhoneKeyId,
      String oidcIssuer,
      String oidcAudience,
      URI oidcJwksUrl,
      String oidcRolesClaim,
      String fleetRole,
      Duration replyTimeout,
      int retryAfterSeconds,
      long maxBodyBytes,
      Duration accountIdTtl,
      String cmpReturnUrl,
      Clock clock) {}

  private final RequestReply requestReply;
  private final IngressServer server;

  private IngressAid1(RequestReply requestReply, IngressServer server) {
    this.requestReply = requestReply;
    this.server = server;
  }

  /** Without the read models: the query API's routes answer 503. */
  public static IngressAid1 start(Options o) {
    return start(o, QueryRoutes.Mount.unmounted());
  }

  /** With the query API mounted on the projections' read side. */
  public static IngressAid1 start(Options o, QueryRoutes.Mount queries) {
    for (MspRegistry.Msp msp : o.msps().all()) {
      if (msp.accountIdSecret().length < AccountIds.MIN_SECRET_BYTES) {
        throw new IllegalArgumentException("msp." + msp.id() + ".account-id-secret must be at least "
            + AccountIds.MIN_SECRET_BYTES + " bytes (HS256)");
      }
      if (msp.clientCertificateSha256() == null) {
        LOG.warn("MSP {} has no client-certificate-sha256: it cannot call the MSP API", msp.id());
      }
    }
    RequestReply requestReply = new RequestReply(o.kafkaBootstrapServers(), o.kafkaClientOverrides(), o.registry(),
        o.replyTimeout(), o.retryAfterSeconds(), 100_000).start(Duration.ofSeconds(30));
    try {
      AccountIds accountIds = new AccountIds(o.clock());
      Bodies bodies = new Bodies((int) Math.min(Integer.MAX_VALUE - 1, o.maxBodyBytes()));
      MspRoutes msp = new MspRoutes(new Aid1Headers(new ClientCertificates(o.msps()), o.msps().cmpId()), accountIds,
          new PhoneNumbers(o.cmpPhoneKey(), o.cmpPhoneKeyId()), requestReply, o.clock(), bodies);
      TouchpointRoutes touchpoint = new TouchpointRoutes(
          new OidcVerifier(o.oidcIssuer(), o.oidcAudience(), o.oidcJwksUrl(), o.oidcRolesClaim()),
          o.msps(), accountIds, requestReply, o.clock(), o.accountIdTtl(), o.cmpReturnUrl(), o.fleetRole(), bodies);
      QueryRoutes query = new QueryRoutes(
          new OidcVerifier(o.oidcIssuer(), o.oidcAudience(), o.oidcJwksUrl(), o.oidcRolesClaim()), queries,
          o.cmpPhoneKey());
      IngressServer server = new IngressServer(o.host(), o.mspPort(), o.mspTls(), o.touchpointPort(),
          o.touchpointTls(), o.maxBodyBytes(), msp, touchpoint, query).start();
      return new IngressAid1(requestReply, server);
    } catch (RuntimeException e) {
      requestReply.close();
      throw e;
    }
  }

  public IngressServer server() {
    return server;
  }

  /** Ready: its Kafka clients have connected; the HTTPS ports are open once started. */
  public boolean ready() {
    return requestReply.ready();
  }

  /** The server's TLS: its key from a PKCS12 file; for the MSP port, trust only the pinned MSP certificates. */
  public static SSLContext tls(KeyStore keyStore, char[] password, TrustManager clientTrust) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), clientTrust == null ? null : new TrustManager[] {clientTrust}, null);
    return context;
  }

  /** Options from the configuration (keys in config/aid.properties); a missing OIDC issuer starts a local one. */
  public static Options options(AidConfig config, LocalOidcIssuer localIssuer) throws Exception {
    MspRegistry msps = MspRegistry.from(config);
    char[] password = config.require("ingress.aid1.tls.keystore-password").toCharArray();
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(config.require("ingress.aid1.tls.keystore")))) {
      keyStore.load(in, password);
    }
    String issuer = config.get("oidc.issuer").orElse(localIssuer == null ? null : localIssuer.issuer());
    String jwks = config.get("oidc.jwks-url").orElse(localIssuer == null ? null : localIssuer.jwksUrl());
    if (issuer == null || jwks == null) {
      throw new IllegalArgumentException("oidc.issuer and oidc.jwks-url are required");
    }
    return new Options(
        config.get("ingress.aid1.host").orElse("127.0.0.1"),
        config.getInt("ingress.aid1.msp.port", 18443),
        config.getInt("ingress.aid1.touchpoint.port", 18444),
        tls(keyStore, password, new ClientCertificates(msps)),
        tls(keyStore, password, null),
        msps,
        config.require("kafka.bootstrap.servers"),
        Map.of(),
        RestSchemaRegistryClient.of(config.require("schema.registry.url")),
        Base64.getDecoder().decode(config.require("cmp.phone-key")),
        config.get("cmp.phone-key-id").orElse("cmp-1"),
        issuer,
        config.get("oidc.audience").orElse(LocalOidcIssuer.DEFAULT_AUDIENCE),
        URI.create(jwks),
        config.get("oidc.roles-claim").orElse("roles"),
        config.get("oidc.fleet-role").orElse("fleet"),
        Duration.ofMillis(config.getInt("ingress.aid1.reply-timeout-ms", 5000)),
        config.getInt("ingress.aid1.retry-after-seconds", 1),
        config.getInt("ingress.aid1.max-body-bytes", 16 * 1024),
        Duration.ofSeconds(config.getInt("ingress.aid1.account-id-ttl-seconds", 3600)),
        config.get("ingress.aid1.cmp-return-url").orElse("https://localhost/aid/onboarding/done"),
        Clock.systemUTC());
  }

  /** Runs until stopped (Ctrl-C). Configuration: config/aid.properties or AID_CONFIG, with AID_* overrides. */
  public static void main(String[] args) throws Exception {
    Path file = Path.of(System.getenv().getOrDefault("AID_CONFIG", AidConfig.DEFAULT_FILE.toString()));
    AidConfig config = AidConfig.load(file, System.getenv());
    LocalOidcIssuer issuer = null;
    if (config.get("oidc.jwks-url").isEmpty()) {
      issuer = new LocalOidcIssuer(config.getInt("oidc.local.port", 18090),
          config.get("oidc.audience").orElse(LocalOidcIssuer.DEFAULT_AUDIENCE), Clock.systemUTC()).start();
      LOG.info("local OIDC issuer at {}", issuer.issuer());
    }
    // The query API reads the projections' tables when a PostgreSQL is configured; else its routes answer 503.
    QueryRoutes.Mount queries = config.get("postgres.jdbc.url").isPresent()
        ? QueryRoutes.Mount.from(config, org.aidcmp.projections.read.ProjectionReads.connect(
            org.aidcmp.projections.ProjectionsSettings.from(config)))
        : QueryRoutes.Mount.unmounted();
    IngressAid1 service = start(options(config, issuer), queries);
    CountDownLatch stopped = new CountDownLatch(1);
    LocalOidcIssuer started = issuer;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      if (started != null) {
        started.close();
      }
      stopped.countDown();
    }, "ingress-aid1-stop"));
    stopped.await();
  }

  @Override
  public void close() {
    server.close();
    requestReply.close();
  }
}
