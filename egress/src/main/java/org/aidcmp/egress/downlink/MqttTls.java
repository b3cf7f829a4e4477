package org.aidcmp.egress.downlink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.Tls;

/**
 * TLS towards the MQTT broker: whom to trust (the broker's CA) and, where the broker asks for one, the client
 * certificate to present. Plain JDK factories, so the publisher does not care how they were issued (the local CA
 * of {@code aid up}, a production PKI, a key store).
 *
 * @param keyManagers the client key and certificate chain; null: no client certificate
 * @param trustManagers the CAs trusted for the broker's server certificate
 */
public record MqttTls(KeyManagerFactory keyManagers, TrustManagerFactory trustManagers) {
  private static final char[] TRANSIENT_PASSWORD = "transient".toCharArray();

  public MqttTls {
    Objects.requireNonNull(trustManagers, "trustManagers");
  }

  /** Trusting {@code trustedCas}; presenting {@code clientOrNull} if not null. */
  public static MqttTls of(Identity clientOrNull, List<X509Certificate> trustedCas) {
    if (trustedCas == null || trustedCas.isEmpty()) {
      throw new IllegalArgumentException("at least one trusted CA certificate is needed for the MQTT broker");
    }
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(Tls.trustStore(trustedCas));
      KeyManagerFactory keys = null;
      if (clientOrNull != null) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(clientOrNull.keyStore(TRANSIENT_PASSWORD), TRANSIENT_PASSWORD);
      }
      return new MqttTls(keys, trust);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the TLS material for the MQTT broker", e);
    }
  }

  /**
   * From PEM files: {@code trustedFile} (CA certificates, required), {@code identityFileOrNull} (private key and
   * chain). A missing or unreadable file names the configuration key to fix.
   */
  static MqttTls fromPem(Path trustedFile, String trustedKey, Path identityFileOrNull, String identityKey) {
    List<X509Certificate> cas = Pem.readCertificates(read(trustedFile, trustedKey));
    if (cas.isEmpty()) {
      throw new IllegalArgumentException(trustedKey + ": no certificate in " + trustedFile);
    }
    Identity identity = identityFileOrNull == null ? null : Pem.readIdentity(read(identityFileOrNull, identityKey));
    return of(identity, cas);
  }

  private static String read(Path file, String key) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(key + ": cannot read " + file);
    }
    return Pem.read(file);
  }
}
