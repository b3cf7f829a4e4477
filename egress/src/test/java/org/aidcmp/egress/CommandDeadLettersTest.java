package org.aidcmp.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Egress's dead letters (issue #6) and the command a redrive of one writes. */
class CommandDeadLettersTest {
  private static Aid1Outbound command(String id, String correlationId) {
    return Aid1Outbound.newBuilder()
        .setHeader(Envelopes.header(id, "lifecycle-streams", null, correlationId, Instant.now()))
        .setPayload(new RequestProfileStatus("mspS", UUID.randomUUID().toString(), null)).build();
  }

  @Test
  void aGaveUpLetterCarriesTheCommandBytesUnderAnIdDerivedFromTheCommand() {
    String id = UUID.randomUUID().toString();
    MspCommand command = MspCommand.of(command(id, UUID.randomUUID().toString()));
    byte[] value = {1, 2, 3};
    ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("outbound", 1, 7, "user", value);

    DeadLetterRecord first = CommandDeadLetters.letter(record, command, "gave up after 6 attempts", null, 6);
    DeadLetterRecord again = CommandDeadLetters.letter(record, command, "gave up after 6 attempts", null, 6);

    DeadLetter letter = (DeadLetter) first.getPayload();
    assertThat(letter.getStage()).isEqualTo(CommandDeadLetters.STAGE).isEqualTo("egress.msp-call");
    assertThat(letter.getSourceTopic()).isEqualTo("outbound");
    assertThat(letter.getSourcePartition()).isEqualTo(1);
    assertThat(letter.getSourceOffset()).isEqualTo(7);
    assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(value));
    assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("user".getBytes(StandardCharsets.UTF_8)));
    assertThat(letter.getAttempts()).isEqualTo(6);
    assertThat(first.getHeader().getRequestId()).isEqualTo(id);
    assertThat(first.getHeader().getMessageId()).isEqualTo(again.getHeader().getMessageId())
        .isEqualTo(Envelopes.derivedId(id, "dead-letter"));
  }

  @Test
  void anUnreadableCommandsLetterIsNamedByItsPosition() {
    ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("outbound", 0, 3, null, new byte[] {9});
    DeadLetterRecord letter = CommandDeadLetters.letter(record, null, "unreadable command: x", "E", 0);
    assertThat(letter.getHeader().getMessageId()).isEqualTo(Envelopes.derivedId("outbound", "0", "3", "dead-letter"));
    assertThat(letter.getHeader().getRequestId()).isNull();
    assertThat(((DeadLetter) letter.getPayload()).getKey()).isNull();
  }

  @Test
  void aRedriveIsANewCommandWhoseIdDerivesFromTheOriginalAndTheLetter() {
    String id = UUID.randomUUID().toString();
    String correlation = UUID.randomUUID().toString();
    Aid1Outbound original = command(id, correlation);

    Aid1Outbound once = CommandDeadLetters.redriven(original, "0:42");
    Aid1Outbound twice = CommandDeadLetters.redriven(original, "0:42");
    Aid1Outbound other = CommandDeadLetters.redriven(original, "0:43");

    assertThat(once.getHeader().getMessageId()).isEqualTo(twice.getHeader().getMessageId())
        .isEqualTo(Envelopes.derivedId(id, "redrive", "0:42"))
        .isNotEqualTo(other.getHeader().getMessageId()).isNotEqualTo(id);
    assertThat(once.getHeader().getRequestId()).isEqualTo(id);
    assertThat(once.getHeader().getCorrelationId()).isEqualTo(correlation);
    assertThat(once.getHeader().getSource()).isEqualTo(CommandDeadLetters.REDRIVE_SOURCE);
    assertThat(once.getPayload()).isEqualTo(original.getPayload());
  }
}
