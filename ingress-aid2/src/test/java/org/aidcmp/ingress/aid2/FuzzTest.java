package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.InvalidAid2Message;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thousands of malformed payloads from several vehicles (random bytes, valid JSON mutated byte by byte, wrong types,
 * huge strings, deep nesting): the bridge stays up, none reaches aid.aid2.uplink.v1, each sender gets an error
 * downlink per message and each message a dead letter. Seeded, so a failure can be replayed.
 */
@ExtendWith(BridgeStack.class)
class FuzzTest {
  private static final Aid2Json JSON = new Aid2Json();
  private static final int VEHICLES = 10;
  private static final int PER_VEHICLE = 300;
  private static final long SEED = 20261201L;

  @Test
  void malformedPayloadsNeverReachKafkaAndEverySenderIsToldOncePerMessage(BridgeStack.Stack stack) {
    Random random = new Random(SEED);
    List<Vehicle> vehicles = new ArrayList<>();
    Map<String, Set<String>> expectedErrorIds = new java.util.HashMap<>();
    long refusedBefore = stack.bridge.stats().refused();
    try {
      for (int i = 0; i < VEHICLES; i++) {
        vehicles.add(stack.vehicle(stack.vin("FUZ")));
      }
      int sent = 0;
      for (Vehicle v : vehicles) {
        Set<String> ids = new HashSet<>();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int n = 0; n < PER_VEHICLE; n++) {
          UplinkMessage m = UplinkMessage.values()[random.nextInt(UplinkMessage.values().length)];
          byte[] payload = malformed(random, v.vin, m, n);
          String topic = Aid2Topics.uplink(v.vin, m);
          if (!ids.add(UplinkReader.messageId(topic, "", payload))) {
            continue; // the same bytes twice: one message as far as ids go; keep the count exact
          }
          acks.add(v.publish(topic, payload));
          sent++;
        }
        acks.forEach(Vehicle::join);
        expectedErrorIds.put(v.vin, ids);
      }
      int total = sent;
      assertThat(total).isGreaterThan(VEHICLES * PER_VEHICLE * 9 / 10);
      Await.until("an error downlink per message", Duration.ofSeconds(240),
          () -> vehicles.stream().allMatch(v -> distinctErrors(v) >= expectedErrorIds.get(v.vin).size()),
          () -> "(" + vehicles.stream().mapToLong(FuzzTest::distinctErrors).sum() + " of " + total + ")");
      Await.until("a dead letter per message", Duration.ofSeconds(120),
          () -> vehicles.stream().mapToLong(v -> distinctLetters(stack, v)).sum() >= total, () -> "");

      for (Vehicle v : vehicles) {
        assertThat(distinctErrors(v)).isEqualTo(expectedErrorIds.get(v.vin).size());
        assertThat(v.errors()).allSatisfy(e -> assertThat(e.json().get("error").asText()).isEqualTo("INVALID_MESSAGE"));
      }
      assertThat(stack.bridge.stats().refused() - refusedBefore).isGreaterThanOrEqualTo(total);
      // Still up: every vehicle's next, valid message gets through, and it is the only record of it.
      for (Vehicle v : vehicles) {
        v.send(UplinkMessage.CSIM_STATUS, JSON.writeUplink(Uplinks.csimStatus(v.vin, 1_700_000_000L)));
      }
      Await.until("the valid messages", () -> vehicles.stream().allMatch(v -> !stack.tap.uplinks(v.vin).isEmpty()));
      Await.settle(Duration.ofMillis(300));
      for (Vehicle v : vehicles) {
        assertThat(stack.tap.uplinks(v.vin)).as("none of the malformed ones").hasSize(1);
      }
    } finally {
      vehicles.forEach(Vehicle::close);
    }
  }

  private static long distinctErrors(Vehicle v) {
    return v.errors().stream().map(e -> e.json().get("CommandId").asText()).distinct().count();
  }

  private static long distinctLetters(BridgeStack.Stack stack, Vehicle v) {
    return stack.tap.deadLetters(v.vin).stream().map(l -> l.value().getHeader().getMessageId()).distinct().count();
  }

  /** A payload the contract refuses (checked: a mutation that happens to stay valid is mutated again). */
  static byte[] malformed(Random random, String vin, UplinkMessage m, int n) {
    for (int attempt = 0; attempt < 20; attempt++) {
      byte[] candidate = candidate(random, vin, m, n);
      try {
        JSON.readUplink(vin, m, candidate);
      } catch (InvalidAid2Message expected) {
        return candidate;
      }
    }
    return ("{\"unreadable\": " + n + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] candidate(Random random, String vin, UplinkMessage m, int n) {
    SpecificRecord valid = Uplinks.of(vin, 1_700_000_000L + n).get(m);
    byte[] json = JSON.writeUplink(valid);
    switch (random.nextInt(6)) {
      case 0 -> { // random bytes
        byte[] b = new byte[1 + random.nextInt(200)];
        random.nextBytes(b);
        return b;
      }
      case 1 -> { // valid JSON with a few bytes changed
        byte[] b = json.clone();
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
          b[random.nextInt(b.length)] = (byte) (32 + random.nextInt(95));
        }
        return b;
      }
      case 2 -> { // a field of the wrong type
        String text = new String(json, StandardCharsets.UTF_8);
        return text.replaceFirst("\"Timestamp\":\\d+", "\"Timestamp\":\"" + n + "\"").getBytes(StandardCharsets.UTF_8);
      }
      case 3 -> { // a huge string, over the size limit or just under it
        int size = random.nextBoolean() ? Aid2Json.MAX_PAYLOAD_BYTES + 1 + random.nextInt(10_000) : 20_000;
        String text = new String(json, StandardCharsets.UTF_8);
        return text.replaceFirst("\"eid\":\"[^\"]*\"|\\{\"RequestId\"", "\"eid\":\"" + "9".repeat(size) + "\"," + n
            + "{\"RequestId\"").getBytes(StandardCharsets.UTF_8);
      }
      case 4 -> { // deep nesting
        int depth = 500 + random.nextInt(2_000);
        return ("{\"RequestId\":" + "[".repeat(depth) + n + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
      }
      default -> { // truncated
        return java.util.Arrays.copyOf(json, 1 + random.nextInt(json.length - 1));
      }
    }
  }
}
