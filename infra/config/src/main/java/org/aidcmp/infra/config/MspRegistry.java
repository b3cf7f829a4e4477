package org.aidcmp.infra.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The MSPs this CMP is federated with, one entry each, read from the configuration under
 * {@code msp.<id>.<field>} with {@code msp.ids} listing them (DESIGN.md, infra: "an MSP registry entry per
 * MSP"). Secrets belong in environment overrides, not in the file.
 */
public final class MspRegistry {

  /** How the CMP authenticates to an MSP's API (§6): the MSP chooses. */
  public enum OutboundAuth { API_KEY, BASIC }

  /** How an MSP encrypts phone numbers (§7.1.4, agreed per MSP): AES-GCM by default, AES-CBC selectable. */
  public enum PhoneCipher { AES_GCM, AES_CBC }

  /**
   * One MSP.
   *
   * @param id our name for the MSP
   * @param clientId the client-id the MSP sends us (§5.1.1) and the target-id we send it
   * @param baseUrl the base of the MSP's API, to which /v1/... is appended (§7.1.8 - §7.1.11)
   * @param outboundAuth how we authenticate to the MSP, with apiKey or basicUser / basicPassword
   * @param inboundApiKey the api-key we issued to the MSP, which it sends us (§6)
   * @param clientCertificateSha256 the SHA-256 fingerprint (hex) of the MSP's client certificate, pinned
   * @param accountIdSecret the msp-specific-secret of the account id's HS256 signature (§5.1.2)
   * @param phoneKey the AES key of phone number encryption (§7.1.4)
   * @param redirectDomains agreed redirect domain patterns, e.g. {@code *.msp.de} (§7.1.1 - §7.1.3)
   * @param touchpointUrl the MSP touchpoint the user is redirected to for onboarding (§7.1.1)
   * @param withdrawUrl the MSP touchpoint for withdraw onboarding (§4.4.1 [6]), if any
   * @param csimStatusesToForward which statuses go to this MSP by Send CSIM status (§7.1.9)
   * @param serverCa PEM file of the CA(s) that sign this MSP's server certificate, which the CMP must trust
   *     (§6); null: the CMP's default ({@code egress.tls.trusted})
   * @param clientIdentity PEM file of the key and certificate chain the CMP presents to this MSP (§6); null:
   *     the CMP's default ({@code egress.tls.identity})
   */
  public record Msp(
      String id,
      String clientId,
      URI baseUrl,
      OutboundAuth outboundAuth,
      String apiKey,
      String basicUser,
      String basicPassword,
      String inboundApiKey,
      String clientCertificateSha256,
      byte[] accountIdSecret,
      byte[] phoneKey,
      PhoneCipher phoneCipher,
      List<String> redirectDomains,
      URI touchpointUrl,
      URI withdrawUrl,
      Set<String> csimStatusesToForward,
      Path serverCa,
      Path clientIdentity) {

    /** An MSP the CMP calls with its default TLS trust and client certificate. */
    public Msp(String id, String clientId, URI baseUrl, OutboundAuth outboundAuth, String apiKey, String basicUser,
               String basicPassword, String inboundApiKey, String clientCertificateSha256, byte[] accountIdSecret,
               byte[] phoneKey, PhoneCipher phoneCipher, List<String> redirectDomains, URI touchpointUrl,
               URI withdrawUrl, Set<String> csimStatusesToForward) {
      this(id, clientId, baseUrl, outboundAuth, apiKey, basicUser, basicPassword, inboundApiKey,
          clientCertificateSha256, accountIdSecret, phoneKey, phoneCipher, redirectDomains, touchpointUrl, withdrawUrl,
          csimStatusesToForward, null, null);
    }

    /** Secrets never reach a log line. */
    @Override
    public String toString() {
      return "Msp[" + id + ", clientId=" + clientId + ", baseUrl=" + baseUrl + "]";
    }
  }

  private final String cmpId;
  private final Map<String, Msp> byId;

  private MspRegistry(String cmpId, Map<String, Msp> byId) {
    this.cmpId = cmpId;
    this.byId = byId;
  }

  public static MspRegistry of(String cmpId, List<Msp> msps) {
    Map<String, Msp> byId = new LinkedHashMap<>();
    msps.forEach(m -> byId.put(m.id(), m));
    return new MspRegistry(cmpId, java.util.Collections.unmodifiableMap(byId));
  }

  public static MspRegistry from(AidConfig config) {
    List<Msp> msps = new ArrayList<>();
    for (String id : config.get("msp.ids").map(s -> List.of(s.split(","))).orElse(List.of())) {
      String msp = id.trim();
      if (!msp.isEmpty()) {
        msps.add(read(config, msp));
      }
    }
    return of(config.get("cmp.id").orElse("aidcmp"), msps);
  }

  private static Msp read(AidConfig config, String id) {
    String p = "msp." + id + ".";
    OutboundAuth auth = OutboundAuth.valueOf(
        config.get(p + "outbound-auth").orElse("API_KEY").toUpperCase(Locale.ROOT).replace('-', '_'));
    return new Msp(
        id,
        config.require(p + "client-id"),
        URI.create(config.require(p + "base-url")),
        auth,
        config.get(p + "api-key").orElse(null),
        config.get(p + "basic-user").orElse(null),
        config.get(p + "basic-password").orElse(null),
        config.require(p + "inbound-api-key"),
        config.get(p + "client-certificate-sha256").map(s -> s.replace(":", "").toLowerCase(Locale.ROOT)).orElse(null),
        config.require(p + "account-id-secret").getBytes(java.nio.charset.StandardCharsets.UTF_8),
        Base64.getDecoder().decode(config.require(p + "phone-key")),
        PhoneCipher.valueOf(config.get(p + "phone-cipher").orElse("AES_GCM").toUpperCase(Locale.ROOT).replace('-', '_')),
        config.get(p + "redirect-domains").map(MspRegistry::list).orElse(List.of()),
        config.get(p + "touchpoint-url").map(URI::create).orElse(null),
        config.get(p + "withdraw-url").map(URI::create).orElse(null),
        config.get(p + "csim-statuses").map(s -> Set.copyOf(list(s.toUpperCase(Locale.ROOT))))
            .orElse(Set.of("DELETED")),
        config.get(p + "server-ca").map(Path::of).orElse(null),
        config.get(p + "client-identity").map(Path::of).orElse(null));
  }

  private static List<String> list(String commaSeparated) {
    return List.of(commaSeparated.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toList());
  }

  /** This CMP's id: the target-id MSPs must send us, and the client-id we send them (§5.1.1). */
  public String cmpId() {
    return cmpId;
  }

  public Optional<Msp> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Optional<Msp> byClientId(String clientId) {
    return byId.values().stream().filter(m -> m.clientId().equals(clientId)).findFirst();
  }

  public List<Msp> all() {
    return List.copyOf(byId.values());
  }
}
