package org.aidcmp.egress.downlink;

import java.net.URI;
import java.util.Objects;

/**
 * Where the downlink publisher connects and as whom: {@code tcp://host:port} or {@code ssl://host:port}, with
 * username and password (MQTT 5 CONNECT, §3.1.2.8 of MQTT 5) and / or TLS with a client certificate, whichever the
 * broker asks for. How the credentials were issued is not its business.
 *
 * @param tls null for a plain connection
 * @param username null: none sent
 * @param password null: none sent; never printed
 */
public record MqttEndpoint(String host, int port, MqttTls tls, String username, String password) {

  public MqttEndpoint {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("MQTT port must be in 1..65535, not " + port);
    }
  }

  /** {@code tcp://127.0.0.1:1883} (plain) or {@code ssl://127.0.0.1:8883} (TLS, then {@link #withTls} is needed). */
  public static MqttEndpoint of(String serverUri) {
    URI uri;
    try {
      uri = URI.create(serverUri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an MQTT server URI: " + serverUri, e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!scheme.equals("tcp") && !scheme.equals("ssl") || uri.getHost() == null) {
      throw new IllegalArgumentException("MQTT server URI must be tcp://host:port or ssl://host:port, not " + serverUri);
    }
    int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("ssl") ? 8883 : 1883;
    return new MqttEndpoint(uri.getHost(), port, null, null, null);
  }

  public MqttEndpoint withTls(MqttTls tls) {
    return new MqttEndpoint(host, port, Objects.requireNonNull(tls, "tls"), username, password);
  }

  public MqttEndpoint withCredentials(String username, String password) {
    return new MqttEndpoint(host, port, tls, Objects.requireNonNull(username, "username"), password);
  }

  @Override
  public String toString() {
    return (tls == null ? "tcp://" : "ssl://") + host + ":" + port
        + (username == null ? "" : " as " + username) + (tls != null && tls.keyManagers() != null ? " (client certificate)" : "");
  }
}
