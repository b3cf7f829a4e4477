package org.aidcmp.infra.pki.mqtt;

/**
 * A platform service's broker login: username {@link MqttRole#serviceName()} and its password. Each instance
 * connects with a client id of its own that starts with the username ({@link #clientId(String)}).
 */
public record ServiceCredentials(MqttRole role, String password) {

  public ServiceCredentials {
    if (role == MqttRole.VEHICLE) {
      throw new IllegalArgumentException("vehicles have VehicleCredentials");
    }
  }

  public String username() {
    return role.serviceName();
  }

  /** E.g. {@code aid-bridge-1}: the only client ids this identity may use are its name and name-suffix. */
  public String clientId(String instance) {
    return role.serviceName() + "-" + instance;
  }

  @Override
  public String toString() {
    return "ServiceCredentials[" + role.serviceName() + "]";
  }
}
