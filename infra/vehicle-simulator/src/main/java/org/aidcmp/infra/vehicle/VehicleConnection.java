package org.aidcmp.infra.vehicle;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.aidcmp.infra.pki.Identity;

/**
 * How one vehicle reaches the broker: the broker's URI ({@code tcp://} or {@code mqtt://} plain, {@code ssl://}
 * or {@code mqtts://} TLS), its client id (its VIN), optional username and password, and for TLS the CAs it
 * trusts and optionally its own client certificate. The MQTT 5 session outlives a disconnect by
 * {@code sessionExpiry}, so what the CMP sends while the vehicle is away waits for it at the broker.
 */
public record VehicleConnection(URI broker, String clientId, String username, String password,
                                List<X509Certificate> trustedCas, Identity clientIdentity, Duration sessionExpiry) {

  /** Long enough for the weeks a car may stand in a garage (§4.4 end condition c). */
  public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofDays(30);

  public VehicleConnection {
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(clientId, "clientId");
    trustedCas = trustedCas == null ? List.of() : List.copyOf(trustedCas);
    sessionExpiry = sessionExpiry == null ? DEFAULT_SESSION_EXPIRY : sessionExpiry;
    if (!List.of("tcp", "mqtt", "ssl", "mqtts").contains(String.valueOf(broker.getScheme()))) {
      throw new IllegalArgumentException("the broker URI is tcp://, mqtt://, ssl:// or mqtts://, not " + broker);
    }
    if (broker.getHost() == null || broker.getPort() <= 0) {
      throw new IllegalArgumentException("the broker URI names a host and a port: " + broker);
    }
    if ((username == null) != (password == null)) {
      throw new IllegalArgumentException("username and password go together");
    }
    if (List.of("ssl", "mqtts").contains(broker.getScheme()) && trustedCas.isEmpty()) {
      throw new IllegalArgumentException("TLS to " + broker + " needs the CA(s) to trust");
    }
  }

  /** Plain TCP, no credentials: the embedded broker's loopback listener. */
  public static VehicleConnection plain(String brokerUri, String vin) {
    return new VehicleConnection(URI.create(brokerUri), vin, null, null, List.of(), null, null);
  }

  public VehicleConnection withCredentials(String username, String password) {
    return new VehicleConnection(broker, clientId, username, password, trustedCas, clientIdentity, sessionExpiry);
  }

  public VehicleConnection withTls(List<X509Certificate> trustedCas, Identity clientIdentity) {
    return new VehicleConnection(broker, clientId, username, password, trustedCas, clientIdentity, sessionExpiry);
  }

  public boolean tls() {
    return broker.getScheme().equals("ssl") || broker.getScheme().equals("mqtts");
  }

  /** For printing: never the password. */
  @Override
  public String toString() {
    return clientId + "@" + broker + (username != null ? " as " + username : "")
        + (clientIdentity != null ? " with a client certificate" : "");
  }
}
