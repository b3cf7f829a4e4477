package org.aidcmp.infra.launcher;

import static org.aidcmp.infra.launcher.DeadLetterFixtures.header;
import static org.aidcmp.infra.launcher.DeadLetterFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.aidcmp.infra.launcher.DeadLetters.Outcome;
import org.aidcmp.infra.launcher.DeadLetters.Position;
import org.aidcmp.infra.launcher.DeadLetters.Selection;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.SendCsimStatus;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code aid dlq list} and {@code redrive} on the shared stack's broker and registry, each test on its own topics. */
@ExtendWith(SharedEmbeddedStack.class)
class DeadLettersTest {
  private static final String TOKEN = "5f2b1c9e-msp-token-never-printed";
  private static final String ICCID = "8944000000000000001";

  private DeadLetterFixtures f;
  private String dlq;
  private String outbound;
  private String source;

  @BeforeEach
  void topics(Endpoints endpoints) {
    f = new DeadLetterFixtures(endpoints);
    dlq = f.topic("dlq");
    outbound = f.topic("outbound");
    source = f.topic("uplink");
  }

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void listShowsLettersOfEgressAndOfTheTopologyWithWhereWhyAndTheCommandAndFiltersThem() throws Exception {
    Aid1Outbound command = DeadLetterFixtures.command(
        new SendCsimStatus("msp-x", TOKEN, ICCID, "89049032000000000000000000000001", CsimStatusValue.DELETED));
    RecordMetadata egress = f.egressLetter(dlq, TOKEN, f.serialize(outbound, command), outbound, 1, 7,
        "no answer after 8 attempts: java.net.ConnectException", 8);
    Thread.sleep(5); // the letters below are written a few milliseconds later, so --since can tell them apart
    Instant between = Instant.ofEpochMilli(egress.timestamp() + 1);
    RecordMetadata undecodable = f.undecodableLetter(dlq,
        new ConsumerRecord<>(source, 0, 3L, utf8("VIN00000000000001"), "not avro".getBytes(StandardCharsets.UTF_8)),
        "Unknown magic byte 110\n" + "x".repeat(500));
    RecordMetadata noKey = f.letter(dlq, null, new DeadLetter(source, 1, 5L, null, null,
        "lifecycle-streams/vehicles", "record without a key", IllegalArgumentException.class.getName(), 1));
    RecordMetadata garbage = f.write(dlq, 0, "k", "not a dead letter".getBytes(StandardCharsets.UTF_8), List.of());

    try (DeadLetters deadLetters = f.deadLetters(dlq)) {
      DeadLetters.Listing all = deadLetters.list(Selection.ANY);
      assertThat(all.letters()).extracting(DeadLetters.Letter::at)
          .containsExactlyInAnyOrder(at(egress), at(undecodable), at(noKey), at(garbage));
      assertThat(all.perStage()).containsEntry(DeadLetters.EGRESS_STAGE, 1)
          .containsEntry("lifecycle-streams/deserialization", 1).containsEntry("lifecycle-streams/vehicles", 1)
          .containsEntry("(unreadable)", 1);
      assertThat(all.summary()).startsWith("4 dead letters: ");

      DeadLetters.Letter e = letterAt(all, egress);
      assertThat(e.call()).isEqualTo(new DeadLetters.Command(command.getHeader().getMessageId(), "SendCsimStatus",
          "msp-x"));
      assertThat(e.line()).contains(at(egress).toString(), DeadLetters.EGRESS_STAGE, "from " + outbound + ":1:7",
          "attempts 8", "command " + command.getHeader().getMessageId() + " SendCsimStatus msp msp-x",
          "reason: no answer after 8 attempts: java.net.ConnectException", e.time().toString());
      assertThat(e.line()).as("neither key nor payload").doesNotContain(TOKEN).doesNotContain(ICCID);

      String u = letterAt(all, undecodable).line();
      assertThat(u).contains("lifecycle-streams/deserialization", "from " + source + ":0:3", "Unknown magic byte 110")
          .doesNotContain("\n").doesNotContain("not avro").doesNotContain("VIN00000000000001");
      assertThat(u.length()).as("the reason is capped").isLessThan(DeadLetters.REASON_LIMIT + 200);
      assertThat(letterAt(all, garbage).line()).contains("not a dead letter");

      assertThat(deadLetters.list(new Selection(DeadLetters.EGRESS_STAGE, null, null, null, Set.of())).letters())
          .extracting(DeadLetters.Letter::at).containsExactly(at(egress));
      assertThat(deadLetters.list(new Selection(null, source, null, null, Set.of())).letters())
          .extracting(DeadLetters.Letter::at).containsExactlyInAnyOrder(at(undecodable), at(noKey));
      assertThat(deadLetters.list(new Selection(null, null, between, null, Set.of())).letters())
          .extracting(DeadLetters.Letter::at).doesNotContain(at(egress)).contains(at(undecodable), at(noKey));
      assertThat(deadLetters.list(new Selection(null, null, null, null, Set.of(at(noKey)))).letters())
          .extracting(DeadLetters.Letter::at).containsExactly(at(noKey));
      DeadLetters.Listing limited = deadLetters.list(new Selection(null, source, null, 1, Set.of()));
      assertThat(limited.letters()).hasSize(1);
      assertThat(limited.matching()).isEqualTo(2);
      assertThat(limited.summary()).isEqualTo("2 dead letters (1 shown): lifecycle-streams/deserialization 1, "
          + "lifecycle-streams/vehicles 1");
    }
  }

