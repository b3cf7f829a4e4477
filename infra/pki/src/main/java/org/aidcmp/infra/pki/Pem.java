package org.aidcmp.infra.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM text of certificates and private keys (unencrypted PKCS8, "PRIVATE KEY"), so production can configure
 * files and tests can write what the simulators use. Reading also accepts the traditional "EC PRIVATE KEY"
 * and "RSA PRIVATE KEY" forms that openssl writes.
 */
public final class Pem {
  private Pem() {}

  public static String certificates(List<X509Certificate> certificates) {
    return write(certificates.toArray());
  }

  public static String privateKey(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The key then the chain, as many servers expect in one file. */
  public static String identity(Identity identity) {
    return privateKey(identity.key()) + certificates(identity.chain());
  }

  public static List<X509Certificate> readCertificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    for (Object o : objects(pem)) {
      if (o instanceof X509CertificateHolder holder) {
        try {
          out.add(new JcaX509CertificateConverter().getCertificate(holder));
        } catch (CertificateException e) {
          throw new IllegalArgumentException("unreadable certificate in PEM", e);
        }
      }
    }
    return out;
  }

  public static PrivateKey readPrivateKey(String pem) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      for (Object o : objects(pem)) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable private key in PEM", e);
    }
    throw new IllegalArgumentException("no unencrypted private key in PEM");
  }

  /** An identity from a PEM text holding a private key and its certificate chain (leaf first). */
  public static Identity readIdentity(String pem) {
    List<X509Certificate> chain = readCertificates(pem);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no certificate in PEM");
    }
    return new Identity(readPrivateKey(pem), chain.get(0), chain);
  }

  public static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public static void write(Path file, String pem) {
    try {
      Files.writeString(file, pem, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Writes {@code text} (a key, a password) readable by the owner only, never readable by others even for a
   * moment: written to a new owner-only file beside it, then moved over {@code file} (readers see the old text or
   * the new one, never half of it).
   */
  public static void writeOwnerOnly(Path file, String text) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp;
      try {
        temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      }
      try {
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String write(Object... objects) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      for (Object o : objects) {
        writer.writeObject(o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private static List<Object> objects(String pem) {
    List<Object> out = new ArrayList<>();
    try (Reader reader = new StringReader(pem); PEMParser parser = new PEMParser(reader)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        out.add(o);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable PEM", e);
    }
    return out;
  }
}
