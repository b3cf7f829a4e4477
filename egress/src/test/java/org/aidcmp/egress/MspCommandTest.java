package org.aidcmp.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.SendCsimStatus;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.junit.jupiter.api.Test;

/** A command's result is keyed by the user the command names, so it reaches that user's partition at once. */
class MspCommandTest {
  private static Aid1Outbound command(String cmpUserId) {
    return new Aid1Outbound(Envelopes.header("cmd-1", "lifecycle-streams", null, null, Instant.EPOCH),
        new SendCsimStatus("msp-a", "token-1", "8988239000000000001", "eid", CsimStatusValue.DELETED), cmpUserId);
  }

  @Test
  void theResultIsKeyedByTheCommandsUserAndNamesIt() {
    MspCommand command = MspCommand.of(command("user-1"));
    assertThat(command.resultKey()).isEqualTo("user-1");
    assertThat(command.ref(1).getCmpUserId()).isEqualTo("user-1");
  }

  @Test
  void aCommandThatNamesNoUserKeepsItsResultKeyedByMspTokenAsBefore() {
    MspCommand command = MspCommand.of(command(null));
    assertThat(command.resultKey()).isEqualTo("token-1");
    assertThat(command.ref(1).getCmpUserId()).isNull();
  }
}
