package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aidcmp.schemas.aid2.wire.Aid2AsyncApi;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bridge accepts exactly the uplink messages the AsyncAPI document (schemas aid2/asyncapi.yaml) describes: each
 * channel the CMP receives on, published with a payload of its schema, becomes a record; a message name the
 * document does not have is refused.
 */
@ExtendWith(BridgeStack.class)
class AsyncApiDocumentTest {
  private static final Aid2Json JSON = new Aid2Json();

  @Test
  void everyChannelTheCmpReceivesOnIsForwardedAndNoOtherMessageIs(BridgeStack.Stack stack) {
    List<Aid2AsyncApi.Channel> received = Aid2AsyncApi.load().channels().stream()
        .filter(c -> c.action().equals("receive")).toList();
    Set<String> addresses = new HashSet<>();
    received.forEach(c -> addresses.add(c.address()));
    Set<String> bridged = new HashSet<>();
    for (UplinkMessage m : UplinkMessage.values()) {
      bridged.add(Aid2AsyncApi.address(m));
    }
    bridged.add(Aid2Topics.presence("{vin}"));
    assertThat(addresses).as("what the document says the CMP receives is what the bridge subscribes to")
        .isEqualTo(bridged);

    String vin = stack.vin("APN");
    Map<UplinkMessage, SpecificRecord> samples = Uplinks.of(vin, 1_700_000_000L);
    try (Vehicle vehicle = stack.vehicle(vin)) {
      for (String address : addresses) {
        String topic = address.replace("{vin}", vin);
        String name = topic.substring(topic.lastIndexOf('/') + 1);
        byte[] payload = name.equals(Aid2Topics.PRESENCE) ? Aid2Json.presencePayload(true)
            : JSON.writeUplink(samples.get(UplinkMessage.byTopicName(name).orElseThrow()));
        // The payload fits the schema the document names for that channel.
        received.stream().filter(c -> c.address().equals(address) && c.schemaRef() != null).forEach(c ->
            assertThat(c.schemaRef()).endsWith(name + ".schema.json"));
        Vehicle.join(vehicle.publish(topic, payload));
      }
      // A name the document does not describe, though the ACL lets a vehicle publish it.
      Vehicle.join(vehicle.publish(Aid2Topics.vehicleRoot(vin) + "up/request-everything", "{}".getBytes()));
      Await.until("a record per channel and one error", () -> stack.tap.uplinks(vin).size() >= addresses.size()
          && vehicle.errors().size() >= 1);
      Await.settle(java.time.Duration.ofMillis(300));
      assertThat(stack.tap.uplinks(vin)).hasSize(addresses.size());
      assertThat(vehicle.errors()).singleElement()
          .satisfies(e -> assertThat(e.json().get("description").asText()).contains("request-everything"));
    }
  }
}
