package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Why the bridge cannot rely on the MQTT DUP flag to spot a repeat (UplinkTail): what HiveMQ CE sets when a member
 * of a share group is lost with messages unacknowledged. The lost member's connection runs through a proxy the test
 * cuts (the broker sees the connection drop, as with a SIGKILL); the DUP flag is read from the HiveMQ client's
 * internals (its API does not expose it), which a control proves can see it.
 * <ul>
 *   <li>control: a non-shared subscription resumed after the cut gets its unacknowledged message again with DUP set
 *       (MQTT 5 §4.4), so the flag is read correctly;</li>
 *   <li>the finding: a shared-subscription message the lost member held reaches another member of the group with DUP
 *       not set (HiveMQ CE only drops its in-flight marker and hands it out as new).</li>
 * </ul>
 */
@ExtendWith(BridgeStack.class)
class RedeliveryDupFlagTest {
  private static final Aid2Json JSON = new Aid2Json();

  @Test
  void aResumedSessionGetsItsUnacknowledgedMessageAgainWithDup(BridgeStack.Stack stack) throws Exception {
    String vin = stack.vin("DUPC");
    String filter = Aid2Topics.PRESENCE_FILTER;
    Probe lost;
    try (HoldableProxy proxy = new HoldableProxy(stack.broker.port())) {
      lost = new Probe(stack, "dup-control", proxy.port(), false, filter, false);
      try (Vehicle car = stack.vehicle(vin)) {
        Vehicle.join(car.publish(Aid2Topics.presence(vin), "online".getBytes(StandardCharsets.UTF_8)));
        Await.until("the control got the presence", () -> lost.ofVin(vin).size() == 1);
        assertThat(lost.ofVin(vin).get(0).dup()).isFalse();
      }
    }
    Probe resumed = new Probe(stack, "dup-control", stack.broker.port(), false, filter, true);
    try {
      Await.until("the resumed session got it again", () -> resumed.ofVin(vin).size() == 1);
      assertThat(resumed.ofVin(vin).get(0).dup()).as("DUP on a resend to the same session").isTrue();
    } finally {
      resumed.endSession();
    }
  }

  @Test
  void aSharedMessageALostMemberHeldReachesAnotherMemberWithoutDup(BridgeStack.Stack stack) throws Exception {
    String shared = Aid2Topics.shared(Aid2Topics.UPLINK_FILTER);
    Probe other = new Probe(stack, "dup-other", stack.broker.port(), true, shared, true);
    try {
      List<Probe.Seen> handedOver = new CopyOnWriteArrayList<>();
      // The stack's bridge is in the group too and may take every message the lost member held: a few rounds.
      for (int round = 0; round < 10 && handedOver.isEmpty(); round++) {
        String vin = stack.vin("DUPS");
        try (HoldableProxy proxy = new HoldableProxy(stack.broker.port()); Vehicle car = stack.vehicle(vin)) {
          Probe lost = new Probe(stack, "dup-lost-" + round, proxy.port(), true, shared, false);
          // HiveMQ CE hands a message to a random idle member only when the group's queue was empty (else the
          // member finishing its in-flight ones takes it): one at a time, until the lost member holds one.
          for (int m = 0; m < 60 && lost.ofVin(vin).isEmpty(); m++) {
            car.publish(Aid2Topics.uplink(vin, UplinkMessage.CSIM_STATUS),
                JSON.writeUplink(Uplinks.csimStatus(vin, 1_700_000_000L + m))).join();
            Await.settle(Duration.ofMillis(200));
          }
          Await.until("the lost member holds some", () -> !lost.ofVin(vin).isEmpty());
          Await.settle(Duration.ofMillis(500));
          Set<String> held = lost.ofVin(vin).stream().map(Probe.Seen::payload).collect(Collectors.toSet());
          proxy.cut();
          // Every held message goes to a member still there: the stack's bridge (onto Kafka) or the other probe.
          Await.until("what the lost member held is handed on", Duration.ofSeconds(60), () -> held.stream()
              .allMatch(p -> other.payloads().contains(p) || onKafka(stack, vin, p)), () -> held.size() + " held");
          other.ofVin(vin).stream().filter(s -> held.contains(s.payload())).forEach(handedOver::add);
        } finally {
          Probe.end(stack, "dup-lost-" + round);
        }
      }
      assertThat(handedOver).as("the other member got some of what the lost one held").isNotEmpty();
      assertThat(handedOver).as("handed over as new: no DUP").allSatisfy(s -> assertThat(s.dup()).isFalse());
      System.out.printf("shared redelivery: %d messages handed on to another member, DUP set on %d%n",
          handedOver.size(), handedOver.stream().filter(Probe.Seen::dup).count());
    } finally {
      other.endSession();
    }
  }

