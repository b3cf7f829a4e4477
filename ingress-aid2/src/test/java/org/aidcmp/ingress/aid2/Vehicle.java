package org.aidcmp.ingress.aid2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;

/** A test vehicle: an MQTT client named by its VIN that subscribes to its downlink and records what it gets. */
final class Vehicle implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  record Received(String topic, byte[] payload) {
    JsonNode json() {
      try {
        return MAPPER.readTree(payload);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  final String vin;
  final List<Received> received = new CopyOnWriteArrayList<>();
  private final Mqtt5AsyncClient v5;
  private final Mqtt3AsyncClient v3;

  private Vehicle(String vin, Mqtt5AsyncClient v5, Mqtt3AsyncClient v3) {
    this.vin = vin;
    this.v5 = v5;
    this.v3 = v3;
  }

  /** An MQTT 5 vehicle, connected and subscribed to its downlink. */
  static Vehicle mqtt5(int port, VehicleCredentials login) {
    String vin = login.vin();
    Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(login.clientId()).serverHost("127.0.0.1")
        .serverPort(port).simpleAuth().username(login.username())
        .password(login.password().getBytes(java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
    Vehicle v = new Vehicle(vin, c, null);
    c.publishes(MqttGlobalPublishFilter.ALL, p -> v.received.add(new Received(p.getTopic().toString(),
        p.getPayloadAsBytes())));
    join(c.connectWith().cleanStart(true).send());
    join(c.subscribeWith().topicFilter(Aid2Topics.downlinkFilter(vin)).qos(MqttQos.AT_LEAST_ONCE).send());
    return v;
  }

  /** An MQTT 3.1.1 vehicle (clean session false, as §7.2 vehicles keep their session). */
  static Vehicle mqtt3(int port, VehicleCredentials login) {
    String vin = login.vin();
    Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(login.clientId()).serverHost("127.0.0.1")
        .serverPort(port).simpleAuth().username(login.username())
        .password(login.password().getBytes(java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
    Vehicle v = new Vehicle(vin, null, c);
    c.publishes(MqttGlobalPublishFilter.ALL, p -> v.received.add(new Received(p.getTopic().toString(),
        p.getPayloadAsBytes())));
    join(c.connectWith().cleanSession(false).send());
    join(c.subscribeWith().topicFilter(Aid2Topics.downlinkFilter(vin)).qos(MqttQos.AT_LEAST_ONCE).send());
    return v;
  }

  /** Completes when the broker acknowledged the QoS 1 PUBLISH. */
  CompletableFuture<Void> publish(String topic, byte[] payload) {
    if (v5 != null) {
      return v5.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
          .thenAccept(r -> r.getError().ifPresent(e -> {
            throw new CompletionException(e);
          }));
    }
    return v3.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send().thenApply(p -> null);
  }

  void send(UplinkMessage message, byte[] payload) {
    join(publish(Aid2Topics.uplink(vin, message), payload));
  }

  List<Received> errors() {
    return received.stream().filter(r -> r.topic().equals(vin.isEmpty() ? "" : Aid2Topics.vehicleRoot(vin) + "down/error"))
        .toList();
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      if (v5 != null) {
        v5.disconnect().get(10, TimeUnit.SECONDS);
      } else {
        v3.disconnect().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      // already gone
    }
  }
}
