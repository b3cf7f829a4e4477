package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two bridges in the share group forward every uplink (AID.02 §7.2) while a third member of the group has just
 * left, its session kept (as a stopped bridge's is), and a fourth has just had its connection cut: the broker hands
 * nothing to a member that is not connected, and both bridges keep taking the group's queue. Each round is
 * published once the previous one is on Kafka, so the group's queue runs empty between rounds and the broker offers
 * each round's first message to a random idle bridge (HiveMQ CE's hand-out): both bridges write. Both bridges start
 * a new session here, one filter per SUBSCRIBE ({@code Aid2Bridge}; the cause of the stall this test guards is
 * shown in infra/embedded-mqtt {@code SharedSubscriptionHandOutTest}).
 */
@ExtendWith(BridgeStack.class)
class TwoBridgesShareTheGroupTest {
  private static final Aid2Json JSON = new Aid2Json();
  private static final int VEHICLES = 5;
  private static final int ROUNDS = 20;
  private static final int PER_ROUND = 2; // messages per vehicle and round
  private static final long BASE = 1_700_000_000L;

  @Test
  void twoBridgesForwardEveryUplink_aThirdMemberJustStoppedAndAFourthCut(BridgeStack.Stack stack) throws Exception {
    String left = BridgeSettings.CLIENT_ID_PREFIX + "share-left";
    String cut = BridgeSettings.CLIENT_ID_PREFIX + "share-cut";
    List<Vehicle> vehicles = new ArrayList<>();
    List<String> vins = new ArrayList<>();
    List<String> toLeft = new CopyOnWriteArrayList<>();
    stack.parkBridge();
    Aid2Bridge a = null;
    Aid2Bridge c = null;
    try (HoldableProxy proxy = new HoldableProxy(stack.broker.port())) {
      // The stack's bridge with a new session, as a bridge's first start (its old one ended).
      endSession(stack, BridgeSettings.CLIENT_ID_PREFIX + BridgeStack.BRIDGE_INSTANCE);
      a = stack.resumeBridge();
      c = Aid2Bridge.start(stack.settings("share-c").withReceiveMaximum(50), stack.registry, Duration.ofSeconds(30));
      Aid2Bridge fa = a;
      Aid2Bridge fc = c;
      Mqtt5AsyncClient leaving = member(stack, left, stack.broker.port(), toLeft);
      Mqtt5AsyncClient cutOff = member(stack, cut, proxy.port(), toLeft);
      for (int i = 0; i < VEHICLES; i++) {
        String vin = stack.vin("SHR");
        vins.add(vin);
        vehicles.add(stack.vehicle(vin));
      }
      Vehicle.join(leaving.disconnect()); // normal DISCONNECT: the session (600 s) stays in the group
      proxy.cut(); // no DISCONNECT at all: the broker sees the reset
      Await.until("the cut member gone", Duration.ofSeconds(60), () -> !cutOff.getState().isConnected(), () -> "");

      AtomicInteger published = new AtomicInteger();
      for (int r = 0; r < ROUNDS; r++) {
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int m = 0; m < PER_ROUND; m++) {
          long timestamp = BASE + (long) r * PER_ROUND + m;
          for (Vehicle v : vehicles) {
            acks.add(v.publish(Aid2Topics.uplink(v.vin, UplinkMessage.CSIM_STATUS),
                JSON.writeUplink(Uplinks.csimStatus(v.vin, timestamp))));
          }
        }
        acks.forEach(Vehicle::join);
        int expected = published.addAndGet(acks.size());
        // Bounded: a group whose queue nobody takes shows as a round that never completes.
        Await.until("round " + r + " on Kafka", Duration.ofSeconds(120), () -> records(stack, vins) >= expected,
            () -> "(" + records(stack, vins) + " of " + expected + "; A " + fa.stats() + ", C " + fc.stats() + ")");
      }
      int total = VEHICLES * ROUNDS * PER_ROUND;
      Await.until("nothing in flight", () -> fa.stats().inFlight() == 0 && fc.stats().inFlight() == 0);
      List<KafkaTap.Seen<org.aidcmp.schemas.aid2.Aid2Uplink>> seen = new ArrayList<>();
      vins.forEach(vin -> seen.addAll(stack.tap.uplinks(vin)));
      assertThat(seen).as("one record per message").hasSize(total);
      assertThat(seen.stream().map(s -> s.value().getHeader().getMessageId()).distinct().count())
          .as("no messageId twice").isEqualTo(total);
      long byA = seen.stream().filter(s -> fa.clientId().equals(s.writtenBy())).count();
      long byC = seen.stream().filter(s -> fc.clientId().equals(s.writtenBy())).count();
      assertThat(byA + byC).as("all written by the two bridges").isEqualTo(total);
      assertThat(byA).as("by A").isPositive();
      assertThat(byC).as("by C").isPositive();

      // Idle, each bridge SUBSCRIBEs again (Aid2Bridge.IDLE_RESUBSCRIBE); that changes nothing on Kafka.
      Await.until("both bridges idle long enough to SUBSCRIBE again", Duration.ofSeconds(120),
          () -> fa.idleSubscribes() > 0 && fc.idleSubscribes() > 0, () -> "");
      assertThat(vins.stream().mapToLong(vin -> stack.tap.uplinks(vin).size()).sum()).isEqualTo(total);

      // Nothing was kept for the member that left: its resumed session gets none of them.
      Mqtt5AsyncClient back = member(stack, left, stack.broker.port(), toLeft);
      Vehicle.join(back.disconnectWith().sessionExpiryInterval(0).send());
      assertThat(toLeft).as("handed to the members not connected").isEmpty();
      System.out.printf("two bridges sharing the group, a third member stopped and a fourth cut: %d messages, %d"
          + " records, by A %d, by C %d%n", total, seen.size(), byA, byC);
    } finally {
      vehicles.forEach(Vehicle::close);
      if (c != null) {
        c.close();
      }
      endSession(stack, BridgeSettings.CLIENT_ID_PREFIX + "share-c");
      endSession(stack, left);
      endSession(stack, cut);
      if (a == null) {
        stack.resumeBridge();
      }
    }
  }

  private static long records(BridgeStack.Stack stack, List<String> vins) {
    return vins.stream().mapToLong(vin -> stack.tap.uplinks(vin).size()).sum();
  }

  /**
   * A member of the bridges' group with the bridge's login and a persistent session (600 s) that notes the topic of
   * every uplink it gets (and acknowledges it).
   */
  private static Mqtt5AsyncClient member(BridgeStack.Stack stack, String clientId, int port, List<String> got) {
    Mqtt5AsyncClient m = MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
        .serverPort(port).simpleAuth().username(stack.bridgeLogin.username())
        .password(stack.bridgeLogin.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
    m.publishes(MqttGlobalPublishFilter.ALL, p -> got.add(p.getTopic().toString()));
    Vehicle.join(m.connectWith().cleanStart(false).sessionExpiryInterval(600).send());
    Vehicle.join(m.subscribeWith().topicFilter(Aid2Topics.shared(Aid2Topics.UPLINK_FILTER))
        .qos(MqttQos.AT_LEAST_ONCE).send());
    return m;
  }

  /** Ends a client's session on the broker (and so its place in the group). */
  private static void endSession(BridgeStack.Stack stack, String clientId) {
    Mqtt5AsyncClient m = MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
        .serverPort(stack.broker.port()).simpleAuth().username(stack.bridgeLogin.username())
        .password(stack.bridgeLogin.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
    Vehicle.join(m.connectWith().cleanStart(true).sessionExpiryInterval(0).send());
    Vehicle.join(m.disconnect());
  }
}
