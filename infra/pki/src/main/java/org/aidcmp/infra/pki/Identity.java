package org.aidcmp.infra.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/**
 * A private key with its certificate and the chain up to (and including) the issuing CA: what a TLS server or
 * client presents.
 */
public record Identity(PrivateKey key, X509Certificate certificate, List<X509Certificate> chain) {

  public static final String ALIAS = "identity";

  public Identity {
    chain = List.copyOf(chain);
  }

  /** A PKCS12 key store holding this identity under {@link #ALIAS}, the key protected by {@code password}. */
  public KeyStore keyStore(char[] password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a PKCS12 key store", e);
    }
  }

  /** SHA-256 of the certificate's DER encoding, lowercase hex without colons: what MSP entries pin. */
  public String sha256Fingerprint() {
    return sha256Fingerprint(certificate);
  }

  public static String sha256Fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key never reaches a log line. */
  @Override
  public String toString() {
    return "Identity[" + certificate.getSubjectX500Principal().getName() + "]";
  }
}
