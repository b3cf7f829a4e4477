package org.aidcmp.infra.mqtt;

import static org.aidcmp.infra.mqtt.TestClient.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.aidcmp.infra.mqtt.stamp.BrokerStamp;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's stamp on a vehicle's uplink ({@link BrokerStamp}; AID.02 §7.2 messages, §5.2.1 RequestId): what the
 * bridge takes as a message's identity. On the real embedded HiveMQ CE with the AiD2 security, real clients:
 * <ul>
 *   <li>two identical publishes are two messages: distinct stamps, each marked a first delivery;</li>
 *   <li>a stamp (and a first-delivery mark) a vehicle sends itself is replaced, not kept;</li>
 *   <li>a shared-subscription message a lost member held reaches another member with the same stamp and without
 *       the first-delivery mark (so the bridge checks it), while HiveMQ gives it no DUP flag;</li>
 *   <li>an MQTT 3.1.1 vehicle's uplink is stamped too; presence is not.</li>
 * </ul>
 */
@Timeout(180)
class BrokerStampTest {
  static final String VIN = "WBAUX11030A334483";
  static final String SHARED = "$share/aid-bridge/aid2/v1/vehicles/+/up/#";
  static final String UPLINK = "aid2/v1/vehicles/" + VIN + "/up/csim-status";

  @TempDir static Path tmp;
  static EmbeddedMqttBroker broker;
  static VehicleCredentials vehicle;
  static ServiceCredentials bridge;

