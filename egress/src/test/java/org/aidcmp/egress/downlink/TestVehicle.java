package org.aidcmp.egress.downlink;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;

/**
 * A vehicle as the downlink sees it: an MQTT client (5, or 3.1.1) with its VIN as client id, subscribed at QoS 1
 * to its own {@code aid2/v1/vehicles/{vin}/down/#}, recording every message it receives, in arrival order.
 */
final class TestVehicle implements AutoCloseable {
  private static final Pattern COMMAND_ID = Pattern.compile("\"CommandId\":\"([0-9a-f-]{36})\"");

  /** One message as it arrived. */
  record Received(String topic, byte[] payload, long nanoTime) {
    String json() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    String commandId() {
      Matcher m = COMMAND_ID.matcher(json());
      return m.find() ? m.group(1) : null;
    }
  }

  final String vin;
  final List<Received> received = new CopyOnWriteArrayList<>();
  private final Mqtt5AsyncClient mqtt5;
  private final Mqtt3AsyncClient mqtt3;

  private TestVehicle(String vin, Mqtt5AsyncClient mqtt5, Mqtt3AsyncClient mqtt3) {
    this.vin = vin;
    this.mqtt5 = mqtt5;
    this.mqtt3 = mqtt3;
  }

  /** {@code password} null: no login (a broker without authentication). */
  static TestVehicle mqtt5(String vin, String password, String host, int port) {
    var builder = MqttClient.builder().useMqttVersion5().identifier(vin).serverHost(host).serverPort(port);
    if (password != null) {
      builder = builder.simpleAuth().username(vin).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
    }
    Mqtt5AsyncClient client = builder.buildAsync();
    TestVehicle vehicle = new TestVehicle(vin, client, null);
    // Registered before connecting: a resumed session's queued messages come before any new subscribe.
    client.publishes(MqttGlobalPublishFilter.ALL, p -> vehicle.received.add(
        new Received(p.getTopic().toString(), p.getPayloadAsBytes(), System.nanoTime())));
    return vehicle;
  }

  static TestVehicle mqtt311(String vin, String password, String host, int port) {
    var builder = MqttClient.builder().useMqttVersion3().identifier(vin).serverHost(host).serverPort(port);
    if (password != null) {
      builder = builder.simpleAuth().username(vin).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
    }
    Mqtt3AsyncClient client = builder.buildAsync();
    TestVehicle vehicle = new TestVehicle(vin, null, client);
    client.publishes(MqttGlobalPublishFilter.ALL, p -> vehicle.received.add(
        new Received(p.getTopic().toString(), p.getPayloadAsBytes(), System.nanoTime())));
    return vehicle;
  }

  /**
   * MQTT 5: {@code sessionExpirySeconds} above 0 keeps the session (and its queued QoS 1 messages) while away;
   * MQTT 3.1.1: clean session false when {@code sessionExpirySeconds} is above 0. True if a session was resumed.
   */
  boolean connect(boolean cleanStart, long sessionExpirySeconds) {
    if (mqtt5 != null) {
      return get(mqtt5.connectWith().cleanStart(cleanStart).sessionExpiryInterval(sessionExpirySeconds).send())
          .isSessionPresent();
    }
    return get(mqtt3.connectWith().cleanSession(cleanStart).send()).isSessionPresent();
  }

  TestVehicle online() {
    connect(true, 0);
    subscribe();
    return this;
  }

  void subscribe() {
    String filter = Aid2Topics.downlinkFilter(vin);
    if (mqtt5 != null) {
      get(mqtt5.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send());
    } else {
      get(mqtt3.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send());
    }
  }

  void disconnect() {
    get(mqtt5 != null ? mqtt5.disconnect() : mqtt3.disconnect());
  }

  /** The command ids in arrival order, repeats included. */
  List<String> commandIds() {
    List<String> ids = new ArrayList<>();
    received.forEach(r -> ids.add(r.commandId()));
    return ids;
  }

  @Override
  public void close() {
    boolean connected = mqtt5 != null ? mqtt5.getState().isConnected() : mqtt3.getState().isConnected();
    if (connected) {
      disconnect();
    }
  }

  private static <T> T get(CompletableFuture<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("MQTT operation did not complete within 30 s", e);
    }
  }
}
