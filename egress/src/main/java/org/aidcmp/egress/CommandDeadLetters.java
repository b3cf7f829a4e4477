package org.aidcmp.egress;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Egress's dead letters, and how one goes back: the stage they are written under, the letter for a command that
 * gave up (or could not be read), and the command a redrive writes for it. {@code aid dlq} takes these from
 * here rather than knowing egress's rules itself.
 */
public final class CommandDeadLetters {
  /** The stage of every dead letter egress writes. */
  public static final String STAGE = "egress.msp-call";
  /** header.source of the commands a redrive writes. */
  public static final String REDRIVE_SOURCE = "aid-dlq";

  private CommandDeadLetters() {}

  /**
   * The letter for a command (null: it could not be read) at its place in the outbound topic. Its id derives
   * from the command id (or, for an unreadable one, from its position), so writing it again after a crash
   * writes the same letter.
   */
  static DeadLetterRecord letter(ConsumerRecord<String, byte[]> record, MspCommand command, String reason,
                                 String errorClass, int attempts) {
    String id = command == null
        ? Envelopes.derivedId(record.topic(), Integer.toString(record.partition()), Long.toString(record.offset()), "dead-letter")
        : Envelopes.derivedId(command.commandId(), "dead-letter");
    DeadLetter letter = DeadLetter.newBuilder()
        .setSourceTopic(record.topic()).setSourcePartition(record.partition()).setSourceOffset(record.offset())
        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
        .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setStage(STAGE).setReason(reason).setErrorClass(errorClass).setAttempts(attempts)
        .build();
    return DeadLetterRecord.newBuilder()
        .setHeader(Envelopes.header(id, ResultMapper.SOURCE, command == null ? null : command.commandId(),
            command == null ? null : command.correlationId(), Instant.now()))
        .setPayload(letter).build();
  }

  /**
   * The command a redrive of the letter at {@code letterAt} (the dead-letter topic's "partition:offset") writes:
   * the same key, payload and correlationId under a new command id, derived from the original's and the
   * letter's place, with the original id as requestId. New, because egress runs a command id at most once ever
   * (the results topic is its log) and would skip the original; derived, so that redriving the same letter
   * twice makes the same command, which egress then runs once.
   */
  public static Aid1Outbound redriven(Aid1Outbound original, String letterAt) {
    EnvelopeHeader was = original.getHeader();
    String commandId = Envelopes.derivedId(was.getMessageId(), "redrive", letterAt);
    return Aid1Outbound.newBuilder(original)
        .setHeader(Envelopes.header(commandId, REDRIVE_SOURCE, was.getMessageId(), was.getCorrelationId(), Instant.now()))
        .build();
  }
}
