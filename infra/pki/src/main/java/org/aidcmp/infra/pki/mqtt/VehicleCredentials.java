package org.aidcmp.infra.pki.mqtt;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;

/**
 * What one car needs to connect: its client id and username (both the VIN), its password (for the plain
 * listener or TLS without a certificate, MQTT 3.1.1 included) and / or its client certificate and key (CN = VIN,
 * issued by the vehicle CA, for the TLS listener). Either may be absent, depending on what was issued.
 */
public record VehicleCredentials(String vin, String password, Identity certificate) {

  public String clientId() {
    return vin;
  }

  public String username() {
    return vin;
  }

  public Optional<String> passwordIfAny() {
    return Optional.ofNullable(password);
  }

  public Optional<Identity> certificateIfAny() {
    return Optional.ofNullable(certificate);
  }

  /** The files {@link #write} made; absent ones are null. */
  public record Files(Path certificate, Path key, Path password) {}

  /**
   * Writes what was issued into {@code dir}: {@code client-cert.pem} (certificate and chain),
   * {@code client-key.pem} and {@code password}, the last two readable by the owner only.
   */
  public Files write(Path dir) {
    Path cert = null;
    Path key = null;
    Path pass = null;
    if (certificate != null) {
      cert = dir.resolve("client-cert.pem");
      key = dir.resolve("client-key.pem");
      Pem.writeOwnerOnly(key, Pem.privateKey(certificate.key()));
      Pem.writeOwnerOnly(cert, Pem.certificates(List.copyOf(certificate.chain())));
    }
    if (password != null) {
      pass = dir.resolve("password");
      Pem.writeOwnerOnly(pass, password);
    }
    return new Files(cert, key, pass);
  }

  /** Never the password or the key in a log line. */
  @Override
  public String toString() {
    return "VehicleCredentials[" + vin + (password != null ? ", password" : "")
        + (certificate != null ? ", certificate" : "") + "]";
  }
}
