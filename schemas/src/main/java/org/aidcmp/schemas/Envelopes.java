package org.aidcmp.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.aidcmp.schemas.common.EnvelopeHeader;

/** The one way records get their {@link EnvelopeHeader}: every service writes headers through here. */
public final class Envelopes {
  private Envelopes() {}

  /** A header with a fresh random messageId, for records that start something (an HTTP call, an MQTT message). */
  public static EnvelopeHeader header(String source, String requestId, String correlationId, Instant occurredAt) {
    return header(UUID.randomUUID().toString(), source, requestId, correlationId, occurredAt);
  }

  public static EnvelopeHeader header(
      String messageId, String source, String requestId, String correlationId, Instant occurredAt) {
    return EnvelopeHeader.newBuilder()
        .setMessageId(messageId)
        .setSource(source)
        .setRequestId(requestId)
        .setCorrelationId(correlationId)
        .setOccurredAt(occurredAt)
        .build();
  }

  /**
   * An id derived from what caused it (a name-based UUID), so that processing the same input again, in a
   * replay or after a crash, mints the same id. {@code parts} name the cause, e.g. the input's messageId and
   * what is being minted ("activationCodeRequestId").
   */
  public static String derivedId(String... parts) {
    return UUID.nameUUIDFromBytes(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8)).toString();
  }
}
