package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;

/**
 * {@code aid msp onboard}: what a new MSP and this CMP exchange before the first call (AID.02 §6), made in one
 * step. From the MSP's client certificate (PEM) it computes the pin, makes the secrets the CMP gives the MSP
 * (inbound api-key, account-id secret, phone key), and writes a folder: the configuration block to add to
 * config/aid.properties, and the files to hand over (the CMP's server CA, the CMP's client certificate, the
 * secrets). Nothing is added to the configuration itself, and no secret is printed.
 */
final class MspOnboarding {
  /** msp.ids entries become configuration keys and environment names: keep them plain. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  /** §5.1.1: client-id and api-key are [A-Za-z0-9]. */
  private static final Pattern ALPHANUMERIC = Pattern.compile("[A-Za-z0-9]{1,256}");
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final char[] ALPHANUMERICS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  static final String SERVER_CA = "cmp-server-ca.pem";
  static final String CLIENT_CERTIFICATE = "cmp-client-certificate.pem";
  static final String SECRETS = "msp-secrets.properties";
  static final String README = "README.txt";

  /** What the operator says about the new MSP; null fields are optional ones left out. */
  record Request(String id, Path clientCertificate, URI baseUrl, String clientId, MspRegistry.OutboundAuth auth,
                 MspRegistry.PhoneCipher phoneCipher, Path serverCa, URI touchpointUrl, String redirectDomains,
                 URI withdrawUrl, Path folder) {}

  /** What was written: the folder, the block's file, and the pin. */
  record Kit(Path folder, Path configBlock, String pin, List<String> block) {}

  private final AidConfig config;
  private final MspRegistry msps;

  /** {@code config}: filled as {@code aid up} fills it, so the CMP's own certificates exist already. */
  MspOnboarding(AidConfig config, MspRegistry msps) {
    this.config = config;
    this.msps = msps;
  }

