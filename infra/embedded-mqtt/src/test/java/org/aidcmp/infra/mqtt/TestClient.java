package org.aidcmp.infra.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** An MQTT 5 test client that records every PUBLISH it receives (acknowledged when the handler returns). */
final class TestClient implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(30);

  final Mqtt5AsyncClient mqtt;
  final List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
  // Tasks the client still schedules after close (the flow's completion) are discarded, not errors.
  private final ExecutorService handlerThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), new ThreadPoolExecutor.DiscardPolicy());
  private final int receiveMaximum;

  TestClient(EmbeddedMqttBroker broker, String clientId) {
    this(broker, clientId, 65_535, p -> {});
  }

  /** {@code beforeAck} runs on a thread of its own, so a test may hold acknowledgements back. */
  TestClient(EmbeddedMqttBroker broker, String clientId, int receiveMaximum, Consumer<Mqtt5Publish> beforeAck) {
    this(MqttClient.builder().useMqttVersion5().identifier(clientId)
        .serverHost("127.0.0.1").serverPort(broker.port()), receiveMaximum, beforeAck);
  }

  /** A client of the given builder (credentials, TLS: {@link Logins}). */
  TestClient(Mqtt5ClientBuilder builder) {
    this(builder, 65_535, p -> {});
  }

  TestClient(Mqtt5ClientBuilder builder, int receiveMaximum, Consumer<Mqtt5Publish> beforeAck) {
    mqtt = builder.buildAsync();
    // Registered before connecting: a resumed session's queued messages arrive before any new subscribe.
    mqtt.publishes(MqttGlobalPublishFilter.ALL, p -> {
      beforeAck.accept(p);
      received.add(p);
    }, handlerThread);
    this.receiveMaximum = receiveMaximum;
  }

  Mqtt5ConnAck connect(boolean cleanStart, long sessionExpirySeconds) {
    return get(mqtt.connectWith().cleanStart(cleanStart).sessionExpiryInterval(sessionExpirySeconds)
        .restrictions().receiveMaximum(receiveMaximum).applyRestrictions()
        .send());
  }

  TestClient connect() {
    connect(true, 0);
    return this;
  }

  TestClient subscribe(String filter) {
    get(mqtt.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send());
    return this;
  }

  /** Completes when the broker acknowledged the PUBLISH; fails if the PUBACK carries an error. */
  CompletableFuture<Void> publish(String topic, String payload, boolean retain) {
    return mqtt.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain)
        .payload(payload.getBytes(StandardCharsets.UTF_8)).send()
        .thenAccept(result -> result.getError().ifPresent(e -> {
          throw new CompletionException(e);
        }));
  }

  void disconnect() {
    get(mqtt.disconnect());
  }

  List<String> payloads() {
    return received.stream().map(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).toList();
  }

  @Override
  public void close() {
    if (mqtt.getState().isConnected()) {
      disconnect();
    }
    handlerThread.shutdownNow();
  }

  /** After this long with nothing new received, a share-group member SUBSCRIBEs again ({@link #awaitAsAShareMember}). */
  static final Duration SHARE_IDLE = Duration.ofSeconds(10);

  /**
   * {@link #awaitUntil} for a member of a share group: SUBSCRIBEs {@code sharedFilter} again after each
   * {@link #SHARE_IDLE} in which nothing new arrived, as the AiD2 bridge does. HiveMQ CE can mark a member as having no
   * shared subscription until its next SUBSCRIBE, and then hands it nothing more (SharedSubscriptionHandOutTest); a
   * test about something else must not wait on that race.
   */
  void awaitAsAShareMember(Duration timeout, String sharedFilter, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = received.size();
    long quietSince = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Condition not met within " + timeout + " (" + received.size() + " received)");
      }
      if (received.size() != seen) {
        seen = received.size();
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince > SHARE_IDLE.toNanos()) {
        subscribe(sharedFilter);
        quietSince = System.nanoTime();
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted", e);
      }
    }
  }

  /** Polls {@code condition} until it holds; fails the test after {@code timeout}. */
  static void awaitUntil(Duration timeout, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Condition not met within " + timeout);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted", e);
      }
    }
  }

  static <T> T get(CompletableFuture<T> future) {
    try {
      return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("MQTT operation did not complete within " + WAIT, e);
    }
  }
}
