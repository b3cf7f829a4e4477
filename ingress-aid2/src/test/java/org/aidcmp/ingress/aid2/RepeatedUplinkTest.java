package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A message the broker delivers again after its record is on aid.aid2.uplink.v1 is acknowledged without being
 * written again (UplinkTail, RecentMessageIds); presence is written every time (its messageIds repeat by design).
 * The "other bridge" here is a record written straight to Kafka, as a bridge that died before its PUBACK left it.
 */
@ExtendWith(BridgeStack.class)
class RepeatedUplinkTest {
  private static final Aid2Json JSON = new Aid2Json();

  @Test
  void anUplinkWhoseRecordAnotherBridgeWroteIsAcknowledgedNotWrittenAgain(BridgeStack.Stack stack) throws Exception {
    String vin = stack.vin("RPT");
    byte[] first = JSON.writeUplink(Uplinks.csimStatus(vin, 1_700_000_000L));
    byte[] second = JSON.writeUplink(Uplinks.csimStatus(vin, 1_700_000_001L));
    String topic = Aid2Topics.uplink(vin, UplinkMessage.CSIM_STATUS);
    UplinkReader.Accepted written = (UplinkReader.Accepted) new UplinkReader(JSON).read(topic, first, Instant.now());
    String firstId = written.record().getHeader().getMessageId();
    try (KafkaProducer<String, SpecificRecord> other = new KafkaProducer<>(Map.of(
        "bootstrap.servers", stack.kafka.bootstrapServers(), "enable.idempotence", true, "acks", "all"),
        new StringSerializer(), new AvroSerializer<>(stack.registry, true))) {
      ProducerRecord<String, SpecificRecord> record = new ProducerRecord<>(org.aidcmp.schemas.topics.AidTopic.AID2_UPLINK.topicName(), vin,
          written.record());
      record.headers().add(UplinkTail.MESSAGE_ID_HEADER, firstId.getBytes(StandardCharsets.UTF_8));
      record.headers().add(Aid2Bridge.WRITTEN_BY_HEADER, "aid-bridge-gone".getBytes(StandardCharsets.UTF_8));
      other.send(record).get();
    }
    long repeatsBefore = stack.bridge.stats().repeats();
    try (Vehicle vehicle = stack.vehicle(vin)) {
      vehicle.publish(topic, first).join(); // the broker's redelivery, as far as the bridge can tell
      vehicle.publish(topic, second).join();
      vehicle.publish(topic, second).join(); // a vehicle sending the same bytes twice: one message, one record
      Await.until("the second message on Kafka and both repeats acknowledged", Duration.ofSeconds(60),
          () -> stack.tap.uplinks(vin).size() >= 2 && stack.bridge.stats().repeats() - repeatsBefore >= 2,
          () -> stack.tap.uplinks(vin).size() + " records, " + stack.bridge.stats());
      Await.settle(Duration.ofSeconds(1));
      assertThat(stack.tap.uplinks(vin)).extracting(s -> s.value().getHeader().getMessageId())
          .containsExactly(firstId, UplinkReader.messageId(vin, "csim-status", second));
      assertThat(stack.tap.uplinks(vin).get(0).writtenBy()).isEqualTo("aid-bridge-gone");
      assertThat(stack.bridge.stats().repeats() - repeatsBefore).isEqualTo(2);
      Await.until("nothing left unacknowledged", () -> stack.bridge.stats().inFlight() == 0);
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
}
