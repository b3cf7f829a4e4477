package org.aidcmp.infra.vehicle;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.DownlinkMessage;
import org.aidcmp.schemas.aid2.wire.InvalidAid2Message;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.apache.avro.specific.SpecificRecord;

/**
 * The CMP's side of AiD2 in a test, on the real broker: reads every vehicle's uplinks and presence (each uplink
 * held to its JSON Schema by {@link Aid2Json#readUplink}) and publishes downlinks as the downlink publisher does.
 */
final class CmpSide implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);

  /** An uplink as the CMP read it. */
  record Uplink(String vin, UplinkMessage message, SpecificRecord payload) {}

  private final Aid2Json json = new Aid2Json();
  /** Reads uplinks and presence, as the bridge does. */
  private final Mqtt5AsyncClient bridge;
  /** Publishes downlinks, as egress's downlink publisher does. */
  private final Mqtt5AsyncClient downlink;
  final List<Uplink> uplinks = new CopyOnWriteArrayList<>();
  final List<String> presence = new CopyOnWriteArrayList<>();
  final List<String> invalid = new CopyOnWriteArrayList<>();

  CmpSide(SharedBroker.TestBroker broker) throws Exception {
    bridge = client(broker, MqttRole.BRIDGE);
    downlink = client(broker, MqttRole.DOWNLINK);
    bridge.publishes(MqttGlobalPublishFilter.ALL, p -> {
      String topic = p.getTopic().toString();
      Aid2Topics.Address address = Aid2Topics.parse(topic).orElseThrow();
      byte[] payload = p.getPayloadAsBytes();
      try {
        if (address.direction() == Aid2Topics.Direction.PRESENCE) {
          presence.add(address.vin() + " " + (Aid2Json.readPresence(address.vin(), payload).getOnline()
              ? Aid2Topics.ONLINE : Aid2Topics.OFFLINE));
        } else if (address.direction() == Aid2Topics.Direction.UP) {
          UplinkMessage message = UplinkMessage.byTopicName(address.message()).orElseThrow();
          uplinks.add(new Uplink(address.vin(), message, json.readUplink(address.vin(), message, payload)));
        }
      } catch (InvalidAid2Message e) {
        invalid.add(topic + ": " + e.getMessage());
      }
    });
    connect(bridge, broker, MqttRole.BRIDGE);
    connect(downlink, broker, MqttRole.DOWNLINK);
    bridge.subscribeWith().topicFilter(Aid2Topics.shared(Aid2Topics.UPLINK_FILTER)).qos(MqttQos.AT_LEAST_ONCE)
        .addSubscription().topicFilter(Aid2Topics.PRESENCE_FILTER).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
        .send().get(30, TimeUnit.SECONDS);
  }

  private static Mqtt5AsyncClient client(SharedBroker.TestBroker broker, MqttRole role) {
    return MqttClient.builder().useMqttVersion5().identifier(role.serviceName() + "-" + UUID.randomUUID())
        .serverHost("127.0.0.1").serverPort(broker.broker().port()).buildAsync();
  }

  private void connect(Mqtt5AsyncClient client, SharedBroker.TestBroker broker, MqttRole role) throws Exception {
    ServiceCredentials credentials = SERVICES.computeIfAbsent(role, r -> broker.credentials().issueService(r));
    client.connectWith().cleanStart(true).simpleAuth().username(role.serviceName())
        .password(credentials.password().getBytes(java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth()
        .send().get(30, TimeUnit.SECONDS);
  }

  /** One password per service role for the whole run: issuing again would lock out a CMP side still open. */
  private static final java.util.Map<MqttRole, ServiceCredentials> SERVICES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Publishes a downlink with a new command id; returns the id. */
  String send(String vin, SpecificRecord payload) throws Exception {
    String commandId = UUID.randomUUID().toString();
    send(vin, commandId, payload);
    return commandId;
  }

  void send(String vin, String commandId, SpecificRecord payload) throws Exception {
    downlink.publishWith().topic(Aid2Topics.downlink(vin, DownlinkMessage.of(payload))).qos(MqttQos.AT_LEAST_ONCE)
        .payload(json.writeDownlink(commandId, payload)).send().get(30, TimeUnit.SECONDS);
  }

  /** The uplinks of {@code vin} of type {@code type}, in arrival order. */
  <T extends SpecificRecord> List<T> uplinks(String vin, Class<T> type) {
    List<T> found = new ArrayList<>();
    for (Uplink u : uplinks) {
      if (u.vin().equals(vin) && type.isInstance(u.payload())) {
        found.add(type.cast(u.payload()));
      }
    }
    return found;
  }

  /** Waits (bounded) until {@code vin} sent {@code count} uplinks of {@code type}; returns them. */
  <T extends SpecificRecord> List<T> await(String vin, Class<T> type, int count) throws InterruptedException {
    return await(vin + ": " + count + " " + type.getSimpleName(), () -> {
      List<T> found = uplinks(vin, type);
      return found.size() >= count ? found : null;
    });
  }

  <T> T await(String what, java.util.function.Supplier<T> probe) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      T found = probe.get();
      if (found != null) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + WAIT + "; uplinks so far " + uplinks.stream()
            .map(u -> u.vin() + " " + u.message().topicName()).toList() + ", presence " + presence
            + ", invalid " + invalid);
      }
      Thread.sleep(20);
    }
  }

  void awaitPresence(String vinAndState) throws InterruptedException {
    await("presence " + vinAndState, () -> presence.contains(vinAndState) ? Boolean.TRUE : null);
  }

  List<UplinkMessage> messagesOf(String vin, Predicate<Uplink> filter) {
    return uplinks.stream().filter(u -> u.vin().equals(vin)).filter(filter).map(Uplink::message).toList();
  }

  @Override
  public void close() throws Exception {
    bridge.disconnect().get(30, TimeUnit.SECONDS);
    downlink.disconnect().get(30, TimeUnit.SECONDS);
  }
}