  @Test
  void redriveOfAnEgressLetterWritesOneNewCommandWithTheDerivedIdAndTheSameIdAgainWhenRedrivenTwice() {
    Aid1Outbound original = DeadLetterFixtures.command(
        new SendCsimStatus("msp-x", TOKEN, ICCID, "89049032000000000000000000000001", CsimStatusValue.DELETED));
    byte[] bytes = f.serialize(outbound, original);
    RecordMetadata command = f.write(outbound, 1, TOKEN, bytes, List.of());
    RecordMetadata letter = f.egressLetter(dlq, TOKEN, bytes, outbound, command.partition(), command.offset(),
        "HTTP 503 after 8 attempts", 8);
    String originalId = original.getHeader().getMessageId();
    String expectedId = Envelopes.derivedId(originalId, "redrive", at(letter).toString());

    Selection egressLetters = new Selection(DeadLetters.EGRESS_STAGE, null, null, null, Set.of());
    try (DeadLetters deadLetters = f.deadLetters(dlq)) {
      DeadLetters.Redrive first = deadLetters.redrive(egressLetters, false);
      assertThat(first.failed()).isFalse();
      assertThat(first.actions()).singleElement().satisfies(a -> {
        assertThat(a.outcome()).isEqualTo(Outcome.NEW_COMMAND);
        assertThat(a.commandId()).isEqualTo(expectedId);
        assertThat(a.offset()).isNotNull();
        assertThat(a.line()).contains("wrote command " + expectedId + " to " + outbound + ":1:" + a.offset());
      });

      List<ConsumerRecord<byte[], byte[]>> written = f.readAll(outbound);
      assertThat(written).hasSize(2);
      ConsumerRecord<byte[], byte[]> redriven = written.stream().filter(r -> r.offset() != command.offset())
          .findFirst().orElseThrow();
      assertThat(redriven.partition()).as("back to the partition it came from").isEqualTo(1);
      assertThat(redriven.key()).isEqualTo(utf8(TOKEN));
      assertThat(header(redriven, DeadLetters.REDRIVE_HEADER)).isEqualTo(at(letter).toString());
      Aid1Outbound decoded = new AvroDeserializer<>(f.registry, Aid1Outbound.class).deserialize(outbound,
          redriven.value());
      assertThat(decoded.getHeader().getMessageId()).isEqualTo(expectedId);
      assertThat(decoded.getHeader().getRequestId()).isEqualTo(originalId);
      assertThat(decoded.getHeader().getCorrelationId()).isEqualTo(original.getHeader().getCorrelationId());
      assertThat(decoded.getPayload()).isEqualTo(original.getPayload());

      DeadLetters.Redrive again = deadLetters.redrive(egressLetters, false);
      assertThat(again.actions()).singleElement().satisfies(a ->
          assertThat(a.commandId()).as("the same command again: egress runs it once").isEqualTo(expectedId));
      assertThat(f.readAll(outbound)).hasSize(3);
    }
  }

