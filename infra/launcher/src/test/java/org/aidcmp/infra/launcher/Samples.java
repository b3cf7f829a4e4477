package org.aidcmp.infra.launcher;

import java.time.Instant;
import java.util.UUID;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.common.EnvelopeHeader;

/** Records the integration tests send. */
final class Samples {
  private Samples() {}

  static Aid1Inbound notifyMspTokenInvalid(String mspToken) {
    return Aid1Inbound.newBuilder()
        .setHeader(EnvelopeHeader.newBuilder()
            .setMessageId(UUID.randomUUID().toString())
            .setRequestId(UUID.randomUUID().toString())
            .setCorrelationId(UUID.randomUUID().toString())
            .setSource("integration-test")
            .setOccurredAt(Instant.ofEpochMilli(1_764_000_000_000L))
            .build())
        .setPayload(NotifyMspTokenInvalid.newBuilder()
            .setMspId("msp-a").setMspToken(mspToken).setReason("user subscription ended").build())
        .build();
  }
}
