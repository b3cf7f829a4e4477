package org.aidcmp.infra.pki.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;

/**
 * Issues the broker identities of the AiD2 edge, kept under one directory (the embedded default:
 * {@code <aid.data.dir>/mqtt-auth}):
 *
 * <ul>
 *   <li>{@code vehicle-ca.pem} and its key {@code vehicle-ca-key.pem} (owner only): the vehicle CA, made on first
 *       use; the broker's TLS listener trusts client certificates from it alone;
 *   <li>{@code identities/}: the credentials store ({@link MqttIdentityStore}) the broker checks at each CONNECT.
 * </ul>
 *
 * <p>Issuing again for the same name replaces that name's credentials: the old password and certificate stop
 * working at the next CONNECT. Nothing here depends on a broker; the embedded one reads the same directory.
 */
public final class MqttCredentials {
  private final Path dir;
  private final MqttIdentityStore store;
  private final CertificateAuthority vehicleCa;

  private MqttCredentials(Path dir, CertificateAuthority vehicleCa) {
    this.dir = dir;
    this.store = new MqttIdentityStore(dir.resolve("identities"));
    this.vehicleCa = vehicleCa;
  }

  /** Opens (and on first use creates) the credentials kept in {@code dir}; safe from several processes at once. */
  public static MqttCredentials open(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
      // The CA is two files: one process makes them while the others wait, then all read the same CA.
      try (FileChannel lockFile = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        return new MqttCredentials(root, vehicleCa(root));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the MQTT credentials in " + root, e);
    }
  }

  private static CertificateAuthority vehicleCa(Path root) throws IOException {
    Path certificate = root.resolve("vehicle-ca.pem");
    Path key = root.resolve("vehicle-ca-key.pem");
    if (Files.exists(certificate) && Files.exists(key)) {
      return CertificateAuthority.of(Pem.readIdentity(Pem.read(key) + Pem.read(certificate)));
    }
    CertificateAuthority ca = CertificateAuthority.create("AiD CMP vehicle CA");
    Pem.writeOwnerOnly(key, Pem.privateKey(ca.identity().key()));
    Files.writeString(certificate, Pem.certificates(List.of(ca.certificate())), StandardCharsets.US_ASCII);
    return ca;
  }

  public Path dir() {
    return dir;
  }

  /** The credentials store the broker checks. */
  public MqttIdentityStore store() {
    return store;
  }

  /** The CA of vehicle client certificates: what the broker's TLS listener trusts. */
  public X509Certificate vehicleCa() {
    return vehicleCa.certificate();
  }

  public Path vehicleCaFile() {
    return dir.resolve("vehicle-ca.pem");
  }

  /** A vehicle's client certificate (CN = VIN) and password; either works. */
  public VehicleCredentials issueVehicle(String vin) {
    Identity certificate = vehicleCa.issueClient(checkedVin(vin));
    String password = PasswordHash.newPassword();
    store.put(new MqttIdentity(vin, MqttRole.VEHICLE, PasswordHash.hash(password), certificate.sha256Fingerprint()));
    return new VehicleCredentials(vin, password, certificate);
  }

  /** A vehicle's password only (no key pair made): the cheapest identity, for plain MQTT 3.1.1 / 5 cars. */
  public VehicleCredentials issueVehiclePassword(String vin) {
    String password = PasswordHash.newPassword();
    store.put(new MqttIdentity(checkedVin(vin), MqttRole.VEHICLE, PasswordHash.hash(password), null));
    return new VehicleCredentials(vin, password, null);
  }

  /** A vehicle's client certificate only: it can connect on the TLS listener alone. */
  public VehicleCredentials issueVehicleCertificate(String vin) {
    Identity certificate = vehicleCa.issueClient(checkedVin(vin));
    store.put(new MqttIdentity(vin, MqttRole.VEHICLE, null, certificate.sha256Fingerprint()));
    return new VehicleCredentials(vin, null, certificate);
  }

  /** Takes a vehicle's credentials away (a retired vehicle): its next CONNECT is refused. */
  public boolean revoke(String name) {
    return store.remove(name);
  }

  /** A new password for a service role, replacing the one before. */
  public ServiceCredentials issueService(MqttRole role) {
    String password = PasswordHash.newPassword();
    store.put(new MqttIdentity(role.serviceName(), role, PasswordHash.hash(password), null));
    return new ServiceCredentials(role, password);
  }

  /**
   * The service's password kept in {@code passwordFile} (owner only) when the store still accepts it; otherwise
   * a new one, issued and kept there. What the launcher calls at each start.
   */
  public ServiceCredentials service(MqttRole role, Path passwordFile) {
    Optional<String> kept = readIfExists(passwordFile);
    Optional<MqttIdentity> stored = store.find(role.serviceName());
    if (kept.isPresent() && stored.flatMap(MqttIdentity::passwordHashIfAny)
        .filter(hash -> PasswordHash.verify(kept.get(), hash)).isPresent()) {
      return new ServiceCredentials(role, kept.get());
    }
    ServiceCredentials issued = issueService(role);
    Pem.writeOwnerOnly(passwordFile, issued.password());
    return issued;
  }

  private static Optional<String> readIfExists(Path file) {
    try {
      return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static String checkedVin(String vin) {
    if (vin == null || !MqttIdentity.VIN.matcher(vin).matches()) {
      throw new IllegalArgumentException("not a VIN per ISO 3779 (17 of A-H J-N P R-Z 0-9): " + vin);
    }
    return vin;
  }
}
