package org.aidcmp.ingress.aid2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reader alone: topics outside the scheme (which the broker's ACL keeps from vehicles) and derived ids. */
class UplinkReaderTest {
  private static final Aid2Json JSON = new Aid2Json();
  private static final UplinkReader READER = new UplinkReader(JSON);
  private static final String VIN = "WBAUX11030A334483";
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @ParameterizedTest
  @ValueSource(strings = {
      "aid2/v1/vehicles/WBAUX11030A334483/up/request-activation-code/x",
      "aid2/v1/vehicles/WBAUX11030A334483/up",
      "aid2/v1/vehicles/WBAUX11030A334483/down/error",
      "aid2/v1/vehicles/WBAUX11030A334483/presence/x"})
  void aTopicOutsideTheSchemeIsRefusedAndItsVehicleToldWhenItNamesOne(String topic) {
    UplinkReader.Reading reading = READER.read(topic, valid(), NOW);
    assertThat(reading).isInstanceOfSatisfying(UplinkReader.Refused.class, r -> {
      assertThat(r.vin()).contains(VIN);
      assertThat(r.reason()).contains("outside the AiD2 scheme");
    });
  }

  @Test
  void aTopicWithoutAVehicleGetsADeadLetterWithoutKeyAndNoOneIsTold() {
    String topic = "aid2/v1/vehicles//up/csim-status";
    UplinkReader.Refused r = (UplinkReader.Refused) READER.read(topic, valid(), NOW);
    assertThat(r.vin()).isEmpty();
    DeadLetter letter = (DeadLetter) new Refusals(JSON).deadLetter(topic, valid(), r, NOW).getPayload();
    assertThat(letter.getKey()).isNull();
    assertThat(letter.getSourceTopic()).isEqualTo("mqtt:" + topic);
  }

  /** The broker's stamp is the identity: the same bytes under two stamps are two messages (§5.2.1), one stamp one. */
  @Test
  void aStampedMessagesIdComesFromItsStamp_notItsBytes() {
    String topic = "aid2/v1/vehicles/" + VIN + "/up/request-activation-code";
    UplinkReader.Accepted first = (UplinkReader.Accepted) READER.read(topic, valid(), "b1-1", NOW);
    UplinkReader.Accepted second = (UplinkReader.Accepted) READER.read(topic, valid(), "b1-2", NOW);
    UplinkReader.Accepted redelivered = (UplinkReader.Accepted) READER.read(topic, valid(), "b1-1", NOW.plusSeconds(5));
    assertThat(first.stamped()).isTrue();
    assertThat(first.record().getHeader().getMessageId())
        .isEqualTo(UplinkReader.stampedMessageId(VIN, "request-activation-code", "b1-1"))
        .isNotEqualTo(second.record().getHeader().getMessageId())
        .isEqualTo(redelivered.record().getHeader().getMessageId());
    UplinkReader.Accepted unstamped = (UplinkReader.Accepted) READER.read(topic, valid(), NOW);
    assertThat(unstamped.stamped()).isFalse();
    assertThat(unstamped.record().getHeader().getMessageId())
        .isEqualTo(UplinkReader.messageId(VIN, "request-activation-code", valid()))
        .isNotEqualTo(first.record().getHeader().getMessageId());
  }

  @Test
  void theSameMessageGetsTheSameIdsAndAnotherOneOthers() {
    String topic = "aid2/v1/vehicles/" + VIN + "/up/request-activation-code";
    Aid2Uplink once = ((UplinkReader.Accepted) READER.read(topic, valid(), NOW)).record();
    Aid2Uplink again = ((UplinkReader.Accepted) READER.read(topic, valid(), NOW.plusSeconds(5))).record();
    assertThat(again.getHeader().getMessageId()).isEqualTo(once.getHeader().getMessageId());
    assertThat(again.getPayload()).isEqualTo(once.getPayload());
    byte[] other = JSON.writeUplink(Uplinks.of(VIN, 1_700_000_001L).get(UplinkMessage.REQUEST_ACTIVATION_CODE));
    assertThat(((UplinkReader.Accepted) READER.read(topic, other, NOW)).record().getHeader().getMessageId())
        .isNotEqualTo(once.getHeader().getMessageId());

    byte[] bad = "{".getBytes(StandardCharsets.UTF_8);
    UplinkReader.Refused r1 = (UplinkReader.Refused) READER.read(topic, bad, NOW);
    UplinkReader.Refused r2 = (UplinkReader.Refused) READER.read(topic, bad, NOW);
    assertThat(r2.commandId()).isEqualTo(r1.commandId()).isNotEqualTo(r1.deadLetterId());
    assertThat(r2.vin()).isEqualTo(Optional.of(VIN));
  }

  @Test
  void aReasonNeverQuotesThePayload() {
    String ac = "1$SMDP.EXAMPLE.COM$SECRET-MATCHING-ID";
    // Jackson's own message would quote the token it could not read.
    byte[] payload = ("{\"activationCode\": SECRET" + ac + "}").getBytes(StandardCharsets.UTF_8);
    UplinkReader.Refused r = (UplinkReader.Refused) READER.read(
        "aid2/v1/vehicles/" + VIN + "/up/profile-download-install-info", payload, NOW);
    assertThat(r.reason()).contains("not JSON (at line 1, column").doesNotContain("SECRET").doesNotContain(ac);
    assertThat(new String(new Refusals(JSON).errorDownlink(r), StandardCharsets.UTF_8)).doesNotContain("SECRET");
  }

  private static byte[] valid() {
    return JSON.writeUplink(Uplinks.of(VIN, 1_700_000_000L).get(UplinkMessage.REQUEST_ACTIVATION_CODE));
  }
}
