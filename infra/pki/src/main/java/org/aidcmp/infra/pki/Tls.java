package org.aidcmp.infra.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * SSL contexts for mutual TLS (AID.02 §6: two-way TLS on every request). A server context only holds the
 * material; requiring a client certificate is the server socket's setting ({@code setNeedClientAuth(true)},
 * or Jetty's {@code SslContextFactory.Server.setNeedClientAuth}).
 */
public final class Tls {
  private static final char[] TRANSIENT_PASSWORD = "transient".toCharArray();

  private Tls() {}

  /** A server context presenting {@code server} and trusting client certificates issued by {@code trustedClientCas}. */
  public static SSLContext serverContext(Identity server, Collection<X509Certificate> trustedClientCas) {
    return context(server, trustedClientCas);
  }

  /**
   * A client context trusting servers issued by {@code trustedServerCas} and presenting {@code clientOrNull}
   * when the server asks for a certificate (null: none, the server will refuse if it needs one).
   */
  public static SSLContext clientContext(Identity clientOrNull, Collection<X509Certificate> trustedServerCas) {
    return context(clientOrNull, trustedServerCas);
  }

  /** A PKCS12 trust store holding the given certificates as trusted entries. */
  public static KeyStore trustStore(Collection<X509Certificate> certificates) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (X509Certificate certificate : certificates) {
        store.setCertificateEntry("trusted-" + i++, certificate);
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store", e);
    }
  }

  private static SSLContext context(Identity identity, Collection<X509Certificate> trusted) {
    if (trusted == null || trusted.isEmpty()) {
      // An empty trust store would silently trust nothing; say so at wiring time instead of at the first handshake.
      throw new IllegalArgumentException("at least one trusted certificate is needed");
    }
    try {
      KeyManager[] keyManagers = null;
      if (identity != null) {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(identity.keyStore(TRANSIENT_PASSWORD), TRANSIENT_PASSWORD);
        keyManagers = kmf.getKeyManagers();
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore(trusted));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, tmf.getTrustManagers(), new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build an SSL context", e);
    }
  }
}
