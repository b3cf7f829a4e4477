package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.VehiclePresence;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** AID.02 §7.2: every uplink message and the presence reach aid.aid2.uplink.v1 as the right record, keyed by VIN. */
@ExtendWith(BridgeStack.class)
class UplinkMessages_7_2_Test {
  private static final Aid2Json JSON = new Aid2Json();

  @Test
  void everyUplinkMessageAndThePresenceBecomeTheirRecordKeyedByVin(BridgeStack.Stack stack) {
    String vin = stack.vin("UPL");
    Map<UplinkMessage, SpecificRecord> samples = Uplinks.of(vin, 1_700_000_000L);
    try (Vehicle vehicle = stack.vehicle(vin)) {
      vehicle.publish(Aid2Topics.presence(vin), Aid2Json.presencePayload(true)).join();
      for (UplinkMessage m : UplinkMessage.values()) {
        vehicle.send(m, JSON.writeUplink(samples.get(m)));
      }
      vehicle.publish(Aid2Topics.presence(vin), Aid2Json.presencePayload(false)).join();

      Await.until("10 records for " + vin, () -> stack.tap.uplinks(vin).size() >= 10);
      List<Aid2Uplink> records = stack.tap.uplinks(vin).stream().map(KafkaTap.Seen::value).toList();
      // One bridge, one vehicle: the order it published in, within the uplink messages and within the presence
      // (two subscriptions: the broker keeps a queue for each, so not between them).
      assertThat(records).extracting(Aid2Uplink::getPayload).filteredOn(p -> p instanceof VehiclePresence)
          .containsExactly(new VehiclePresence(vin, true), new VehiclePresence(vin, false));
      assertThat(records).extracting(Aid2Uplink::getPayload).filteredOn(p -> !(p instanceof VehiclePresence))
          .containsExactly(
          samples.get(UplinkMessage.REQUEST_ACTIVATION_CODE),
          samples.get(UplinkMessage.PROFILE_DOWNLOAD_INSTALL_INFO),
          samples.get(UplinkMessage.CSIM_STATUS),
          samples.get(UplinkMessage.ENABLE_PROFILE_ERROR),
          samples.get(UplinkMessage.DISABLE_PROFILE_ERROR),
          samples.get(UplinkMessage.DELETE_PROFILE_RESULT),
          samples.get(UplinkMessage.CSIM_INFO_RESULT),
          samples.get(UplinkMessage.DELETE_ALL_PROFILES_RESULT));
      assertThat(stack.tap.uplinks(vin)).allSatisfy(s -> assertThat(s.key()).isEqualTo(vin));
      assertThat(records).allSatisfy(r -> {
        assertThat(r.getHeader().getSource()).isEqualTo("ingress-aid2");
        assertThat(r.getHeader().getCorrelationId()).isNull();
      });
      // messageId: from the VIN, the name and the broker's stamp of the message; requestId from RequestId (§5.2.1).
      KafkaTap.Seen<Aid2Uplink> seen = stack.tap.uplinks(vin).stream()
          .filter(s -> s.value().getPayload().equals(samples.get(UplinkMessage.REQUEST_ACTIVATION_CODE))).findFirst()
          .orElseThrow();
      Aid2Uplink request = seen.value();
      assertThat(seen.stamp()).isNotNull();
      assertThat(request.getHeader().getMessageId())
          .isEqualTo(UplinkReader.stampedMessageId(vin, "request-activation-code", seen.stamp()));
      assertThat(request.getHeader().getRequestId()).isEqualTo(vin + ":1700000000");
      assertThat(records).filteredOn(r -> r.getPayload() instanceof VehiclePresence)
          .allSatisfy(r -> assertThat(r.getHeader().getRequestId()).isNull());
      assertThat(records).extracting(r -> r.getHeader().getMessageId()).doesNotHaveDuplicates();
      assertThat(vehicle.errors()).isEmpty();
    }
  }

  @Test
  void anMqtt311VehicleWorks(BridgeStack.Stack stack) {
    String vin = stack.vin("MTT");
    SpecificRecord status = Uplinks.csimStatus(vin, 1_700_000_100L);
    try (Vehicle vehicle = Vehicle.mqtt3(stack.broker.port(), stack.credentials.issueVehiclePassword(vin))) {
      vehicle.send(UplinkMessage.CSIM_STATUS, JSON.writeUplink(status));
      vehicle.send(UplinkMessage.CSIM_STATUS, "{not json".getBytes());
      Await.until("the record and the error for " + vin,
          () -> stack.tap.uplinks(vin).size() == 1 && !vehicle.errors().isEmpty());
      assertThat(stack.tap.uplinks(vin).get(0).value().getPayload()).isEqualTo(status);
      assertThat(vehicle.errors().get(0).json().get("error").asText()).isEqualTo("INVALID_MESSAGE");
    }
  }
}
