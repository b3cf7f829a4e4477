package org.aidcmp.infra.pki.mqtt;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One client the broker lets in: its name (a vehicle's VIN, a service's {@link MqttRole#serviceName()}), its
 * role, and how it proves who it is: the salted hash of its password ({@link PasswordHash}) and / or the SHA-256
 * fingerprint of its client certificate (so re-issuing a vehicle's credentials revokes its old certificate).
 */
public record MqttIdentity(String name, MqttRole role, String passwordHash, String certificateSha256) {

  /** ISO 3779: 17 characters, digits and capitals without I, O and Q (as the touchpoint API checks it). */
  public static final Pattern VIN = Pattern.compile("[A-HJ-NPR-Z0-9]{17}");

  public MqttIdentity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    if (role == MqttRole.VEHICLE ? !VIN.matcher(name).matches() : !name.equals(role.serviceName())) {
      throw new IllegalArgumentException(role == MqttRole.VEHICLE
          ? "a vehicle's identity is its VIN per ISO 3779 (17 of A-H J-N P R-Z 0-9), not '" + name + "'"
          : "the " + role + " identity is named " + role.serviceName() + ", not '" + name + "'");
    }
    if (passwordHash == null && certificateSha256 == null) {
      throw new IllegalArgumentException(name + " needs a password hash or a certificate fingerprint");
    }
  }

  public Optional<String> passwordHashIfAny() {
    return Optional.ofNullable(passwordHash);
  }

  public Optional<String> certificateSha256IfAny() {
    return Optional.ofNullable(certificateSha256);
  }

  /**
   * Whether a client id may be used by this identity: a vehicle's is its VIN (so no one else can take over its
   * persistent session), a service's is its name or {@code name-suffix} (one per instance).
   */
  public boolean allowsClientId(String clientId) {
    if (role == MqttRole.VEHICLE) {
      return name.equals(clientId);
    }
    return clientId.equals(name) || (clientId.startsWith(name + "-") && clientId.length() > name.length() + 1);
  }

  /** No hash in a log line. */
  @Override
  public String toString() {
    return "MqttIdentity[" + name + ", " + role + (passwordHash != null ? ", password" : "")
        + (certificateSha256 != null ? ", certificate" : "") + "]";
  }
}
