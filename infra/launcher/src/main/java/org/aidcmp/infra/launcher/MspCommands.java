package org.aidcmp.infra.launcher;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.msp.CmpActivationCodeSink;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.msp.RecordedRequest;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.PhoneNumberCipher;

/**
 * {@code aid msp}: the MSP side of AiD1 from the command line, for the platform {@code aid up} runs on the same
 * configuration and data directory. {@code serve} runs a simulator of a configured MSP that the platform's egress
 * calls; the one-shot commands call the platform's AiD1 API as that MSP. Everything an MSP entry needs comes from
 * {@code msp.<id>.*} and the local credentials ({@link DevCredentials}), so trying the platform takes no setup
 * beyond the MSP's entry. Prints statuses and bodies, never a phone number, activation code or secret.
 */
final class MspCommands {
  static final String USAGE = """
      usage: aid [--config FILE] msp COMMAND MSP_ID [options]      (MSP_ID: one of msp.ids)

        onboard NEW_MSP_ID --client-certificate FILE --base-url URL [--client-id ID]
            [--outbound-auth api-key|basic] [--phone-cipher aes-gcm|aes-cbc] [--server-ca FILE]
            [--touchpoint-url URL] [--redirect-domains LIST] [--withdraw-url URL] [--out DIR]
            a new MSP (not in msp.ids yet): pins the MSP's client certificate (PEM; the pin is the SHA-256 of
            its DER, hex), makes the secrets the CMP gives it, and writes to DIR (default
            <aid.data.dir>/onboarding/NEW_MSP_ID) the block to add to config/aid.properties and the files to
            hand over: the CMP's server CA, the CMP's client certificate, the secrets (docs/msp-integration.md)

        serve MSP_ID [--mode sync|async] [--pool N] [--port P]
            a simulator of the MSP until Ctrl-C: the api-key or basic auth, client-id and target-id of
            msp.MSP_ID.*, a server certificate from the local CA, accepting the CMP's client certificate.
            egress calls it at msp.MSP_ID.base-url, so --port (default: that URL's port) must match it.
            async (the default) answers Request activation code with 201 and sends the code back to the
            platform by Send activation code; --pool N: live profiles per user (default 2, then swaps)
        send-token MSP_ID --account-id ACCOUNT_ID|REDIRECT_URL [--msp-token T] [--phone-number N]
            [--subscription-type private|business|unknown] [--customer-group G] [--error TEXT]
            §7.1.4 Send MSP token; a new msp_token unless given (printed); the phone number goes encrypted
        notify-invalid MSP_ID --msp-token T [--reason R]                                       §7.1.5
        send-profile-info MSP_ID --msp-token T --iccid ICCID --status invalid|valid|suspended [--reason R]
                                                                                              §7.1.6
        update-subscription MSP_ID --msp-token T [--phone-number N] [--subscription-type S]
            [--customer-group G]                                                              §7.1.7

      Calls go to https://127.0.0.1:<ingress.aid1.msp.port>/cesim/msp/v1 with the MSP's client certificate
      <aid.data.dir>/pki/msp-MSP_ID-client.pem, which aid up issues and pins while
      msp.MSP_ID.client-certificate-sha256 is empty (start aid up after adding the MSP). --cmp-ca FILE: trust
      another CA than the local one for the platform's server certificate.
      """;

  /** A simulator running as {@code aid msp serve} runs it; {@code activationCodes} is null in sync mode. */
  record Served(MspSimulator simulator, CmpActivationCodeSink activationCodes) implements AutoCloseable {
    @Override
    public void close() {
      simulator.close();
    }
  }

  private static final Map<String, Set<String>> OPTIONS = Map.of(
      "onboard", Set.of("client-certificate", "base-url", "client-id", "outbound-auth", "phone-cipher", "server-ca",
          "touchpoint-url", "redirect-domains", "withdraw-url", "out"),
      "serve", Set.of("mode", "pool", "port", "cmp-ca"),
      "send-token", Set.of("account-id", "msp-token", "phone-number", "subscription-type", "customer-group",
          "error", "cmp-ca"),
      "notify-invalid", Set.of("msp-token", "reason", "cmp-ca"),
      "send-profile-info", Set.of("msp-token", "iccid", "status", "reason", "cmp-ca"),
      "update-subscription", Set.of("msp-token", "phone-number", "subscription-type", "customer-group", "cmp-ca"));

