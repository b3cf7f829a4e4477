package org.aidcmp.infra.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority: a self-signed root that issues TLS server and client certificates. Enough
 * for tests, the simulators and the embedded stack; production configures PEM files issued elsewhere
 * ({@link Pem}). Keys are EC P-256: quick to generate on a busy machine, accepted by every TLS stack.
 */
public final class CertificateAuthority {

  private static final String SIGNATURE = "SHA256withECDSA";
  private static final Duration VALIDITY = Duration.ofDays(825);
  /** Loopback, so a certificate works on 127.0.0.1 and localhost without further thought. */
  private static final List<String> LOOPBACK_NAMES = List.of("localhost");
  private static final List<String> LOOPBACK_ADDRESSES = List.of("127.0.0.1");

  private final Identity identity;
  private final SecureRandom random = new SecureRandom();

  private CertificateAuthority(Identity identity) {
    this.identity = identity;
  }

  /** A new root CA with a fresh key, named {@code CN=commonName}. */
  public static CertificateAuthority create(String commonName) {
    KeyPair keys = newKeyPair();
    X500Name name = name(commonName);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(name, name, keys.getPublic(), new SecureRandom())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate certificate = sign(builder, keys);
      return new CertificateAuthority(new Identity(keys.getPrivate(), certificate, List.of(certificate)));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create CA " + commonName, e);
    }
  }

  /** A CA from an existing key and certificate (e.g. read with {@link Pem}). */
  public static CertificateAuthority of(Identity identity) {
    return new CertificateAuthority(identity);
  }

  public X509Certificate certificate() {
    return identity.certificate();
  }

  public Identity identity() {
    return identity;
  }

  /**
   * A TLS server certificate for the given DNS names and IP addresses; localhost and 127.0.0.1 are always
   * included.
   */
  public Identity issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses) {
    List<GeneralName> names = new ArrayList<>();
    union(LOOPBACK_NAMES, dnsNames).forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
    for (String ip : union(LOOPBACK_ADDRESSES, ipAddresses)) {
      names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(address(ip))));
    }
    return issue(commonName, KeyPurposeId.id_kp_serverAuth, new GeneralNames(names.toArray(new GeneralName[0])));
  }

  /** A TLS client certificate (e.g. the CMP's towards an MSP, or an MSP's towards the CMP). */
  public Identity issueClient(String commonName) {
    return issue(commonName, KeyPurposeId.id_kp_clientAuth, null);
  }

  private Identity issue(String commonName, KeyPurposeId purpose, GeneralNames altNames) {
    KeyPair keys = newKeyPair();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(
          name(commonName), name(identity.certificate()), keys.getPublic(), random)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false,
              ext.createAuthorityKeyIdentifier(identity.certificate()));
      if (altNames != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, altNames);
      }
      X509Certificate certificate = sign(builder, new KeyPair(identity.certificate().getPublicKey(), identity.key()));
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(certificate);
      chain.addAll(identity.chain());
      return new Identity(keys.getPrivate(), certificate, chain);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
    }
  }

  private static X509v3CertificateBuilder builder(
      X500Name subject, X500Name issuer, PublicKey key, SecureRandom random) {
    Instant now = Instant.now();
    // Back-dated a little: clocks of the two ends of a handshake are never quite equal.
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, random).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
    try {
      ContentSigner signer1 = new JcaContentSignerBuilder(SIGNATURE).build(signer.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer1));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC P-256 key generator", e);
    }
  }

  private static X500Name name(String commonName) {
    return new X500Name("CN=" + commonName.replace(",", "\\,").replace("=", "\\="));
  }

  private static X500Name name(X509Certificate certificate) {
    return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
  }

  private static List<String> union(List<String> always, List<String> extra) {
    List<String> all = new ArrayList<>(always);
    for (String s : extra == null ? List.<String>of() : extra) {
      if (!all.contains(s)) {
        all.add(s);
      }
    }
    return all;
  }

  private static byte[] address(String ip) {
    try {
      // Only literals: InetAddress.getByName does no lookup for them.
      if (!ip.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("not an IP address literal: " + ip);
      }
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }
}
