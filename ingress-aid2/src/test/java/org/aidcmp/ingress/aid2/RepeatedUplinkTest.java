package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.aidcmp.infra.mqtt.stamp.BrokerStamp;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What is a repeat and what is not. A message's identity is the broker's stamp, so a vehicle sending the same bytes
 * twice sends two messages (AID.02 §5.2.1: a related message keeps the old Timestamp; e.g. csim-status "enabled",
 * "disabled", "enabled" again within one second) and both are written; only the broker's redelivery of one stamp is
 * a repeat (TwoBridgesKillTest). Presence is written every time (its messageIds repeat by design).
 */
@ExtendWith(BridgeStack.class)
class RepeatedUplinkTest {
  private static final Aid2Json JSON = new Aid2Json();

  @Test
  void theSameBytesTwiceAreTwoMessages_twoRecords_5_2_1(BridgeStack.Stack stack) {
    String vin = stack.vin("RPT");
    byte[] same = JSON.writeUplink(Uplinks.csimStatus(vin, 1_700_000_000L));
    String topic = Aid2Topics.uplink(vin, UplinkMessage.CSIM_STATUS);
    long repeatsBefore = stack.bridge.stats().repeats();
    try (Vehicle vehicle = stack.vehicle(vin)) {
      vehicle.publish(topic, same).join();
      vehicle.publish(topic, same).join();
      Await.until("both on Kafka", () -> stack.tap.uplinks(vin).size() >= 2);
      Await.until("nothing left unacknowledged", () -> stack.bridge.stats().inFlight() == 0);
      var records = stack.tap.uplinks(vin);
      assertThat(records).hasSize(2);
      assertThat(records.get(0).value().getPayload()).isEqualTo(records.get(1).value().getPayload());
      assertThat(records).extracting(KafkaTap.Seen::stamp).doesNotContainNull().doesNotHaveDuplicates();
      assertThat(records).allSatisfy(s -> assertThat(s.value().getHeader().getMessageId())
          .isEqualTo(UplinkReader.stampedMessageId(vin, "csim-status", s.stamp())));
      assertThat(records).extracting(s -> s.value().getHeader().getMessageId()).doesNotHaveDuplicates();
      assertThat(stack.bridge.stats().repeats()).isEqualTo(repeatsBefore);
    }
  }

  @Test
  void presenceIsWrittenEveryTimeThoughItsMessageIdRepeats(BridgeStack.Stack stack) {
    String vin = stack.vin("PRS");
    try (Vehicle vehicle = stack.vehicle(vin)) {
      for (int i = 0; i < 3; i++) {
        vehicle.publish(Aid2Topics.presence(vin), Aid2Json.presencePayload(true)).join();
      }
      Await.until("three presence records", () -> stack.tap.uplinks(vin).size() >= 3);
      Await.settle(Duration.ofSeconds(1));
      assertThat(stack.tap.uplinks(vin)).hasSize(3)
          .extracting(s -> s.value().getHeader().getMessageId()).containsOnly(
              stack.tap.uplinks(vin).get(0).value().getHeader().getMessageId());
    }
  }

  /** The bridge's names are the broker plug-in's (the bridge does not depend on infra/embedded-mqtt at run time). */
  @Test
  void theBridgeReadsThePropertiesTheBrokerPlugInWrites() {
    assertThat(Aid2Bridge.STAMP_PROPERTY).isEqualTo(BrokerStamp.PROPERTY);
    assertThat(Aid2Bridge.DELIVERY_PROPERTY).isEqualTo(BrokerStamp.DELIVERY_PROPERTY);
    assertThat(Aid2Bridge.FIRST_DELIVERY).isEqualTo(BrokerStamp.FIRST);
  }
}