  private static boolean onKafka(BridgeStack.Stack stack, String vin, String payload) {
    Object record;
    try {
      record = JSON.readUplink(vin, UplinkMessage.CSIM_STATUS, payload.getBytes(StandardCharsets.UTF_8));
    } catch (org.aidcmp.schemas.aid2.wire.InvalidAid2Message e) {
      throw new AssertionError("the test's own payload", e);
    }
    return stack.tap.uplinks(vin).stream().anyMatch(s -> s.value().getPayload().equals(record));
  }

  /** A client with the bridge's login, noting each message with its DUP flag; acknowledges only if told to. */
  static final class Probe {
    record Seen(String topic, String payload, boolean dup) {}

    final Mqtt5AsyncClient client;
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    Probe(BridgeStack.Stack stack, String instance, int port, boolean shared, String filter, boolean acknowledge) {
      client = MqttClient.builder().useMqttVersion5().identifier(stack.bridgeLogin.clientId(instance))
          .serverHost("127.0.0.1").serverPort(port).simpleAuth().username(stack.bridgeLogin.username())
          .password(stack.bridgeLogin.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
      client.publishes(MqttGlobalPublishFilter.ALL, p -> {
        seen.add(new Seen(p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8), dup(p)));
        if (acknowledge) {
          p.acknowledge();
        }
      }, true);
      Vehicle.join(client.connectWith().cleanStart(false).sessionExpiryInterval(600).restrictions()
          .receiveMaximum(10).applyRestrictions().send());
      Vehicle.join(client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send());
    }

    List<Seen> ofVin(String vin) {
      return seen.stream().filter(s -> s.topic().contains("/" + vin + "/")).toList();
    }

    Set<String> payloads() {
      return seen.stream().map(Seen::payload).collect(Collectors.toSet());
    }

    /** Ends a session the cut left on the broker (no member left behind in the share group). */
    static void end(BridgeStack.Stack stack, String instance) {
      Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(stack.bridgeLogin.clientId(instance))
          .serverHost("127.0.0.1").serverPort(stack.broker.port()).simpleAuth().username(stack.bridgeLogin.username())
          .password(stack.bridgeLogin.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
      Vehicle.join(c.connectWith().cleanStart(true).send());
      Vehicle.join(c.disconnectWith().sessionExpiryInterval(0).send());
    }

    /** Disconnects ending the session (none left in the share group). */
    void endSession() {
      Vehicle.join(client.disconnectWith().sessionExpiryInterval(0).send());
    }

    /** The PUBLISH's DUP flag: the HiveMQ client keeps it in the stateful packet behind the confirmable. */
    private static boolean dup(Mqtt5Publish publish) {
      try {
        Object confirmable = field(publish, "confirmable");
        Object withFlows = field(confirmable, "publishWithFlows");
        Object stateful = field(withFlows, "publish");
        return (boolean) stateful.getClass().getMethod("isDup").invoke(stateful);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError("the HiveMQ client's internals changed: " + e, e);
      }
    }

    private static Object field(Object of, String name) throws ReflectiveOperationException {
      for (Class<?> c = of.getClass(); c != null; c = c.getSuperclass()) {
        try {
          Field f = c.getDeclaredField(name);
          f.setAccessible(true);
          return f.get(of);
        } catch (NoSuchFieldException next) {
          // up the hierarchy
        }
      }
      throw new NoSuchFieldException(name + " in " + of.getClass());
    }
  }
}
