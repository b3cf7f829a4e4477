package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials the embedded default needs and a production deployment configures, made once under
 * {@code <data>/pki} and {@code <data>/keys}, readable by the owner only, and reused on every start; a key the
 * configuration sets is never replaced:
 *
 * <ul>
 *   <li>a local CA ({@code ca.pem}, its key in {@code ca-key.pem}), kept so more can be issued later;
 *   <li>the ingress server's TLS key for 127.0.0.1 and localhost ({@code ingress-aid1.p12}), when
 *       {@code ingress.aid1.tls.keystore} is empty;
 *   <li>the CMP's client identity towards MSPs ({@code cmp-client.pem}, §6), when {@code egress.tls.identity} is
 *       empty, and the local CA as the trust for MSP servers when {@code egress.tls.trusted} is empty (what
 *       {@code aid msp serve} signs its simulators' certificates with);
 *   <li>with the local ingress only: each configured MSP's client certificate ({@code msp-<id>-client.pem}) when
 *       its {@code client-certificate-sha256} is empty, pinned in the configuration, so {@code aid msp} can
 *       call the platform as that MSP with no further setup;
 *   <li>the CMP's own key for phone numbers, when {@code cmp.phone-key} is empty;
 *   <li>with the embedded MQTT broker ({@code mqtt.server.uri} empty): its TLS certificate from the local CA
 *       ({@code mqtt-broker.pem}), the vehicle CA and credentials store ({@code <data>/mqtt-auth}, see
 *       {@link MqttCredentials}), the bridge's and the downlink publisher's logins
 *       ({@code ingress.aid2.username} / {@code .password}, {@code downlink.mqtt.username} / {@code .password},
 *       when the password is empty; passwords kept in {@code <data>/keys/mqtt-<role>-password}) and the local CA
 *       as {@code mqtt.tls.trusted}.
 * </ul>
 */
final class DevCredentials {
  private static final Logger LOG = LoggerFactory.getLogger(DevCredentials.class);

  private DevCredentials() {}

  /**
   * The configuration with every credential it leaves empty filled from the data directory. Several processes on
   * one data directory ({@code aid run} instances starting together) fill in turn, under a file lock: each
   * credential is read if there, else made, and two making one at once would leave a keystore with one's
   * password and the password file with the other's.
   */
  static AidConfig fill(AidConfig config, Path data) {
    synchronized (DevCredentials.class) { // a FileLock is per process: threads of this one wait here
      try {
        Files.createDirectories(data);
        try (FileChannel file = FileChannel.open(data.resolve(".credentials.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
            FileLock lock = file.lock()) {
          return fillLocked(config, data);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock the credentials in " + data, e);
      }
    }
  }

  private static AidConfig fillLocked(AidConfig config, Path data) {
    Map<String, String> filled = new HashMap<>();
    Path pki = data.resolve("pki");
    boolean localIngress = config.get("ingress.aid1.tls.keystore").isEmpty();
    if (localIngress) {
      String password = secret(pki.resolve("keystore-password"), 24);
      Path keystore = pki.resolve("ingress-aid1.p12");
      CertificateAuthority ca = authority(data);
      if (!Files.exists(keystore)) {
        Identity server = ca.issueServer("ingress-aid1", List.of("localhost"), List.of("127.0.0.1"));
        try (OutputStream out = Files.newOutputStream(keystore)) {
          server.keyStore(password.toCharArray()).store(out, password.toCharArray());
        } catch (Exception e) {
          throw new IllegalStateException("cannot write " + keystore, e);
        }
        ownerOnly(keystore);
      }
      filled.put("ingress.aid1.tls.keystore", keystore.toString());
      filled.put("ingress.aid1.tls.keystore-password", password);
      for (String id : config.get("msp.ids").map(s -> List.of(s.split(","))).orElse(List.of())) {
        String msp = id.trim();
        if (!msp.isEmpty() && config.get("msp." + msp + ".client-certificate-sha256").isEmpty()) {
          Identity client = identity(mspClient(data, msp), () -> ca.issueClient("msp-" + msp));
          filled.put("msp." + msp + ".client-certificate-sha256", client.sha256Fingerprint());
        }
      }
    }
    if (config.get("egress.tls.identity").isEmpty()) {
      Path file = cmpClient(data);
      identity(file, () -> authority(data).issueClient(config.get("cmp.id").orElse("aidcmp")));
      filled.put("egress.tls.identity", file.toString());
    }
    if (config.get("egress.tls.trusted").isEmpty()) {
      authority(data);
      filled.put("egress.tls.trusted", localCa(data).toString());
    }
    if (config.get("cmp.phone-key").isEmpty()) {
      filled.put("cmp.phone-key", secret(data.resolve("keys").resolve("cmp-phone-key"), 32));
    }
    if (config.get("mqtt.server.uri").isEmpty()) {
      // Each service's own keys (its settings record reads them): ingress-aid2's and egress's downlink.
      for (Map.Entry<MqttRole, String> service : Map.of(
          MqttRole.BRIDGE, "ingress.aid2.", MqttRole.DOWNLINK, "downlink.mqtt.").entrySet()) {
        String prefix = service.getValue();
        if (config.get(prefix + "password").isEmpty()) {
          ServiceCredentials login = mqttService(data, service.getKey());
          filled.put(prefix + "username", login.username());
          filled.put(prefix + "password", login.password());
        }
      }
      if (config.get("mqtt.tls.trusted").isEmpty()) {
        authority(data);
        filled.put("mqtt.tls.trusted", localCa(data).toString());
      }
    }
    return config.with(filled);
  }

  /** The embedded broker's vehicle CA and credentials store (what {@code aid vehicle register} issues into). */
  static MqttCredentials mqttCredentials(Path data) {
    return MqttCredentials.open(data.resolve("mqtt-auth"));
  }

  /** A service's broker login, kept across starts (a new one when the store no longer accepts the kept one). */
  static ServiceCredentials mqttService(Path data, MqttRole role) {
    return mqttCredentials(data).service(role,
        data.resolve("keys").resolve("mqtt-" + role.name().toLowerCase(java.util.Locale.ROOT) + "-password"));
  }

  /** The embedded broker's TLS key and chain, issued by the local CA for 127.0.0.1 and localhost. */
  static Identity mqttBroker(Path data) {
    CertificateAuthority ca = authority(data);
    return identity(mqttBrokerFile(data), () -> ca.issueServer("mqtt-broker", List.of("localhost"), List.of("127.0.0.1")));
  }

  static Path mqttBrokerFile(Path data) {
    return data.resolve("pki").resolve("mqtt-broker.pem");
  }

  /** The local CA's certificate: the ingress's and the simulators' server certificates come from it. */
  static Path localCa(Path data) {
    return data.resolve("pki").resolve("ca.pem");
  }

  /** The CMP's client key and chain towards MSPs, when egress.tls.identity is empty. */
  static Path cmpClient(Path data) {
    return data.resolve("pki").resolve("cmp-client.pem");
  }

  /** MSP {@code id}'s client key and chain, which {@code aid msp} calls the platform with. */
  static Path mspClient(Path data, String id) {
    return data.resolve("pki").resolve("msp-" + id + "-client.pem");
  }

  /**
   * The local CA, made on first use. A data directory from before the CA's key was kept has its certificate but
   * no key: then a new CA replaces it, and what the old one issued is issued again (whoever trusted the old
   * ca.pem must take the new one).
   */
  static CertificateAuthority authority(Path data) {
    Path pki = data.resolve("pki");
    Path certificate = localCa(data);
    Path key = pki.resolve("ca-key.pem");
    if (Files.exists(certificate) && Files.exists(key)) {
      return CertificateAuthority.of(Pem.readIdentity(Pem.read(key) + Pem.read(certificate)));
    }
    if (Files.exists(certificate)) {
      LOG.warn("{} has no key kept beside it: a new local CA replaces it; trust the new {}", certificate, certificate);
    }
    try {
      Files.createDirectories(pki);
      for (Path issued : List.of(pki.resolve("ingress-aid1.p12"), cmpClient(data), mqttBrokerFile(data))) {
        Files.deleteIfExists(issued);
      }
      try (var old = Files.newDirectoryStream(pki, "msp-*-client.pem")) {
        for (Path issued : old) {
          Files.delete(issued);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CertificateAuthority ca = CertificateAuthority.create("AiD CMP local CA");
    writeOwnerOnly(key, Pem.privateKey(ca.identity().key()));
    Pem.write(certificate, Pem.certificates(List.of(ca.certificate())));
    return ca;
  }

  /** The identity (key and chain, PEM) in {@code file}, issued and written (owner only) on first use. */
  private static Identity identity(Path file, java.util.function.Supplier<Identity> issue) {
    if (Files.exists(file)) {
      return Pem.readIdentity(Pem.read(file));
    }
    Identity identity = issue.get();
    writeOwnerOnly(file, Pem.identity(identity));
    return identity;
  }

  /** Written so that the key is never readable by others, not even for a moment. */
  private static void writeOwnerOnly(Path file, String text) {
    Pem.writeOwnerOnly(file, text);
  }

  /** A random secret kept in a file (Base64), made on first use. */
  private static String secret(Path file, int bytes) {
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      byte[] random = new byte[bytes];
      new SecureRandom().nextBytes(random);
      String value = Base64.getEncoder().encodeToString(random);
      writeOwnerOnly(file, value);
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
