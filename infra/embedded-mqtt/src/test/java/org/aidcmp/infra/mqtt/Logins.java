package org.aidcmp.infra.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Tls;

/** How the tests' clients reach the broker: the plain listener or TLS (with a client certificate or none). */
final class Logins {
  private static final char[] TRANSIENT = "transient".toCharArray();

  private Logins() {}

  static MqttClientBuilder plain(EmbeddedMqttBroker broker, String clientId) {
    return MqttClient.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(broker.port());
  }

  /** TLS trusting {@code serverCa}, presenting {@code clientCertificate} when not null. */
  static MqttClientBuilder tls(EmbeddedMqttBroker broker, String clientId, X509Certificate serverCa,
      Identity clientCertificate) {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(Tls.trustStore(List.of(serverCa)));
      var ssl = MqttClient.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(broker.tlsPort())
          .sslConfig().trustManagerFactory(trust);
      if (clientCertificate != null) {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(clientCertificate.keyStore(TRANSIENT), TRANSIENT);
        ssl = ssl.keyManagerFactory(keys);
      }
      return ssl.applySslConfig();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Mqtt5ClientBuilder v5(MqttClientBuilder builder, String username, String password) {
    Mqtt5ClientBuilder v5 = builder.useMqttVersion5();
    return username == null ? v5 : v5.simpleAuth().username(username)
        .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
  }

  static Mqtt3ClientBuilder v3(MqttClientBuilder builder, String username, String password) {
    Mqtt3ClientBuilder v3 = builder.useMqttVersion3();
    return username == null ? v3 : v3.simpleAuth().username(username)
        .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
  }
}