  @Test
  void redriveRepublishesTheTopologysLettersAsTheyWereAndSaysWhenTheRecordIsGone() throws Exception {
    // Partition 1: a record retention will have removed (offset 0), then one the topology could not decode.
    RecordMetadata expired = f.write(source, 1, "VIN-EXPIRED", "old".getBytes(StandardCharsets.UTF_8), List.of());
    byte[] garbage = {0, 0, 0, 0, 42, 1, 2, 3};
    RecordMetadata undecodable = f.write(source, 1, "VIN-1", garbage, List.of());
    try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        f.endpoints.kafkaBootstrapServers()))) {
      admin.deleteRecords(java.util.Map.of(new TopicPartition(source, 1), RecordsToDelete.beforeOffset(
          undecodable.offset()))).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    // Partition 0: a record that decoded but broke the contract; its letter names it, holds no bytes.
    RecordMetadata broke = f.write(source, 0, "user-9", "valid enough".getBytes(StandardCharsets.UTF_8),
        List.of(new RecordHeader("trace", utf8("t-1"))));

    RecordMetadata letter1 = f.undecodableLetter(dlq,
        new ConsumerRecord<>(source, 1, undecodable.offset(), utf8("VIN-1"), garbage), "Unknown magic byte 42");
    RecordMetadata letter2 = f.letter(dlq, "user-9", new DeadLetter(source, 0, broke.offset(), utf8Buffer("user-9"),
        null, "lifecycle-streams/users", "no federation for the token", IllegalStateException.class.getName(), 1));
    RecordMetadata letter3 = f.letter(dlq, "VIN-EXPIRED", new DeadLetter(source, 1, expired.offset(), null, null,
        "lifecycle-streams/vehicles", "boom", IllegalStateException.class.getName(), 1));
    RecordMetadata letter4 = f.letter(dlq, null, new DeadLetter("unknown", -1, -1L, null, null,
        "lifecycle-streams/routes", "no metadata", IllegalStateException.class.getName(), 1));

    try (DeadLetters deadLetters = f.deadLetters(dlq)) {
      DeadLetters.Redrive redrive = deadLetters.redrive(Selection.ANY, false);
      assertThat(redrive.failed()).isFalse();
      assertThat(redrive.actions()).extracting(DeadLetters.Action::letter, DeadLetters.Action::outcome)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(at(letter1), Outcome.REPUBLISHED),
              org.assertj.core.groups.Tuple.tuple(at(letter2), Outcome.REPUBLISHED),
              org.assertj.core.groups.Tuple.tuple(at(letter3), Outcome.SKIPPED),
              org.assertj.core.groups.Tuple.tuple(at(letter4), Outcome.SKIPPED));
      assertThat(action(redrive, letter3).line()).contains("is gone", "retention");
    }

    List<ConsumerRecord<byte[], byte[]>> republished = f.readAll(source).stream()
        .filter(r -> header(r, DeadLetters.REDRIVE_HEADER) != null).toList();
    assertThat(republished).hasSize(2);
    ConsumerRecord<byte[], byte[]> again1 = republished.stream()
        .filter(r -> header(r, DeadLetters.REDRIVE_HEADER).equals(at(letter1).toString())).findFirst().orElseThrow();
    assertThat(again1.partition()).isEqualTo(1);
    assertThat(again1.key()).isEqualTo(utf8("VIN-1"));
    assertThat(again1.value()).as("the bytes exactly as they were").isEqualTo(garbage);
    ConsumerRecord<byte[], byte[]> again2 = republished.stream()
        .filter(r -> header(r, DeadLetters.REDRIVE_HEADER).equals(at(letter2).toString())).findFirst().orElseThrow();
    assertThat(again2.partition()).isEqualTo(0);
    assertThat(again2.key()).isEqualTo(utf8("user-9"));
    assertThat(again2.value()).isEqualTo("valid enough".getBytes(StandardCharsets.UTF_8));
    assertThat(header(again2, "trace")).as("read back with its headers").isEqualTo("t-1");
  }

  @Test
  void aDryRunSaysWhatItWouldDoAndWritesNothingAndAnUnknownOffsetFails() {
    Aid1Outbound original = DeadLetterFixtures.command(
        new SendCsimStatus("msp-x", TOKEN, ICCID, "89049032000000000000000000000001", CsimStatusValue.DELETED));
    byte[] bytes = f.serialize(outbound, original);
    RecordMetadata command = f.write(outbound, 0, TOKEN, bytes, List.of());
    RecordMetadata egress = f.egressLetter(dlq, TOKEN, bytes, outbound, 0, command.offset(), "gave up", 3);
    RecordMetadata undecodable = f.undecodableLetter(dlq,
        new ConsumerRecord<>(source, 0, 0L, utf8("VIN-2"), new byte[] {1, 2}), "Unknown magic byte 1");
    RecordMetadata activationCode = f.egressLetter(dlq, TOKEN, f.serialize(outbound, DeadLetterFixtures.command(
        new ActivationCodeRequest("msp-x", TOKEN, "personal", "tcu", "", "89049032000000000000000000000001",
            java.util.UUID.randomUUID().toString(), ICCID))), outbound, 1, 0, "gave up", 3);
    Position nowhere = new Position(0, 10_000);

    try (DeadLetters deadLetters = f.deadLetters(dlq)) {
      DeadLetters.Redrive dry = deadLetters.redrive(
          new Selection(null, null, null, null, Set.of(at(egress), at(undecodable), at(activationCode), nowhere)),
          true);
      assertThat(dry.dryRun()).isTrue();
      assertThat(dry.failed()).as("the offset that names no letter").isTrue();
      assertThat(action(dry, egress).outcome()).isEqualTo(Outcome.NEW_COMMAND);
      assertThat(action(dry, egress).commandId())
          .isEqualTo(Envelopes.derivedId(original.getHeader().getMessageId(), "redrive", at(egress).toString()));
      assertThat(action(dry, egress).line()).contains("would write command");
      assertThat(action(dry, activationCode).outcome()).as("nobody waits for that AC any more: the vehicle asks again")
          .isEqualTo(Outcome.SKIPPED);
      assertThat(action(dry, activationCode).line()).contains("is not redriven");
      assertThat(action(dry, undecodable).outcome()).isEqualTo(Outcome.REPUBLISHED);
      assertThat(action(dry, undecodable).line()).contains("would republish to " + source + ":0");
      assertThat(dry.actions()).filteredOn(a -> a.letter().equals(nowhere)).singleElement()
          .satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.FAILED));
      assertThat(dry.actions()).allSatisfy(a -> assertThat(a.offset()).isNull());
      assertThat(dry.summary()).isEqualTo("dry run, nothing written: 4 dead letters: new command 1, republished 1, "
          + "skipped 1, failed 1");
    }
    assertThat(f.readAll(outbound)).as("only the original command").hasSize(1);
    assertThat(f.readAll(source)).isEmpty();
  }

  @Test
  void aLetterFromATopicThatIsNotThereFailsAndNoTopicIsCreated() throws Exception {
    String missing = "test.missing." + f.suffix;
    RecordMetadata letter = f.undecodableLetter(dlq,
        new ConsumerRecord<>(missing, 0, 0L, utf8("VIN-3"), new byte[] {7}), "Unknown magic byte 7");

    try (DeadLetters deadLetters = f.deadLetters(dlq)) {
      DeadLetters.Redrive redrive = deadLetters.redrive(Selection.ANY, false);
      assertThat(redrive.failed()).isTrue();
      assertThat(action(redrive, letter).outcome()).isEqualTo(Outcome.FAILED);
      assertThat(action(redrive, letter).line()).contains("there is no topic " + missing);
    }
    try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        f.endpoints.kafkaBootstrapServers()))) {
      assertThat(admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS)).doesNotContain(missing);
    }
  }

  @Test
  void aLetterOfTheAid2BridgeIsListedWithItsMqttTopicAndRedriveSkipsItSayingWhy() {
    String vin = "WBAUX11030A334483";
    String mqttTopic = "aid2/v1/vehicles/" + vin + "/up/csim-status";
    // As the bridge writes it (ingress-aid2 Refusals): MQTT origin, no Kafka position, the payload as received.
    RecordMetadata letter = f.letter(dlq, vin, new DeadLetter(org.aidcmp.ingress.aid2.Aid2Bridge.MQTT_ORIGIN + mqttTopic,
        -1, -1L, utf8Buffer(vin), utf8Buffer("{not json"), DeadLetters.BRIDGE_STAGE,
        "csim-status: not JSON (Unexpected character)", "InvalidAid2Message", 1));
    RecordMetadata oversize = f.letter(dlq, vin, new DeadLetter(org.aidcmp.ingress.aid2.Aid2Bridge.MQTT_ORIGIN
        + mqttTopic, -1, -1L, utf8Buffer(vin), null, DeadLetters.BRIDGE_STAGE,
        "csim-status: payload of 40000 bytes, at most 32768 are accepted", "InvalidAid2Message", 1));

    try (DeadLetters deadLetters = f.deadLetters(dlq)) {
      DeadLetters.Listing listing = deadLetters.list(new Selection(DeadLetters.BRIDGE_STAGE, null, null, null, Set.of()));
      assertThat(listing.letters()).hasSize(2);
      assertThat(letterAt(listing, letter).line())
          .contains("ingress-aid2  from mqtt:" + mqttTopic + "  attempts 1")
          .contains("reason: csim-status: not JSON")
          .doesNotContain(":-1").doesNotContain("{not json");
      assertThat(listing.summary()).isEqualTo("2 dead letters: ingress-aid2 2");

      DeadLetters.Redrive redrive = deadLetters.redrive(new Selection(DeadLetters.BRIDGE_STAGE, null, null, null,
          Set.of()), false);
      assertThat(redrive.failed()).isFalse();
      assertThat(redrive.actions()).extracting(DeadLetters.Action::outcome).containsOnly(Outcome.SKIPPED);
      assertThat(action(redrive, letter).line()).contains("is not redriven").contains("the vehicle was told");
      assertThat(action(redrive, oversize).line()).contains("is not redriven");
      assertThat(redrive.summary()).isEqualTo("2 dead letters: skipped 2");
    }
  }

  private static Position at(RecordMetadata m) {
    return new Position(m.partition(), m.offset());
  }

  private static DeadLetters.Letter letterAt(DeadLetters.Listing listing, RecordMetadata m) {
    return listing.letters().stream().filter(l -> l.at().equals(at(m))).findFirst().orElseThrow();
  }

  private static DeadLetters.Action action(DeadLetters.Redrive redrive, RecordMetadata m) {
    return redrive.actions().stream().filter(a -> a.letter().equals(at(m))).findFirst().orElseThrow();
  }

  private static java.nio.ByteBuffer utf8Buffer(String text) {
    return java.nio.ByteBuffer.wrap(utf8(text));
  }
}
