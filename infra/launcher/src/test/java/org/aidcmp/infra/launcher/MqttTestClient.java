package org.aidcmp.infra.launcher;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;

/** A small MQTT 5 client for the integration tests (the HiveMQ client, blocking API). */
final class MqttTestClient implements AutoCloseable {
  private final Mqtt5BlockingClient client;
  private Mqtt5BlockingClient.Mqtt5Publishes publishes;

  /** Connected to the plain listener as {@code username} (a VIN, or a service name) with its password. */
  MqttTestClient(String serverUri, String clientId, String username, String password) {
    URI uri = URI.create(serverUri);
    client = Mqtt5Client.builder()
        .identifier(clientId)
        .serverHost(uri.getHost())
        .serverPort(uri.getPort())
        .simpleAuth().username(username).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
        .buildBlocking();
    client.connect();
  }

  /** As a vehicle, with the password its credentials carry. */
  static MqttTestClient vehicle(String serverUri, VehicleCredentials car) {
    return new MqttTestClient(serverUri, car.clientId(), car.username(), car.password());
  }

  /** As a service (bridge, downlink), one instance of it. */
  static MqttTestClient service(String serverUri, ServiceCredentials service) {
    return new MqttTestClient(serverUri, service.clientId(UUID.randomUUID().toString()), service.username(),
        service.password());
  }

  void subscribe(String topicFilter) {
    publishes = client.publishes(MqttGlobalPublishFilter.ALL);
    client.subscribeWith().topicFilter(topicFilter).qos(MqttQos.AT_LEAST_ONCE).send();
  }

  void publish(String topic, String payload, boolean retain) {
    client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain)
        .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
  }

  /** The next message, waiting at most the given seconds. */
  Optional<Mqtt5Publish> receive(int seconds) throws InterruptedException {
    return publishes.receive(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (publishes != null) {
      publishes.close();
    }
    client.disconnect();
  }
}