  @BeforeAll
  static void start() throws Exception {
    CarAndBridge stack = CarAndBridge.start(tmp, VIN);
    broker = stack.broker();
    vehicle = stack.vehicle();
    bridge = stack.bridge();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void twoIdenticalPublishesGetDistinctStamps_eachAFirstDelivery() {
    try (TestClient member = member("same-bytes", broker.port()).connect().subscribe(SHARED);
        TestClient car = car()) {
      TestClient.get(car.publish(UPLINK, "{\"same\":\"bytes\"}", false));
      TestClient.get(car.publish(UPLINK, "{\"same\":\"bytes\"}", false));
      member.awaitAsAShareMember(TestClient.WAIT, SHARED, () -> member.received.size() == 2);
      List<String> stamps = member.received.stream().map(p -> stamp(p).orElseThrow()).toList();
      assertThat(stamps.get(0)).isNotEqualTo(stamps.get(1));
      assertThat(member.received).allSatisfy(p -> assertThat(delivery(p)).contains(BrokerStamp.FIRST));
    }
  }

  @Test
  void aStampOrMarkTheVehicleSendsItselfIsReplaced() {
    try (TestClient member = member("forged", broker.port()).connect().subscribe(SHARED)
            .subscribe("aid2/v1/vehicles/+/presence");
        TestClient car = car()) {
      Mqtt5UserProperties forged = Mqtt5UserProperties.builder().add(BrokerStamp.PROPERTY, "forged-1")
          .add(BrokerStamp.PROPERTY, "forged-2").add(BrokerStamp.DELIVERY_PROPERTY, BrokerStamp.FIRST).build();
      TestClient.get(send(car, UPLINK, forged));
      TestClient.get(send(car, "aid2/v1/vehicles/" + VIN + "/presence", forged));
      member.awaitAsAShareMember(TestClient.WAIT, SHARED,
          () -> member.received.stream().anyMatch(p -> p.getTopic().toString().equals(UPLINK))
              && member.received.stream().anyMatch(p -> p.getTopic().toString().endsWith("/presence")));
      Mqtt5Publish up = member.received.stream().filter(p -> p.getTopic().toString().equals(UPLINK)).findFirst()
          .orElseThrow();
      assertThat(all(up, BrokerStamp.PROPERTY)).hasSize(1).doesNotContain("forged-1", "forged-2");
      assertThat(all(up, BrokerStamp.DELIVERY_PROPERTY)).containsExactly(BrokerStamp.FIRST);
      Mqtt5Publish presence = member.received.stream().filter(p -> p.getTopic().toString().endsWith("/presence"))
          .findFirst().orElseThrow();
      // Presence is not an uplink message: no stamp; the forged one is not trusted there either.
      assertThat(all(presence, BrokerStamp.DELIVERY_PROPERTY)).isEmpty();
      assertThat(all(presence, BrokerStamp.PROPERTY)).isEmpty();
    }
  }

  /**
   * The lost member is alone in the group when the message comes, so it surely holds it (unacknowledged); then a
   * second member joins and the first one's connection is cut (no DISCONNECT).
   */
  @Test
  void aSharedMessageALostMemberHeldReachesAnotherMemberWithTheSameStamp_notMarkedFirst() throws Exception {
    TestClient other = null;
    try (CuttableProxy proxy = new CuttableProxy(broker.port());
        TestClient lost = holding("lost", proxy.port());
        TestClient car = car()) {
      lost.connect(true, 600);
      lost.subscribe(SHARED);
      TestClient.get(car.publish(UPLINK, "held", false));
      awaitUntil(TestClient.WAIT, () -> HELD.size() == 1);
      Mqtt5Publish held = HELD.get(0);
      assertThat(delivery(held)).contains(BrokerStamp.FIRST);
      other = member("other", broker.port()).connect().subscribe(SHARED);
      proxy.cut();
      TestClient receiver = other;
      // No new traffic needed: HiveMQ hands it on when it sees the connection gone.
      receiver.awaitAsAShareMember(TestClient.WAIT, SHARED, () -> receiver.received.size() == 1);
      Mqtt5Publish again = other.received.get(0);
      assertThat(new String(again.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("held");
      assertThat(stamp(again)).isEqualTo(stamp(held)).isPresent();
      assertThat(delivery(again)).as("a redelivery is not a first delivery").isEmpty();
    } finally {
      if (other != null) {
        other.close();
      }
      endSession("lost");
    }
  }

  @Test
  void anMqtt311VehiclesUplinkIsStampedToo() {
    try (TestClient member = member("v3", broker.port()).connect().subscribe(SHARED)) {
      Mqtt3AsyncClient car = Logins.v3(Logins.plain(broker, VIN), vehicle.username(), vehicle.password())
          .buildAsync();
      TestClient.get(car.connect());
      try {
        TestClient.get(car.publishWith().topic(UPLINK).qos(MqttQos.AT_LEAST_ONCE)
            .payload("v3".getBytes(StandardCharsets.UTF_8)).send());
        member.awaitAsAShareMember(TestClient.WAIT, SHARED, () -> member.received.size() == 1);
        assertThat(stamp(member.received.get(0))).isPresent();
        assertThat(delivery(member.received.get(0))).contains(BrokerStamp.FIRST);
      } finally {
        TestClient.get(car.disconnect());
      }
    }
  }

  private static TestClient car() {
    return new TestClient(Logins.v5(Logins.plain(broker, VIN), vehicle.username(), vehicle.password())).connect();
  }

  /** A member of the bridges' share group with the bridge's login. */
  private static TestClient member(String instance, int port) {
    return new TestClient(login(instance, port));
  }

  /** What {@link #holding} got: it never acknowledges. */
  private static final List<Mqtt5Publish> HELD = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * A member that notes each message in {@link #HELD} and never acknowledges it (a manually acknowledged flow beside
   * the client's own: the HiveMQ client sends the PUBACK only when every flow acknowledged).
   */
  private static TestClient holding(String instance, int port) {
    TestClient client = new TestClient(login(instance, port));
    client.mqtt.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.SUBSCRIBED, HELD::add, true);
    return client;
  }

  private static com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder login(String instance, int port) {
    return Logins.v5(com.hivemq.client.mqtt.MqttClient.builder().identifier(bridge.clientId(instance))
        .serverHost("127.0.0.1").serverPort(port), bridge.username(), bridge.password());
  }

  private static void endSession(String instance) {
    try (TestClient c = member(instance, broker.port())) {
      c.connect(true, 0);
    }
  }

  private static CompletableFuture<Void> send(TestClient car, String topic, Mqtt5UserProperties properties) {
    return car.mqtt.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).userProperties(properties)
        .payload("x".getBytes(StandardCharsets.UTF_8)).send()
        .thenAccept(r -> r.getError().ifPresent(e -> {
          throw new CompletionException(e);
        }));
  }

  private static Optional<String> stamp(Mqtt5Publish p) {
    List<String> stamps = all(p, BrokerStamp.PROPERTY);
    assertThat(stamps).as("at most one stamp").hasSizeLessThanOrEqualTo(1);
    return stamps.stream().findFirst();
  }

  private static Optional<String> delivery(Mqtt5Publish p) {
    return all(p, BrokerStamp.DELIVERY_PROPERTY).stream().findFirst();
  }

  private static List<String> all(Mqtt5Publish p, String name) {
    return p.getUserProperties().asList().stream().filter(u -> u.getName().toString().equals(name))
        .map(u -> u.getValue().toString()).toList();
  }
}
