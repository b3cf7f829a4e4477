package org.aidcmp.egress.downlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.egress.SharedKafka;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Offsets commit behind PUBACKs only: on a broker of its own whose extension holds back the acknowledgement of
 * one vehicle's publishes ({@link BrokerGate}), the committed offset stops at that record however many commit
 * rounds pass, and moves on when the broker acknowledges. A publish the broker refuses is dead-lettered.
 */
@ExtendWith(SharedKafka.class)
class PubAckBeforeCommitTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final BrokerGate GATE = new BrokerGate();
  private static Path dir;
  private static EmbeddedMqttBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    dir = Files.createTempDirectory("aid-egress-gated-mqtt-");
    broker = EmbeddedMqttBroker.builder(dir).port(0).extension(GATE.extension()).build().start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    GATE.open();
    broker.close();
    SharedMqtt.deleteTree(dir);
  }

  @Test
  void theCommittedOffsetWaitsForThePubAckOfEveryRecordBeforeIt(SharedKafka.Endpoints endpoints) throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "puback", 1)) {
      String vin = DownlinkHarness.newVin();
      String slow = DownlinkHarness.newVin();
      GATE.hold(slow);
      TestVehicle vehicle = h.vehicle(vin).online();
      TestVehicle slowVehicle = h.vehicle(slow).online();
      String group = "downlink-puback";
      DownlinkPublisher publisher = h.start(h.settings(group));
      List<String> before = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        before.add(h.send(vin, DownlinkHarness.mixed(vin, i)).commandId());
      }
      DownlinkHarness.Sent held = h.send(slow, DownlinkHarness.mixed(slow, 0)); // offset 5
      for (int i = 5; i < 10; i++) {
        h.send(vin, DownlinkHarness.mixed(vin, i));
      }
      assertThat(held.offset()).isEqualTo(5);
      DownlinkHarness.await(WAIT, () -> "the first five delivered and committed; committed " + h.committed(group),
          () -> vehicle.commandIds().containsAll(before) && h.committed(group).getOrDefault(0, -1L) == 5L);

      // Twenty commit intervals and more: the offset stays at the record without PUBACK.
      long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < until) {
        assertThat(h.committed(group).get(0)).as("committed offset while offset 5 has no PUBACK").isEqualTo(5L);
        assertThat(publisher.inFlight()).as("the held publish waits in the window").isGreaterThanOrEqualTo(1);
        Thread.sleep(100);
      }
      assertThat(slowVehicle.received).as("the broker has not taken the held message in").isEmpty();

      GATE.open();
      DownlinkHarness.await(WAIT, () -> "committed to the end; committed " + h.committed(group),
          () -> h.committedToEnd(group));
      DownlinkHarness.await(WAIT, "the held message delivered", () -> slowVehicle.received.size() == 1);
      assertThat(slowVehicle.commandIds()).containsExactly(held.commandId());
      DownlinkHarness.await(WAIT, "all ten delivered", () -> vehicle.received.size() >= 10);
      assertThat(publisher.window()).as("bounded by the broker's receive maximum")
          .isLessThanOrEqualTo(EmbeddedMqttBroker.DEFAULT_SERVER_RECEIVE_MAXIMUM);
    }
  }

  @Test
  void aPublishTheBrokerRefuses_isDeadLetteredWithTheReasonCode_andTheRestGoesOn(SharedKafka.Endpoints endpoints)
      throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "refused", 1)) {
      String vin = DownlinkHarness.newVin();
      String refused = DownlinkHarness.newVin();
      GATE.refuse(refused);
      TestVehicle vehicle = h.vehicle(vin).online();
      String group = "downlink-refused";
      h.start(h.settings(group));
      List<String> good = new ArrayList<>();
      good.add(h.send(vin, DownlinkHarness.mixed(vin, 0)).commandId());
      DownlinkHarness.Sent bad = h.send(refused, DownlinkHarness.mixed(refused, 0));
      good.add(h.send(vin, DownlinkHarness.mixed(vin, 1)).commandId());
      DownlinkHarness.await(WAIT, "committed to the end", () -> h.committedToEnd(group));
      DownlinkHarness.await(WAIT, "both good ones delivered", () -> vehicle.received.size() >= 2);
      assertThat(vehicle.commandIds()).containsExactlyElementsOf(good);
      var letters = h.deadLetters();
      assertThat(letters).hasSize(1);
      DeadLetter letter = (DeadLetter) letters.get(0).getPayload();
      assertThat(letter.getSourceOffset()).isEqualTo(bad.offset());
      assertThat(letter.getReason()).contains("NOT_AUTHORIZED");
      assertThat(letters.get(0).getHeader().getRequestId()).isEqualTo(bad.commandId());
    }
  }
}
