package org.aidcmp.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EnvelopesTest {

  @Test
  void derivedIdsAreStableAndDistinguishTheirParts() {
    String id = Envelopes.derivedId("msg-1", "activationCodeRequestId");
    assertThat(Envelopes.derivedId("msg-1", "activationCodeRequestId")).isEqualTo(id);
    assertThat(Envelopes.derivedId("msg-1", "commandId")).isNotEqualTo(id);
    assertThat(Envelopes.derivedId("msg-1a", "ctivationCodeRequestId")).isNotEqualTo(id);
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }

  @Test
  void headersCarryWhatTheyAreGiven() {
    var header = Envelopes.header("m", "ingress-aid1", "r", "c", Instant.EPOCH);
    assertThat(header.getMessageId()).isEqualTo("m");
    assertThat(header.getRequestId()).isEqualTo("r");
    assertThat(header.getCorrelationId()).isEqualTo("c");
    assertThat(header.getSource()).isEqualTo("ingress-aid1");
    assertThat(Envelopes.header("ingress-aid2", null, null, Instant.EPOCH).getMessageId()).hasSize(36);
  }
}
