package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;

/**
 * The credentials the embedded default needs and a production deployment configures: the ingress server's
 * TLS key (issued by a local CA, for 127.0.0.1 and localhost) and the CMP's own key for phone numbers.
 * Made once under {@code <data>/pki} and {@code <data>/keys}, readable by the owner only, and reused on
 * every start; a key the configuration sets is never replaced.
 */
final class DevCredentials {
  private DevCredentials() {}

  /** The configuration with every credential it leaves empty filled from the data directory. */
  static AidConfig fill(AidConfig config, Path data) {
    Map<String, String> filled = new HashMap<>();
    if (config.get("ingress.aid1.tls.keystore").isEmpty()) {
      Path pki = data.resolve("pki");
      String password = secret(pki.resolve("keystore-password"), 24);
      Path keystore = pki.resolve("ingress-aid1.p12");
      if (!Files.exists(keystore)) {
        CertificateAuthority ca = CertificateAuthority.create("AiD CMP local CA");
        Identity server = ca.issueServer("ingress-aid1", List.of("localhost"), List.of("127.0.0.1"));
        Pem.write(pki.resolve("ca.pem"), Pem.certificates(List.of(ca.certificate())));
        try (OutputStream out = Files.newOutputStream(keystore)) {
          server.keyStore(password.toCharArray()).store(out, password.toCharArray());
        } catch (Exception e) {
          throw new IllegalStateException("cannot write " + keystore, e);
        }
        ownerOnly(keystore);
      }
      filled.put("ingress.aid1.tls.keystore", keystore.toString());
      filled.put("ingress.aid1.tls.keystore-password", password);
    }
    if (config.get("cmp.phone-key").isEmpty()) {
      filled.put("cmp.phone-key", secret(data.resolve("keys").resolve("cmp-phone-key"), 32));
    }
    return config.with(filled);
  }

  /** The CA that signed the embedded ingress's certificate, for clients that want to trust it. */
  static Path localCa(Path data) {
    return data.resolve("pki").resolve("ca.pem");
  }

  /** A random secret kept in a file (Base64), made on first use. */
  private static String secret(Path file, int bytes) {
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      Files.createDirectories(file.getParent());
      byte[] random = new byte[bytes];
      new SecureRandom().nextBytes(random);
      String value = Base64.getEncoder().encodeToString(random);
      Files.writeString(file, value, StandardCharsets.UTF_8);
      ownerOnly(file);
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void ownerOnly(Path file) {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: the data directory's own permissions apply
    }
  }
}
