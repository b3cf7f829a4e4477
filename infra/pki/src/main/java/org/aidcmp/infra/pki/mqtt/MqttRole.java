package org.aidcmp.infra.pki.mqtt;

/**
 * Who a broker client is, which decides its topic rights (the ACL: infra/embedded-mqtt/README.md). A vehicle's
 * identity is its VIN; each platform service has one fixed identity, whatever number of instances it runs.
 */
public enum MqttRole {
  /** A car: publishes and subscribes under its own {@code aid2/v1/vehicles/{vin}/} only. */
  VEHICLE(null),
  /** ingress-aid2, the uplink bridge: reads every vehicle's uplink and presence, answers {@code down/error}. */
  BRIDGE("aid-bridge"),
  /** egress's downlink publisher: publishes every vehicle's {@code down/...}. */
  DOWNLINK("aid-downlink");

  private final String serviceName;

  MqttRole(String serviceName) {
    this.serviceName = serviceName;
  }

  /**
   * The username of a service role (and the prefix its client ids must carry: the name itself or
   * {@code name-anything}); null for {@link #VEHICLE}, whose username is its VIN.
   */
  public String serviceName() {
    return serviceName;
  }
}