  Kit onboard(Request r) {
    if (!ID.matcher(r.id()).matches()) {
      throw new IllegalArgumentException("the MSP id '" + r.id() + "' must be letters, digits, - and _ (at most 64)");
    }
    if (msps.byId(r.id()).isPresent()) {
      throw new IllegalArgumentException("MSP '" + r.id() + "' is configured already (msp.ids): onboard a new id");
    }
    String clientId = r.clientId() != null ? r.clientId() : r.id().replaceAll("[^A-Za-z0-9]", "");
    if (!ALPHANUMERIC.matcher(clientId).matches()) {
      throw new IllegalArgumentException("--client-id must be letters and digits only (§5.1.1), not '" + clientId + "'");
    }
    msps.all().stream().filter(m -> m.clientId().equals(clientId)).findFirst().ifPresent(m -> {
      throw new IllegalArgumentException("client-id " + clientId + " is MSP " + m.id() + "'s already: give --client-id");
    });
    if (r.baseUrl() == null || !"https".equals(r.baseUrl().getScheme()) || r.baseUrl().getHost() == null) {
      throw new IllegalArgumentException("--base-url must be the MSP's https URL (its CESIM CMP API), e.g. "
          + "https://msp.example/api");
    }
    String pin = pin(r.clientCertificate());
    msps.all().stream().filter(m -> pin.equals(m.clientCertificateSha256())).findFirst().ifPresent(m -> {
      throw new IllegalArgumentException(r.clientCertificate() + " is pinned for MSP " + m.id() + " already");
    });
    if (r.serverCa() != null && certificates(r.serverCa(), "--server-ca").isEmpty()) {
      throw new IllegalArgumentException(r.serverCa() + " holds no PEM certificate (--server-ca)");
    }
    if (Files.exists(r.folder()) && !isEmptyDirectory(r.folder())) {
      throw new IllegalArgumentException(r.folder() + " exists and is not empty: remove it or give another --out");
    }

    String inboundApiKey = random(32);
    String accountIdSecret = random(48);
    byte[] phoneKey = new byte[32];
    RANDOM.nextBytes(phoneKey);
    String phoneKeyBase64 = Base64.getEncoder().encodeToString(phoneKey);

    List<String> block = block(r, clientId, pin, inboundApiKey, accountIdSecret, phoneKeyBase64);
    try {
      Files.createDirectories(r.folder());
      Pem.write(r.folder().resolve(SERVER_CA), Pem.certificates(List.of(cmpServerCa())));
      Pem.write(r.folder().resolve(CLIENT_CERTIFICATE), Pem.certificates(cmpClientChain()));
      Path configBlock = r.folder().resolve("aid.properties.msp-" + r.id());
      writeOwnerOnly(configBlock, String.join("\n", block) + "\n");
      writeOwnerOnly(r.folder().resolve(SECRETS), String.join("\n", List.of(
          "# The secrets CMP " + msps.cmpId() + " gives MSP " + r.id() + " (clientId " + clientId + "); hand over by a"
              + " secure channel.",
          "# api-key: the header of every call to the CMP (§5.1.1, §6).",
          "api-key=" + inboundApiKey,
          "# account-id-secret: the HS256 key account ids are signed with (§5.1.2), as UTF-8 bytes.",
          "account-id-secret=" + accountIdSecret,
          "# phone-key: the AES-256 key (Base64) phoneNumber is encrypted with, by phone-cipher (§7.1.4).",
          "phone-key=" + phoneKeyBase64,
          "phone-cipher=" + r.phoneCipher())) + "\n");
      Files.writeString(r.folder().resolve(README), readme(r, clientId, pin), StandardCharsets.UTF_8);
      return new Kit(r.folder(), configBlock, pin, masked(block, configBlock));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + r.folder() + ": " + e.getMessage(), e);
    }
  }

  private List<String> block(Request r, String clientId, String pin, String inboundApiKey, String accountIdSecret,
                             String phoneKey) {
    String p = "msp." + r.id() + ".";
    List<String> ids = new ArrayList<>(msps.all().stream().map(MspRegistry.Msp::id).toList());
    ids.add(r.id());
    List<String> b = new ArrayList<>(List.of(
        "# MSP " + r.id() + ", from aid msp onboard. Set msp.ids=" + String.join(",", ids) + " and add:",
        p + "client-id=" + clientId,
        p + "base-url=" + r.baseUrl(),
        p + "outbound-auth=" + r.auth()));
    if (r.auth() == MspRegistry.OutboundAuth.BASIC) {
      b.add("# The user and password the MSP gave for calling it: secrets, so set them in the environment: "
          + AidConfig.environmentName(p + "basic-user") + ", " + AidConfig.environmentName(p + "basic-password"));
    } else {
      b.add("# The api-key the MSP gave for calling it: a secret, so set it in the environment: "
          + AidConfig.environmentName(p + "api-key"));
    }
    b.add(p + "client-certificate-sha256=" + pin);
    b.add("# Secrets the CMP gives the MSP (also in " + SECRETS + "); or set them in the environment instead.");
    b.add(p + "inbound-api-key=" + inboundApiKey);
    b.add(p + "account-id-secret=" + accountIdSecret);
    b.add(p + "phone-key=" + phoneKey);
    b.add(p + "phone-cipher=" + r.phoneCipher());
    if (r.serverCa() != null) {
      b.add(p + "server-ca=" + r.serverCa().toAbsolutePath().normalize());
    } else {
      b.add("# The MSP's server certificate must be signed by a CA in egress.tls.trusted, or set " + p + "server-ca");
    }
    if (r.touchpointUrl() != null) {
      b.add(p + "touchpoint-url=" + r.touchpointUrl());
    }
    if (r.redirectDomains() != null) {
      b.add(p + "redirect-domains=" + r.redirectDomains());
    }
    if (r.withdrawUrl() != null) {
      b.add(p + "withdraw-url=" + r.withdrawUrl());
    }
    return b;
  }

  /** The block as printed: every secret value replaced by where it is. */
  private static List<String> masked(List<String> block, Path configBlock) {
    List<String> out = new ArrayList<>();
    for (String line : block) {
      int eq = line.indexOf('=');
      String key = eq > 0 && !line.startsWith("#") ? line.substring(0, eq) : "";
      boolean secret = key.endsWith(".inbound-api-key") || key.endsWith(".account-id-secret") || key.endsWith(".phone-key");
      out.add(secret ? key + "=(secret: see " + configBlock.getFileName() + ")" : line);
    }
    return out;
  }

  private String readme(Request r, String clientId, String pin) {
    String host = config.get("ingress.aid1.host").orElse("127.0.0.1");
    String url = "https://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":"
        + config.getInt("ingress.aid1.msp.port", 18443) + "/cesim/msp/v1";
    return String.join("\n", List.of(
        "Onboarding of MSP " + r.id() + " with CMP " + msps.cmpId() + " (AID.02 §6). See docs/msp-integration.md.",
        "",
        "For the MSP (hand over; " + SECRETS + " by a secure channel):",
        "  " + SERVER_CA + "           trust it for the CMP's server certificate (CMP CESIM MSP API)",
        "  " + CLIENT_CERTIFICATE + "   the certificate the CMP presents when it calls the MSP: trust or pin it",
        "  " + SECRETS + "       api-key, account-id-secret, phone-key and phone-cipher",
        "  headers: client-id=" + clientId + "  target-id=" + msps.cmpId(),
        "  AiD1 base URL (as this CMP is configured now): " + url,
        "",
        "For the CMP:",
        "  aid.properties.msp-" + r.id() + "  the block to add to config/aid.properties (then restart aid up)",
        "  pinned client certificate: " + r.clientCertificate().getFileName() + ", SHA-256 " + pin,
        ""));
  }

  /** The pin: SHA-256 of the DER certificate, hex, of the first certificate in the file. */
  private static String pin(Path file) {
    List<X509Certificate> chain = certificates(file, "--client-certificate");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    X509Certificate certificate = chain.get(0);
    try {
      certificate.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new IllegalArgumentException(file + ": the certificate expired on " + certificate.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new IllegalArgumentException(file + ": the certificate is valid only from "
          + certificate.getNotBefore().toInstant());
    }
    try {
      List<String> usages = certificate.getExtendedKeyUsage();
      if (usages != null && !usages.contains(CLIENT_AUTH)) {
        throw new IllegalArgumentException(file + ": the certificate is not for TLS clients (no clientAuth in its "
            + "extended key usage)");
      }
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException(file + ": the certificate's extended key usage cannot be read");
    }
    return Identity.sha256Fingerprint(certificate);
  }

  private static List<X509Certificate> certificates(Path file, String option) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read " + file + " (" + option + ")");
    }
    try {
      return Pem.readCertificates(Pem.read(file));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + " is not a PEM certificate file (" + option + ")");
    }
  }

  /** The top of the ingress server certificate's chain: what the MSP must trust for the CMP's server. */
  private X509Certificate cmpServerCa() {
    Path file = Path.of(config.require("ingress.aid1.tls.keystore"));
    char[] password = config.require("ingress.aid1.tls.keystore-password").toCharArray();
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      for (String alias : Collections.list(store.aliases())) {
        Certificate[] chain = store.getCertificateChain(alias);
        if (store.isKeyEntry(alias) && chain != null && chain.length > 0) {
          return (X509Certificate) chain[chain.length - 1];
        }
      }
      throw new IllegalArgumentException(file + " (ingress.aid1.tls.keystore) holds no key with a certificate chain");
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read " + file + " (ingress.aid1.tls.keystore): " + e.getMessage());
    }
  }

  /** The certificates (never the key) of the identity the CMP presents to MSPs. */
  private List<X509Certificate> cmpClientChain() {
    Path file = Path.of(config.require("egress.tls.identity"));
    List<X509Certificate> chain = certificates(file, "egress.tls.identity");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(file + " (egress.tls.identity) holds no certificate");
    }
    return chain;
  }

  private static boolean isEmptyDirectory(Path folder) {
    try (var entries = Files.list(folder)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static String random(int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(ALPHANUMERICS[RANDOM.nextInt(ALPHANUMERICS.length)]);
    }
    return b.toString();
  }

  private static void writeOwnerOnly(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  static MspRegistry.OutboundAuth auth(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "api-key", "api_key" -> MspRegistry.OutboundAuth.API_KEY;
      case "basic" -> MspRegistry.OutboundAuth.BASIC;
      default -> throw new IllegalArgumentException("--outbound-auth is api-key or basic, not '" + value + "'");
    };
  }

  static MspRegistry.PhoneCipher phoneCipher(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "aes-gcm", "aes_gcm" -> MspRegistry.PhoneCipher.AES_GCM;
      case "aes-cbc", "aes_cbc" -> MspRegistry.PhoneCipher.AES_CBC;
      default -> throw new IllegalArgumentException("--phone-cipher is aes-gcm or aes-cbc, not '" + value + "'");
    };
  }
}
