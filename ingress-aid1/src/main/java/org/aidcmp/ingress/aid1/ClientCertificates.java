package org.aidcmp.ingress.aid1;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.aidcmp.infra.config.MspRegistry;

/**
 * §6: "The MSP provides the client certificate to CMP, so CMP can add the MSP's client certificate to CMP's
 * list of trusted clients". We trust exactly those certificates, pinned by SHA-256 fingerprint: no CA can
 * issue another certificate that gets in, and each certificate names exactly one MSP.
 */
public final class ClientCertificates extends X509ExtendedTrustManager {
  private final Map<String, MspRegistry.Msp> byFingerprint = new HashMap<>();

  public ClientCertificates(MspRegistry registry) {
    for (MspRegistry.Msp msp : registry.all()) {
      if (msp.clientCertificateSha256() != null) {
        byFingerprint.put(msp.clientCertificateSha256().replace(":", "").toLowerCase(Locale.ROOT), msp);
      }
    }
  }

  public static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The MSP whose pinned certificate this is. */
  public Optional<MspRegistry.Msp> msp(X509Certificate certificate) {
    return Optional.ofNullable(byFingerprint.get(sha256(certificate)));
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("no client certificate");
    }
    if (msp(chain[0]).isEmpty()) {
      throw new CertificateException("client certificate not pinned for any MSP");
    }
    chain[0].checkValidity();
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("server certificates are not checked here");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("server certificates are not checked here");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("server certificates are not checked here");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    // Pinned leaf certificates, not issuers: an empty list lets the client offer the one it has.
    return new X509Certificate[0];
  }

}
