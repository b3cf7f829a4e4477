package org.aidcmp.egress.downlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.aidcmp.egress.SharedKafka;
import org.aidcmp.schemas.aid2.wire.Aid2AsyncApi;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.DownlinkMessage;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The vehicle downlink on the embedded stack (real Kafka, registry, HiveMQ): what lifecycle-streams writes to the
 * downlink topic reaches the vehicle it is for, as the JSON of §7.2 the AsyncAPI document describes.
 */
@ExtendWith({SharedKafka.class, SharedMqtt.class})
class DownlinkDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final Aid2Json json = new Aid2Json();
  private final Aid2AsyncApi asyncApi = Aid2AsyncApi.load();

  @Test
  void everyDownlinkMessage_7_2_reachesItsOwnVehicleExactlyOnce_andIsWhatTheAsyncApiDocumentDescribes(
      SharedKafka.Endpoints endpoints, SharedMqtt.Broker broker) throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "every", 3)) {
      String vinA = DownlinkHarness.newVin();
      String vinB = DownlinkHarness.newVin();
      TestVehicle a = h.vehicle(vinA).online();
      TestVehicle b = h.vehicle(vinB).online();
      String group = "downlink-every";
      DownlinkPublisher publisher = h.start(h.settings(group));
      List<DownlinkHarness.Sent> sent = new ArrayList<>();
      for (String vin : List.of(vinA, vinB)) {
        for (SpecificRecord payload : DownlinkHarness.everyMessage(vin)) {
          sent.add(h.send(vin, payload));
        }
      }
      DownlinkHarness.await(WAIT, () -> "5 messages each; A " + a.received.size() + ", B " + b.received.size()
          + ", publisher failure " + publisher.failure(), () -> a.received.size() >= 5 && b.received.size() >= 5);
      DownlinkHarness.await(WAIT, "offsets committed to the end", () -> h.committedToEnd(group));
      Thread.sleep(500); // a repeat would arrive now

      for (TestVehicle vehicle : List.of(a, b)) {
        List<DownlinkHarness.Sent> forIt = sent.stream().filter(s -> s.vin().equals(vehicle.vin)).toList();
        assertThat(vehicle.commandIds()).as("each of its commands once, in order, nothing of another vehicle")
            .containsExactlyElementsOf(forIt.stream().map(DownlinkHarness.Sent::commandId).toList());
        for (int i = 0; i < forIt.size(); i++) {
          DownlinkHarness.Sent s = forIt.get(i);
          TestVehicle.Received r = vehicle.received.get(i);
          DownlinkMessage message = s.message();
          assertThat(r.topic()).isEqualTo(Aid2Topics.downlink(vehicle.vin, message));
          assertThat(json.violations(message, r.payload())).as("%s fits its JSON Schema", message).isEmpty();
          assertThat(asyncApi.channels()).as("the AsyncAPI document has %s as a channel the CMP sends on", r.topic())
              .anySatisfy(channel -> {
                assertThat(channel.address().replace("{vin}", vehicle.vin)).isEqualTo(r.topic());
                assertThat(channel.action()).isEqualTo("send");
                assertThat(channel.schemaRef()).endsWith(message.topicName() + ".schema.json");
              });
          Aid2Json.Downlink read = json.readDownlink(message, r.payload());
          assertThat(read.commandId()).as("CommandId = the envelope's messageId").isEqualTo(s.commandId());
          assertThat(read.payload()).as("the vehicle reads back what lifecycle-streams decided").isEqualTo(s.payload());
        }
      }
      assertThat(a.received).extracting(TestVehicle.Received::topic)
          .extracting(t -> Aid2Topics.parse(t).orElseThrow().message())
          .containsExactlyInAnyOrderElementsOf(Set.of(DownlinkMessage.values()).stream()
              .map(DownlinkMessage::topicName).toList());
      assertThat(h.deadLetters()).isEmpty();
      assertThat(publisher.failure()).isNull();
    }
  }

  @Test
  void aVehicleOfflineWithAPersistentMqtt5Session_getsEveryMessageInOrderWhenItReconnects_4_4(
      SharedKafka.Endpoints endpoints, SharedMqtt.Broker broker) throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "offline5", 2)) {
      String vin = DownlinkHarness.newVin();
      TestVehicle vehicle = h.vehicle(vin);
      vehicle.connect(true, 3600); // session kept an hour after the connection ends (MQTT 5 session expiry)
      vehicle.subscribe();
      vehicle.disconnect();
      String group = "downlink-offline5";
      h.start(h.settings(group));
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        sent.add(h.send(vin, DownlinkHarness.mixed(vin, i)).commandId());
      }
      // Committed means the broker acknowledged every publish while the vehicle was away: they wait in its session.
      DownlinkHarness.await(WAIT, "offsets committed to the end", () -> h.committedToEnd(group));
      assertThat(vehicle.received).as("nothing while offline").isEmpty();

      assertThat(vehicle.connect(false, 3600)).as("its session was still there").isTrue();
      DownlinkHarness.await(WAIT, () -> "30 messages, got " + vehicle.received.size(), () -> vehicle.received.size() >= 30);
      Thread.sleep(500);
      assertThat(vehicle.commandIds()).as("all of them, once, in the order decided").containsExactlyElementsOf(sent);
    }
  }

  @Test
  void anMqtt311VehicleWithCleanSessionFalse_getsItsMessagesOnlineAndAfterBeingAway(
      SharedKafka.Endpoints endpoints, SharedMqtt.Broker broker) throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "mqtt311", 2)) {
      String vin = DownlinkHarness.newVin();
      TestVehicle vehicle = h.vehicle311(vin);
      vehicle.connect(false, 1); // clean session false
      vehicle.subscribe();
      String group = "downlink-mqtt311";
      h.start(h.settings(group));
      List<String> sent = new ArrayList<>();
      for (SpecificRecord payload : DownlinkHarness.everyMessage(vin)) {
        sent.add(h.send(vin, payload).commandId());
      }
      DownlinkHarness.await(WAIT, () -> "5 online, got " + vehicle.received.size(), () -> vehicle.received.size() >= 5);
      vehicle.disconnect();
      for (SpecificRecord payload : DownlinkHarness.everyMessage(vin)) {
        sent.add(h.send(vin, payload).commandId());
      }
      DownlinkHarness.await(WAIT, "offsets committed to the end", () -> h.committedToEnd(group));
      assertThat(vehicle.connect(false, 1)).as("its session was still there").isTrue();
      DownlinkHarness.await(WAIT, () -> "10 in all, got " + vehicle.received.size(), () -> vehicle.received.size() >= 10);
      Thread.sleep(500);
      assertThat(vehicle.commandIds()).containsExactlyElementsOf(sent);
      for (TestVehicle.Received r : vehicle.received) {
        DownlinkMessage message = DownlinkMessage.byTopicName(Aid2Topics.parse(r.topic()).orElseThrow().message()).orElseThrow();
        assertThat(json.violations(message, r.payload())).isEmpty();
      }
    }
  }

  @Test
  void poisonRecordsOnTheDownlinkTopic_areDeadLetteredWithTheirBytes_andEverythingElseGoesOn(
      SharedKafka.Endpoints endpoints, SharedMqtt.Broker broker) throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "poison", 1)) {
      String vin = DownlinkHarness.newVin();
      String other = DownlinkHarness.newVin();
      TestVehicle vehicle = h.vehicle(vin).online();
      String group = "downlink-poison";
      DownlinkPublisher publisher = h.start(h.settings(group));
      List<String> good = new ArrayList<>();
      Map<Long, String> poison = new java.util.TreeMap<>();
      good.add(h.send(vin, DownlinkHarness.mixed(vin, 0)).commandId());
      poison.put(h.sendRaw(0, vin, null), "tombstone");
      good.add(h.send(vin, DownlinkHarness.mixed(vin, 1)).commandId());
      poison.put(h.sendRaw(0, vin, "not avro at all".getBytes(StandardCharsets.UTF_8)), "undecodable");
      poison.put(h.sendRaw(0, vin, new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3}), "undecodable");
      // An activation code for the vehicle under another key: must not reach either vehicle.
      DownlinkHarness.Sent misrouted = h.send(other, DownlinkHarness.everyMessage(vin).get(0));
      poison.put(misrouted.offset(), "RequestId.VehicleID is not the record's key");
      DownlinkHarness.Sent noKey = h.send(vin, DownlinkHarness.mixed(vin, 2));
      good.add(noKey.commandId()); // a control: the same payload with its key goes through
      poison.put(h.sendRaw(0, null, new byte[] {0, 0, 0, 0, 1}), "no key");
      poison.put(h.sendRaw(0, "a/b/#", new byte[] {0, 0, 0, 0, 1}), "MQTT topic level");
      for (int i = 3; i < 8; i++) {
        good.add(h.send(vin, DownlinkHarness.mixed(vin, i)).commandId());
      }

      DownlinkHarness.await(WAIT, "offsets committed to the end", () -> h.committedToEnd(group));
      DownlinkHarness.await(WAIT, () -> good.size() + " messages, got " + vehicle.received.size(),
          () -> vehicle.received.size() >= good.size());
      assertThat(vehicle.commandIds()).as("every good record, in order, nothing else").containsExactlyElementsOf(good);
      assertThat(publisher.failure()).isNull();

      List<DeadLetterRecord> letters = h.deadLetters();
      assertThat(letters).extracting(l -> ((DeadLetter) l.getPayload()).getSourceOffset())
          .containsExactlyInAnyOrderElementsOf(poison.keySet());
      for (DeadLetterRecord letter : letters) {
        DeadLetter l = (DeadLetter) letter.getPayload();
        assertThat(l.getStage()).isEqualTo(DownlinkDeadLetters.STAGE);
        assertThat(l.getSourceTopic()).isEqualTo(h.downlink);
        assertThat(l.getReason()).contains(poison.get(l.getSourceOffset())).doesNotContain(DownlinkHarness.ACTIVATION_CODE);
      }
      DeadLetter misroutedLetter = letters.stream().map(r -> (DeadLetter) r.getPayload())
          .filter(l -> l.getSourceOffset() == misrouted.offset()).findFirst().orElseThrow();
      assertThat(misroutedLetter.getValue()).as("the record's bytes, to redrive").isNotNull();
      assertThat(letters.stream().map(r -> r.getHeader().getRequestId()).collect(Collectors.toList()))
          .as("the command id where the record had one").contains(misrouted.commandId());
    }
  }
}