  private final AidConfig config;
  private final Path data;
  private final MspRegistry msps;
  private final PrintStream out;

  /** {@code base}: the configuration as loaded; the local credentials are filled in as {@code aid up} does. */
  MspCommands(AidConfig base, PrintStream out) {
    this.data = Path.of(base.get("aid.data.dir").orElse(".aid/data"));
    this.config = DevCredentials.fill(base, data);
    this.msps = MspRegistry.from(config);
    this.out = out;
  }

  /** One command; {@code args} start with its name (help is answered before the credentials are touched). */
  int run(List<String> args) throws InterruptedException {
    String command = args.get(0);
    try {
      if (!OPTIONS.containsKey(command)) {
        throw new IllegalArgumentException("unknown command '" + command + "' (aid msp help lists them)");
      }
      if (command.equals("onboard")) {
        if (args.size() < 2 || args.get(1).startsWith("--")) {
          throw new IllegalArgumentException("onboard needs the new MSP's id (aid msp help)");
        }
        return onboard(args.get(1), options(command, args.subList(2, args.size())));
      }
      if (args.size() < 2 || args.get(1).startsWith("--")) {
        throw new IllegalArgumentException(command + " needs the MSP's id, one of msp.ids: " + ids());
      }
      MspRegistry.Msp msp = msp(args.get(1));
      Map<String, String> o = options(command, args.subList(2, args.size()));
      Path cmpCa = o.containsKey("cmp-ca") ? Path.of(o.get("cmp-ca")) : null;
      if (command.equals("serve")) {
        return serveUntilStopped(msp, mode(o.getOrDefault("mode", "async")), number(o, "pool", 2),
            o.containsKey("port") ? number(o, "port", 0) : null, cmpCa);
      }
      CmpClient cmp = cmpClient(msp, cmpCa);
      CmpClient.Answer answer = switch (command) {
        case "send-token" -> sendToken(cmp, msp, o);
        case "notify-invalid" -> cmp.notifyMspTokenInvalid(required(o, "msp-token"), o.get("reason"));
        case "send-profile-info" -> cmp.sendProfileInformation(required(o, "msp-token"), List.of(
            new CmpClient.ProfileInformation(required(o, "iccid"), required(o, "status"), o.get("reason"))));
        case "update-subscription" -> cmp.updateSubscriptionInfo(required(o, "msp-token"),
            new CmpClient.UpdateSubscriptionInfo(o.get("phone-number"), o.get("subscription-type"),
                o.get("customer-group")));
        default -> throw new IllegalStateException(command);
      };
      out.println("HTTP " + answer.status());
      if (!answer.body().isEmpty()) {
        out.println(answer.body().toPrettyString());
      }
      return answer.successful() ? 0 : 1;
    } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
      System.err.println("aid msp: " + e.getMessage());
      return 2;
    } catch (java.io.IOException e) {
      System.err.println("aid msp: no answer from the platform at " + aid1Url() + " (is aid up running?): " + e);
      return 1;
    }
  }

  private int onboard(String id, Map<String, String> o) {
    MspOnboarding.Request request = new MspOnboarding.Request(id,
        Path.of(required(o, "client-certificate")),
        uri(o, "base-url", true),
        o.get("client-id"),
        MspOnboarding.auth(o.getOrDefault("outbound-auth", "api-key")),
        MspOnboarding.phoneCipher(o.getOrDefault("phone-cipher", "aes-gcm")),
        o.containsKey("server-ca") ? Path.of(o.get("server-ca")) : null,
        uri(o, "touchpoint-url", false),
        o.get("redirect-domains"),
        uri(o, "withdraw-url", false),
        o.containsKey("out") ? Path.of(o.get("out")) : data.resolve("onboarding").resolve(id));
    MspOnboarding.Kit kit = new MspOnboarding(config, msps).onboard(request);
    out.println("aid msp: MSP " + id + " onboarded; client certificate pinned, SHA-256 " + kit.pin());
    out.println("  add to config/aid.properties (the block with its secrets: " + kit.configBlock() + "):");
    kit.block().forEach(line -> out.println("    " + line));
    out.println("  hand over to the MSP, from " + kit.folder() + ": " + MspOnboarding.SERVER_CA + ", "
        + MspOnboarding.CLIENT_CERTIFICATE + ", " + MspOnboarding.SECRETS + " (secret: by a secure channel)");
    out.println("  then restart aid up; " + MspOnboarding.README + " there says what each file is for.");
    return 0;
  }

  private static URI uri(Map<String, String> options, String name, boolean isRequired) {
    String value = isRequired ? required(options, name) : options.get(name);
    if (value == null) {
      return null;
    }
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new java.net.URISyntaxException(value, "no scheme or host");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("--" + name + " must be an absolute URL, not '" + value + "'");
    }
  }

  private CmpClient.Answer sendToken(CmpClient cmp, MspRegistry.Msp msp, Map<String, String> o)
      throws java.io.IOException, InterruptedException {
    String accountId = accountId(required(o, "account-id"));
    if (o.containsKey("error")) {
      return cmp.sendMspToken(accountId, CmpClient.SendMspToken.refused(o.get("error")));
    }
    String token = o.containsKey("msp-token") ? o.get("msp-token") : UUID.randomUUID().toString();
    CmpClient.Answer answer = cmp.sendMspToken(accountId, new CmpClient.SendMspToken(token, o.get("phone-number"),
        o.getOrDefault("subscription-type", "private"), o.get("customer-group"), null));
    if (!o.containsKey("msp-token")) {
      out.println("msp_token " + token); // the one the later commands name
    }
    return answer;
  }

  // serve ------------------------------------------------------------------------------------------------

  private int serveUntilStopped(MspRegistry.Msp msp, MspSimulator.ResponseMode mode, int pool, Integer port,
                                Path cmpCa) throws InterruptedException {
    Served served;
    try {
      served = serve(msp.id(), mode, pool, port, cmpCa);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot serve MSP " + msp.id() + ": " + e.getMessage(), e);
    }
    URI url = served.simulator().baseUrl();
    out.printf("aid msp: MSP %s (client-id %s) serving %s, %s, %d live profiles per user%n", msp.id(),
        msp.clientId(), url, mode.name().toLowerCase(Locale.ROOT), pool);
    if (msp.baseUrl().getPort() != url.getPort() || !List.of("", "/").contains(path(msp.baseUrl()))) {
      out.printf("  egress calls %s: set msp.%s.base-url=%s (%s) and restart aid up%n", msp.baseUrl(), msp.id(), url,
          AidConfig.environmentName("msp." + msp.id() + ".base-url"));
    } else {
      out.printf("  egress calls it at msp.%s.base-url = %s%n", msp.id(), msp.baseUrl());
    }
    if (!egressTrustsLocalCa(msp)) {
      out.printf("  warning: egress trusts %s for this MSP, which does not hold the local CA %s that signed this "
          + "simulator's certificate%n", serverCaFile(msp), DevCredentials.localCa(data));
    }
    if (served.activationCodes() != null) {
      out.printf("  activation codes go back by Send activation code to %s%n", aid1Url());
    }
    out.println("  Ctrl-C stops it.");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      served.close();
      stopped.countDown();
    }, "aid-msp-stop"));
    // What the CMP asked, as it happens: the call, its answer and its CMP-request-id; never bodies.
    int shown = 0;
    while (!stopped.await(500, TimeUnit.MILLISECONDS)) {
      List<RecordedRequest> requests = served.simulator().requests();
      for (RecordedRequest r : requests.subList(Math.min(shown, requests.size()), requests.size())) {
        out.printf("%s %s -> %d (CMP-request-id %s)%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS), r.call(),
            r.status(), r.cmpRequestId());
      }
      shown = requests.size();
    }
    return 0;
  }

  /**
   * Starts a simulator of MSP {@code id} exactly as {@code aid msp serve} does: its checks from
   * {@code msp.<id>.*}, a server certificate from the local CA, the CMP's client certificate's CA trusted, and
   * (async) its codes sent to the platform through {@link CmpClient}. {@code port} null: the base URL's port.
   */
  Served serve(String id, MspSimulator.ResponseMode mode, int pool, Integer port, Path cmpCa) {
    return serve(id, mode, pool, port, cmpCa, null);
  }

  /**
   * As above; {@code codeSink} (async) delivers the activation codes instead of the default one (6 tries): the
   * cluster drill's MSP keeps trying through a broker's and the services' restarts on a loaded machine.
   */
  Served serve(String id, MspSimulator.ResponseMode mode, int pool, Integer port, Path cmpCa,
      java.util.function.Function<CmpClient, CmpActivationCodeSink> codeSink) {
    MspRegistry.Msp msp = msp(id);
    String host = msp.baseUrl().getHost() == null ? "127.0.0.1" : msp.baseUrl().getHost();
    boolean ipLiteral = host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+\\]?");
    Identity server = DevCredentials.authority(data).issueServer("msp-" + id,
        ipLiteral ? List.of() : List.of(host), ipLiteral ? List.of(host.replace("[", "").replace("]", "")) : List.of());
    MspSimulator.Builder b = MspSimulator.builder()
        .mspId(msp.clientId())
        .cmpId(msps.cmpId())
        .mode(mode)
        .usersOnDemand(pool)
        .port(port != null ? port : (msp.baseUrl().getPort() > 0 ? msp.baseUrl().getPort() : 443))
        .tls(server, cmpClientCas(msp));
    if (msp.outboundAuth() == MspRegistry.OutboundAuth.BASIC) {
      if (msp.basicUser() == null || msp.basicPassword() == null) {
        throw new IllegalArgumentException("msp." + id + ".basic-user and basic-password are required for BASIC");
      }
      b.basicAuth(msp.basicUser(), msp.basicPassword());
    } else {
      if (msp.apiKey() == null) {
        throw new IllegalArgumentException("msp." + id + ".api-key is required: the key the CMP sends this MSP");
      }
      b.apiKey(msp.apiKey());
    }
    CmpActivationCodeSink sink = null;
    if (mode == MspSimulator.ResponseMode.ASYNC) {
      CmpClient cmp = cmpClient(msp, cmpCa);
      sink = codeSink == null ? new CmpActivationCodeSink(cmp) : codeSink.apply(cmp);
      // The sink is thread-safe: the simulator sends its codes at once, as a real MSP would (one after another,
      // a code retried while lifecycle-streams restarts held back every later one: the streams-kill drill).
      b.asyncSink(sink);
    }
    return new Served(b.build().start(), sink);
  }

  /** The CA of the client certificate the CMP presents to this MSP: the one certificate the simulator trusts. */
  private List<X509Certificate> cmpClientCas(MspRegistry.Msp msp) {
    Path file = msp.clientIdentity() != null ? msp.clientIdentity() : Path.of(config.require("egress.tls.identity"));
    List<X509Certificate> chain = Pem.readCertificates(Pem.read(file));
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no certificate");
    }
    return List.of(chain.get(chain.size() - 1));
  }

  private Path serverCaFile(MspRegistry.Msp msp) {
    return msp.serverCa() != null ? msp.serverCa() : Path.of(config.require("egress.tls.trusted"));
  }

  private boolean egressTrustsLocalCa(MspRegistry.Msp msp) {
    X509Certificate local = DevCredentials.authority(data).certificate();
    return Pem.readCertificates(Pem.read(serverCaFile(msp))).contains(local);
  }

  // calling the platform ---------------------------------------------------------------------------------

  /** MSP {@code id} calling the platform's AiD1 API, as {@code aid msp} does; {@code cmpCa} null: the local CA. */
  CmpClient cmpClient(String id, Path cmpCa) {
    return cmpClient(msp(id), cmpCa);
  }

  private CmpClient cmpClient(MspRegistry.Msp msp, Path cmpCa) {
    Path file = DevCredentials.mspClient(data, msp.id());
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("no client certificate for MSP " + msp.id() + " in " + file + ": aid up "
          + "issues it while ingress.aid1.tls.keystore and msp." + msp.id() + ".client-certificate-sha256 are empty");
    }
    Identity identity = Pem.readIdentity(Pem.read(file));
    if (!identity.sha256Fingerprint().equals(msp.clientCertificateSha256())) {
      throw new IllegalArgumentException("msp." + msp.id() + ".client-certificate-sha256 pins another certificate "
          + "than " + file + ": set it to " + identity.sha256Fingerprint() + " or leave it empty, and restart aid up");
    }
    List<X509Certificate> trusted = Pem.readCertificates(Pem.read(cmpCa != null ? cmpCa : DevCredentials.localCa(data)));
    return CmpClient.builder()
        .baseUrl(aid1Url())
        .clientId(msp.clientId())
        .cmpId(msps.cmpId())
        .apiKey(msp.inboundApiKey())
        .phoneKey(msp.phoneKey(), PhoneNumberCipher.Algorithm.valueOf(msp.phoneCipher().name()))
        .tls(identity, trusted)
        .build();
  }

  /** Where the platform serves AiD1 for MSPs. */
  URI aid1Url() {
    String host = config.get("ingress.aid1.host").orElse("127.0.0.1");
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return URI.create("https://" + host + ":" + config.getInt("ingress.aid1.msp.port", 18443) + "/cesim/msp/v1");
  }

  // arguments --------------------------------------------------------------------------------------------

  private MspRegistry.Msp msp(String id) {
    return msps.byId(id).orElseThrow(() -> new IllegalArgumentException("no MSP '" + id + "' configured; msp.ids: "
        + ids()));
  }

  private String ids() {
    List<String> ids = msps.all().stream().map(MspRegistry.Msp::id).toList();
    return ids.isEmpty() ? "(none: add one to config/aid.properties, see msp.ids)" : String.join(", ", ids);
  }

  private static Map<String, String> options(String command, List<String> args) {
    Map<String, String> options = new HashMap<>();
    Set<String> allowed = OPTIONS.get(command);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg.startsWith("--") ? arg.substring(2) : null;
      if (name == null || !allowed.contains(name)) {
        throw new IllegalArgumentException("'" + arg + "' is not an option of " + command + " (options: --"
            + String.join(", --", new ArrayList<>(new java.util.TreeSet<>(allowed))) + ")");
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      options.put(name, args.get(++i));
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

  private static int number(Map<String, String> options, String name, int defaultValue) {
    String value = options.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(value);
      if (n < 0 || (name.equals("pool") && n < 1)) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a positive number, not '" + value + "'");
    }
  }

  private static MspSimulator.ResponseMode mode(String value) {
    return switch (value) {
      case "sync" -> MspSimulator.ResponseMode.SYNC;
      case "async" -> MspSimulator.ResponseMode.ASYNC;
      default -> throw new IllegalArgumentException("--mode is sync or async, not '" + value + "'");
    };
  }

  /** The account id itself, or the §7.1.1 redirect URL that carries it in its id parameter. */
  static String accountId(String value) {
    if (!value.startsWith("https://") && !value.startsWith("http://")) {
      return value;
    }
    String query = URI.create(value).getRawQuery();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      if (pair.startsWith("id=")) {
        return java.net.URLDecoder.decode(pair.substring(3), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    throw new IllegalArgumentException("the redirect URL has no id parameter: pass the account id itself");
  }

  private static String path(URI uri) {
    return uri.getPath() == null ? "" : uri.getPath();
  }
}
