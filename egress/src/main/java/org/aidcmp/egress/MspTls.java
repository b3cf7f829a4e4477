package org.aidcmp.egress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.config.MspRegistry.Msp;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.Tls;

/**
 * The mutual-TLS context each MSP's lane calls with (§6, "MSP CESIM CMP API"): "The MSP provides the server
 * certificate, which must be trusted by the CMP" and "CMP provides the client certificate to the MSP". Both are
 * agreed per MSP, so each MSP gets its own trust ({@code msp.<id>.server-ca}) and may get its own client
 * certificate ({@code msp.<id>.client-identity}); an MSP without them gets the CMP's defaults
 * ({@code egress.tls.trusted}, {@code egress.tls.identity}). One MSP's CA is never trusted for another MSP.
 */
@FunctionalInterface
public interface MspTls {

  SSLContext context(Msp msp);

  /** One context for every MSP (tests, and a CMP whose MSPs all share one CA). */
  static MspTls same(SSLContext context) {
    return msp -> context;
  }

  /**
   * Every configured MSP's context, built now so a missing or unreadable file stops egress at start, naming the
   * key to fix, rather than failing the first call to that MSP.
   */
  static MspTls from(AidConfig config, MspRegistry msps) {
    Optional<Path> defaultIdentity = config.get("egress.tls.identity").map(Path::of);
    Optional<Path> defaultTrusted = config.get("egress.tls.trusted").map(Path::of);
    Map<Path, Identity> identities = new HashMap<>();
    Map<Path, List<X509Certificate>> trusted = new HashMap<>();
    Map<String, SSLContext> byMsp = new HashMap<>();
    for (Msp msp : msps.all()) {
      String ownIdentity = "msp." + msp.id() + ".client-identity";
      String ownCa = "msp." + msp.id() + ".server-ca";
      Path identityFile = Optional.ofNullable(msp.clientIdentity()).or(() -> defaultIdentity)
          .orElseThrow(() -> new IllegalArgumentException(ownIdentity + " or egress.tls.identity is required: the "
              + "PEM key and certificate chain the CMP presents to MSP " + msp.id() + " (AID.02 §6)"));
      Path caFile = Optional.ofNullable(msp.serverCa()).or(() -> defaultTrusted)
          .orElseThrow(() -> new IllegalArgumentException(ownCa + " or egress.tls.trusted is required: the PEM "
              + "CA certificate(s) that sign MSP " + msp.id() + "'s server certificate (AID.02 §6)"));
      String identityKey = msp.clientIdentity() != null ? ownIdentity : "egress.tls.identity";
      String caKey = msp.serverCa() != null ? ownCa : "egress.tls.trusted";
      Identity identity = identities.computeIfAbsent(identityFile, f -> readIdentity(f, identityKey));
      List<X509Certificate> cas = trusted.computeIfAbsent(caFile, f -> readCertificates(f, caKey));
      byMsp.put(msp.id(), Tls.clientContext(identity, cas));
    }
    return msp -> {
      SSLContext context = byMsp.get(msp.id());
      if (context == null) {
        throw new IllegalArgumentException("no TLS context for MSP " + msp.id());
      }
      return context;
    };
  }

  /**
   * TLS alerts by which the MSP refuses the CMP's client certificate (RFC 8446 §6.2); the JDK reports a received
   * alert as "Received fatal alert: " and the alert's name.
   */
  Set<String> CLIENT_CERTIFICATE_ALERTS = Set.of("bad_certificate", "unsupported_certificate",
      "certificate_revoked", "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied",
      "certificate_required");

  /**
   * A handshake that failed on a certificate. §6 makes both certificates a bilateral agreement made before any
   * call: a refusal is the transport's 401, not a passing fault. Another attempt would meet the same certificate
   * and the request never reached the MSP's API, so the command gives up at once, with a dead letter to redrive
   * once the configuration is fixed, instead of spending its retry budget and tripping the circuit breaker.
   */
  static boolean certificateRefused(Throwable failure) {
    return serverCertificateRefused(failure) || clientCertificateRefused(failure);
  }

  /** We refused the MSP's server certificate: not signed by the CA agreed for it, expired, or another host's. */
  static boolean serverCertificateRefused(Throwable failure) {
    return anyInChain(failure, MspTls::serverRefusedHere);
  }

  /** The MSP refused the CMP's client certificate. */
  static boolean clientCertificateRefused(Throwable failure) {
    return anyInChain(failure, MspTls::clientRefusedHere);
  }

  /**
   * HttpClient.send re-throws an async failure as a new exception of its kind with the original as its cause
   * (an SSLException or IOException around a handshake failure): look at every handshake failure in the chain.
   */
  private static boolean anyInChain(Throwable failure, java.util.function.Predicate<Throwable> test) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
      if (test.test(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean serverRefusedHere(Throwable failure) {
    if (!(failure instanceof SSLHandshakeException)) {
      return false;
    }
    for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof CertificateException || cause instanceof CertPathValidatorException
          || cause instanceof CertPathBuilderException) {
        return true;
      }
    }
    return false;
  }

  private static boolean clientRefusedHere(Throwable failure) {
    String message = failure instanceof SSLHandshakeException ? failure.getMessage() : null;
    String prefix = "Received fatal alert: ";
    return message != null && message.startsWith(prefix)
        && CLIENT_CERTIFICATE_ALERTS.contains(message.substring(prefix.length()).trim());
  }

  private static Identity readIdentity(Path file, String key) {
    try {
      return Pem.readIdentity(Pem.read(existing(file, key)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + file + " holds no PEM private key with its certificate chain: "
          + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> readCertificates(Path file, String key) {
    List<X509Certificate> certificates = Pem.readCertificates(Pem.read(existing(file, key)));
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(key + ": " + file + " holds no PEM certificate");
    }
    return certificates;
  }

  private static Path existing(Path file, String key) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(key + ": cannot read " + file);
    }
    return file;
  }
}
