package org.aidcmp.egress.downlink;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's MQTT 5 connection: clean start, no session kept (it only publishes; what it has not had
 * acknowledged is still in Kafka), reconnecting on its own after a drop. Each publish ends as acknowledged, refused
 * by the broker (a PUBACK reason code of 0x80 or more, e.g. NOT_AUTHORIZED) or failed (the connection went).
 */
final class DownlinkConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DownlinkConnection.class);

  /** How one publish ended. */
  sealed interface Outcome {
    record Acknowledged() implements Outcome {}

    /** The broker answered the PUBLISH with an error reason code: sending it again gets the same answer. */
    record Refused(String reasonCode) implements Outcome {}

    /** No PUBACK: the connection was lost; the message may or may not have reached the broker. */
    record Failed(Throwable error) implements Outcome {}
  }

  private static final Outcome ACKNOWLEDGED = new Outcome.Acknowledged();

  private final Mqtt5AsyncClient client;
  private final AtomicBoolean closing;
  private final int receiveMaximum;

  private DownlinkConnection(Mqtt5AsyncClient client, AtomicBoolean closing, int receiveMaximum) {
    this.client = client;
    this.closing = closing;
    this.receiveMaximum = receiveMaximum;
  }

  /** Connects, waiting at most {@code connectTimeout}; fails naming the endpoint (never the password). */
  static DownlinkConnection open(DownlinkSettings settings) {
    MqttEndpoint endpoint = settings.broker();
    AtomicBoolean closing = new AtomicBoolean();
    AtomicBoolean connectedOnce = new AtomicBoolean();
    Mqtt5ClientBuilder builder = MqttClient.builder().useMqttVersion5()
        .identifier(settings.clientId())
        .serverHost(endpoint.host()).serverPort(endpoint.port())
        .automaticReconnect().initialDelay(200, TimeUnit.MILLISECONDS).maxDelay(10, TimeUnit.SECONDS)
        .applyAutomaticReconnect()
        .addDisconnectedListener(context -> {
          if (closing.get() || !connectedOnce.get() && context.getCause() instanceof Mqtt5ConnAckException) {
            // Closed, or the broker refused the very first CONNECT (wrong login, client id not ours): trying
            // again gets the same answer; the start fails with it.
            context.getReconnector().reconnect(false);
          } else if (context.getSource() != MqttDisconnectSource.USER) {
            LOG.warn("downlink MQTT connection to {} lost ({}); reconnecting", endpoint, context.getCause().toString());
          }
        })
        .addConnectedListener(context -> {
          connectedOnce.set(true);
          LOG.info("downlink connected to MQTT broker {}", endpoint);
        });
    if (endpoint.tls() != null) {
      MqttClientSslConfig tls = MqttClientSslConfig.builder()
          .keyManagerFactory(endpoint.tls().keyManagers())
          .trustManagerFactory(endpoint.tls().trustManagers())
          .build();
      builder = builder.sslConfig(tls);
    }
    if (endpoint.username() != null) {
      builder = builder.simpleAuth().username(endpoint.username())
          .password(endpoint.password() == null ? new byte[0] : endpoint.password().getBytes(StandardCharsets.UTF_8))
          .applySimpleAuth();
    }
    Mqtt5AsyncClient client = builder.buildAsync();
    try {
      Mqtt5ConnAck connAck = client.connectWith().cleanStart(true).sessionExpiryInterval(0).send()
          .get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return new DownlinkConnection(client, closing, connAck.getRestrictions().getReceiveMaximum());
    } catch (ExecutionException | TimeoutException e) {
      closing.set(true);
      client.disconnect(); // stops the reconnecting
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("downlink: cannot connect to the MQTT broker " + endpoint + ": " + cause, cause);
    } catch (InterruptedException e) {
      closing.set(true);
      client.disconnect();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to the MQTT broker", e);
    }
  }

  /** How many unacknowledged QoS 1 PUBLISHes the broker takes from this client at once (its CONNACK). */
  int receiveMaximum() {
    return receiveMaximum;
  }

  boolean connected() {
    return client.getState().isConnected();
  }

  /** QoS 1, not retained, JSON; completes (never exceptionally) when the publish is done one way or the other. */
  CompletableFuture<Outcome> publish(String topic, byte[] json) {
    CompletableFuture<Mqtt5PublishResult> sent;
    try {
      sent = client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
          .contentType("application/json").payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
          .payload(json).send();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new Outcome.Failed(e));
    }
    return sent.handle((result, error) -> {
      Throwable failure = error != null ? error : result.getError().orElse(null);
      if (failure == null) {
        return ACKNOWLEDGED;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof Mqtt5PubAckException refused) {
        return new Outcome.Refused(refused.getMqttMessage().getReasonCode().name());
      }
      return new Outcome.Failed(cause);
    });
  }

  @Override
  public void close() {
    closing.set(true);
    try {
      client.disconnect().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // already gone: nothing to tell the broker
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
