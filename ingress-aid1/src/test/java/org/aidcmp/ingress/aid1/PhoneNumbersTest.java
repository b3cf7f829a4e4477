package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Set;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.schemas.common.EncryptedValue;
import org.junit.jupiter.api.Test;

/** §7.1.4 phoneNumber: the MSP's AES-GCM or AES-CBC, re-encrypted under the CMP's key. */
class PhoneNumbersTest {
  private static final byte[] CMP_KEY = new byte[32];
  private final PhoneNumbers phones = new PhoneNumbers(CMP_KEY, "cmp-1");

  private static MspRegistry.Msp msp(MspRegistry.PhoneCipher cipher) {
    return new MspRegistry.Msp("m", "c", URI.create("https://m"), MspRegistry.OutboundAuth.API_KEY, "k", null, null,
        "in", null, new byte[32], "0123456789abcdef".getBytes(), cipher, List.of(), null, null, Set.of());
  }

  @Test
  void phoneNumber_7_1_4_gcmAndCbc_areReEncryptedUnderTheCmpKey() throws Exception {
    for (MspRegistry.PhoneCipher cipher : MspRegistry.PhoneCipher.values()) {
      String[] sent = MspClient.encryptPhone(msp(cipher), "919961345678");
      EncryptedValue value = phones.reEncrypt(msp(cipher), sent[0], sent[1], 422);
      assertThat(value.getKeyId()).isEqualTo("cmp-1");
      assertThat(PhoneNumbers.decryptCmp(CMP_KEY, value)).isEqualTo("919961345678");
    }
  }

  @Test
  void phoneNumber_7_1_4_undecryptableOrNotANumber_is422() {
    MspRegistry.Msp gcm = msp(MspRegistry.PhoneCipher.AES_GCM);
    String[] sent = MspClient.encryptPhone(gcm, "919961345678");
    String[] cbc = MspClient.encryptPhone(msp(MspRegistry.PhoneCipher.AES_CBC), "919961345678");
    String[] plus = MspClient.encryptPhone(gcm, "+4918974020143");
    String[][] cases = {{cbc[0], cbc[1]}, {sent[0], cbc[1]}, {"AAAA", sent[1]}, {plus[0], plus[1]}, {"!!", sent[1]},
        {sent[0], "AA"}, {sent[0], null}, {"A".repeat(400), sent[1]}};
    for (String[] c : cases) {
      assertThatThrownBy(() -> phones.reEncrypt(gcm, c[0], c[1], 422))
          .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(422))
          .hasMessageNotContaining("919961345678");
    }
  }
}
