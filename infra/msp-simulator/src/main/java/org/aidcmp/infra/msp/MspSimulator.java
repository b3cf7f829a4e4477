package org.aidcmp.infra.msp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.aidcmp.infra.msp.AsyncActivationCodeSink.SendActivationCode;
import org.aidcmp.infra.msp.MspRoutes.Answer;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Tls;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated MSP: the MSP side of AID.02 §7.1.8 - §7.1.11 as a real HTTPS server on loopback with mutual
 * TLS (§6), users with profile pools (§4.3.1 swaps), synchronous or asynchronous activation codes, an SM-DP+
 * stub, a log of every request received, and faults to switch on and off. Usable as a library in tests.
 */
public final class MspSimulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MspSimulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** ICCIDs unique across simulators in one JVM: 89 (telecom) 49 (country) then a counter, 20 digits. */
  private static final AtomicLong ICCIDS = new AtomicLong(System.nanoTime() % 1_000_000_000L * 1000);

  /** How §7.1.8 answers: 200 with the code, or 201 and the code later by Send activation code. */
  public enum ResponseMode { SYNC, ASYNC }

  /** What the simulator checks and how it answers. */
  public record Settings(
      String mspId, String cmpId, String apiKey, String basicUser, String basicPassword, ResponseMode mode,
      Duration asyncDelay) {}

  private final Settings settings;
  private final Identity serverIdentity;
  private final List<X509Certificate> trustedClientCas;
  private final AsyncActivationCodeSink sink;
  private final SmdpStub smdp;
  private final int usersOnDemand;
  private final Faults faults = new Faults();
  private final Map<String, ProfilePool> pools = new ConcurrentHashMap<>();
  /** Appended once per request: a copy-on-write list would copy every request so far on each one. */
  private final java.util.Queue<RecordedRequest> requests = new java.util.concurrent.ConcurrentLinkedQueue<>();
  /**
   * Sends the asynchronous codes (§7.1.8.2.1), {@link Builder#asyncSenders} at once: each is its own HTTPS call
   * that waits for the CMP's answer (and retries it), so one thread would queue every user's code behind the one
   * being answered.
   */
  private final ScheduledExecutorService asyncDelivery;
  private Javalin app;
  private ServerConnector connector;
  private int port;

  private MspSimulator(Builder b) {
    this.settings = new Settings(b.mspId, b.cmpId, b.apiKey, b.basicUser, b.basicPassword, b.mode, b.asyncDelay);
    java.util.concurrent.atomic.AtomicInteger senders = new java.util.concurrent.atomic.AtomicInteger();
    this.asyncDelivery = Executors.newScheduledThreadPool(b.asyncSenders, r -> {
      Thread t = new Thread(r, "msp-simulator-async-" + senders.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.serverIdentity = Objects.requireNonNull(b.serverIdentity, "serverIdentity");
    this.trustedClientCas = List.copyOf(b.trustedClientCas);
    this.sink = b.sink;
    this.smdp = b.smdp;
    this.usersOnDemand = b.usersOnDemand;
    this.port = b.port;
    smdp.onDownload((eid, iccid) -> pools.values().forEach(p -> p.setState(iccid, ProfileState.INSTALLED)));
  }

  public static Builder builder() {
    return new Builder();
  }

  public synchronized MspSimulator start() {
    MspRoutes routes = new MspRoutes(new MspRoutes.Msp() {
      @Override
      public Settings settings() {
        return settings;
      }

      @Override
      public Faults faults() {
        return faults;
      }

      @Override
      public ProfilePool pool(String mspToken) {
        return MspSimulator.this.pool(mspToken);
      }

      @Override
      public Answer activationCodeRequest(String mspToken, JsonNode body) {
        return MspSimulator.this.activationCodeRequest(mspToken, body);
      }

      @Override
      public void record(RecordedRequest request) {
        requests.add(request);
      }
    });
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = "127.0.0.1";
      config.jetty.addConnector((server, httpConfig) -> {
        connector = httpsConnector(server, httpConfig);
        return connector;
      });
      routes.install(config.routes);
      new SmdpRoutes(smdp).install(config.routes);
    }).start();
    port = connector.getLocalPort();
    // From now on the port is fixed, so an outage ends on the same address.
    connector.setPort(port);
    LOG.info("MSP simulator {} serving {}", settings.mspId(), baseUrl());
    return this;
  }

  private ServerConnector httpsConnector(org.eclipse.jetty.server.Server server, HttpConfiguration httpConfig) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(Tls.serverContext(serverIdentity, trustedClientCas));
    ssl.setNeedClientAuth(true);
    HttpConfiguration https = new HttpConfiguration(httpConfig);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // Clients reach us on 127.0.0.1, for which no SNI name is sent; the certificate names it anyway.
    secure.setSniHostCheck(false);
    https.addCustomizer(secure);
    ServerConnector c = new ServerConnector(server, ssl, new HttpConnectionFactory(https));
    c.setHost("127.0.0.1");
    c.setPort(port);
    return c;
  }

  /** https://127.0.0.1:port: the base URL to which /v1/... is appended. */
  public URI baseUrl() {
    return URI.create("https://127.0.0.1:" + port);
  }

  public Settings settings() {
    return settings;
  }

  public SmdpStub smdp() {
    return smdp;
  }

  /** Where vehicles download from this simulator's SM-DP+ stub over HTTPS (POST, see {@code SmdpRoutes}). */
  public URI smdpDownloadUrl() {
    return baseUrl().resolve(SmdpRoutes.PATH);
  }

  public Faults faults() {
    return faults;
  }

  /** An outage: the connector stops, so connections are refused, until {@link #endOutage()}. */
  public synchronized void startOutage() throws Exception {
    connector.stop();
  }

  public synchronized void endOutage() throws Exception {
    connector.start();
  }

  /** A federated user with room for {@code poolSize} live profiles (§4.3.1). */
  public void createUser(String mspToken, int poolSize) {
    pools.put(mspToken.toLowerCase(Locale.ROOT), new ProfilePool(mspToken, poolSize));
  }

  /** A later hook of the MSP's own (e.g. its network saw the profile attach): enabled or disabled. */
  public boolean setProfileState(String mspToken, String iccid, ProfileState state) {
    ProfilePool pool = pools.get(mspToken.toLowerCase(Locale.ROOT));
    return pool != null && pool.setState(iccid, state);
  }

  /**
   * The MSP deletes a profile on its side without the CMP hearing of it (a lost notification, a support case of
   * Annex A.5): the divergence that §4.6 Profile Status Synchronization exists to repair; the profile is no longer
   * in the list Request profile status (§7.1.11) answers. False when the user has no such live profile.
   */
  public boolean dropProfile(String mspToken, String iccid) {
    ProfilePool pool = pools.get(mspToken.toLowerCase(Locale.ROOT));
    return pool != null && pool.drop(iccid);
  }

  public Optional<ProfileState> profileState(String mspToken, String iccid) {
    return Optional.ofNullable(pools.get(mspToken.toLowerCase(Locale.ROOT))).flatMap(p -> p.state(iccid));
  }

  public boolean userValid(String mspToken) {
    ProfilePool pool = pools.get(mspToken.toLowerCase(Locale.ROOT));
    return pool != null && pool.valid();
  }

  /** Every request received so far, in order of completion. */
  public List<RecordedRequest> requests() {
    return new ArrayList<>(requests);
  }

  public List<RecordedRequest> requests(Predicate<RecordedRequest> filter) {
    return requests.stream().filter(filter).toList();
  }

  public void clearRequests() {
    requests.clear();
  }

  /**
   * The user's pool; with {@link Builder#usersOnDemand} an msp_token the simulator has not seen gets a new one,
   * since the users of a simulator serving the platform were onboarded from elsewhere (another process).
   */
  private ProfilePool pool(String mspToken) {
    String key = mspToken.toLowerCase(Locale.ROOT);
    return usersOnDemand > 0
        ? pools.computeIfAbsent(key, unused -> new ProfilePool(mspToken, usersOnDemand))
        : pools.get(key);
  }

  private Answer activationCodeRequest(String mspToken, JsonNode body) {
    ProfilePool pool = pool(mspToken);
    if (pool == null) {
      throw MspApiError.unknownToken();
    }
    String eid = body.get("eid").asText();
    if (!eid.matches("[0-9A-Za-z]{32}")) {
      throw new MspApiError(423, "49", "Invalid eid");
    }
    String replaceIccid = body.hasNonNull("replaceIccid") ? body.get("replaceIccid").asText() : null;
    ProfilePool.Issued issued = pool.issue(nextIccid(), replaceIccid);
    String code = smdp.bind(eid, issued.iccid());
    String profileType = body.get("profileType").asText();
    if (settings.mode() == ResponseMode.SYNC) {
      ObjectNode out = JSON.createObjectNode()
          .put("iccid", issued.iccid())
          .put("activationCode", code)
          .put("profileType", profileType)
          .put("swappedIccid", issued.swappedIccid());
      return new Answer(200, out);
    }
    SendActivationCode later = new SendActivationCode(mspToken, issued.iccid(), code, profileType,
        body.get("activationCodeRequestID").asText(), issued.swappedIccid(), null);
    // §7.1.8.2: the 201 goes out first; the code follows by Send activation code.
    asyncDelivery.schedule(() -> deliver(later), settings.asyncDelay().toMillis(), TimeUnit.MILLISECONDS);
    return new Answer(201, null);
  }

  private void deliver(SendActivationCode message) {
    try {
      sink.deliver(message);
    } catch (RuntimeException e) {
      LOG.warn("MSP simulator {}: Send activation code failed: {}", settings.mspId(), e.toString());
    }
  }

  private static String nextIccid() {
    return "8949" + String.format("%016d", ICCIDS.incrementAndGet() % 10_000_000_000_000_000L);
  }

  @Override
  public synchronized void close() {
    asyncDelivery.shutdownNow();
    if (app != null) {
      app.stop();
      app = null;
    }
  }

  /** Builds a {@link MspSimulator}; api-key authentication unless {@link #basicAuth} is set. */
  public static final class Builder {
    private String mspId = "msp1";
    private String cmpId = "aidcmp";
    private String apiKey = "simulatorApiKey1";
    private String basicUser;
    private String basicPassword;
    private ResponseMode mode = ResponseMode.SYNC;
    private Duration asyncDelay = Duration.ofMillis(20);
    private int asyncSenders = 16;
    private Identity serverIdentity;
    private List<X509Certificate> trustedClientCas = List.of();
    private AsyncActivationCodeSink sink = m -> LOG.info("no sink for {}", m);
    private SmdpStub smdp = new SmdpStub();
    private int usersOnDemand;
    private int port;

    /** This MSP's id: the target-id the CMP must send (§5.1.1). */
    public Builder mspId(String mspId) {
      this.mspId = mspId;
      return this;
    }

    /** The CMP's id: the client-id the CMP must send. */
    public Builder cmpId(String cmpId) {
      this.cmpId = cmpId;
      return this;
    }

    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      this.basicUser = null;
      return this;
    }

    public Builder basicAuth(String user, String password) {
      this.basicUser = user;
      this.basicPassword = password;
      return this;
    }

    public Builder mode(ResponseMode mode) {
      this.mode = mode;
      return this;
    }

    public Builder asyncDelay(Duration delay) {
      this.asyncDelay = delay;
      return this;
    }

    /** How many Send activation code calls may be under way at once (default 16), as separate requests. */
    public Builder asyncSenders(int senders) {
      if (senders < 1) {
        throw new IllegalArgumentException("at least one sender");
      }
      this.asyncSenders = senders;
      return this;
    }

    /** The server certificate the CMP must trust, and the CAs whose client certificates this MSP accepts. */
    public Builder tls(Identity serverIdentity, List<X509Certificate> trustedClientCas) {
      this.serverIdentity = serverIdentity;
      this.trustedClientCas = trustedClientCas;
      return this;
    }

    public Builder asyncSink(AsyncActivationCodeSink sink) {
      this.sink = sink;
      return this;
    }

    public Builder smdp(SmdpStub smdp) {
      this.smdp = smdp;
      return this;
    }

    /**
     * Every msp_token the CMP names gets a pool of {@code poolSize} profiles on its first call, without
     * {@link MspSimulator#createUser}; 0 (the default): an unknown token is 404 code 20.
     */
    public Builder usersOnDemand(int poolSize) {
      if (poolSize < 0) {
        throw new IllegalArgumentException("pool size must not be negative");
      }
      this.usersOnDemand = poolSize;
      return this;
    }

    /** 0 (the default): a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public MspSimulator build() {
      return new MspSimulator(this);
    }
  }
}
