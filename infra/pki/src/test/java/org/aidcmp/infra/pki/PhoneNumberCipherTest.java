package org.aidcmp.infra.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** §7.1.4 phoneNumber: what the MSP side encrypts, the CMP side decrypts, with the agreed algorithm only. */
class PhoneNumberCipherTest {
  private static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @Test
  void eachAlgorithmReadsBackWhatItWrote_withAFreshIvEachTime() throws Exception {
    for (PhoneNumberCipher.Algorithm algorithm : PhoneNumberCipher.Algorithm.values()) {
      PhoneNumberCipher.Encrypted once = PhoneNumberCipher.encrypt(algorithm, KEY, "4918974020143");
      PhoneNumberCipher.Encrypted twice = PhoneNumberCipher.encrypt(algorithm, KEY, "4918974020143");
      assertThat(once.iv()).isNotEqualTo(twice.iv());
      assertThat(Base64.getDecoder().decode(once.iv())).hasSize(algorithm == PhoneNumberCipher.Algorithm.AES_GCM ? 12 : 16);
      assertThat(clear(algorithm, KEY, once)).isEqualTo("4918974020143");
      assertThat(once.toString()).doesNotContain(once.phoneNumber());
    }
  }

  @Test
  void anotherKeyOrAlgorithmCannotDecrypt() {
    PhoneNumberCipher.Encrypted gcm = PhoneNumberCipher.encrypt(PhoneNumberCipher.Algorithm.AES_GCM, KEY, "919961345678");
    byte[] otherKey = "fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> clear(PhoneNumberCipher.Algorithm.AES_GCM, otherKey, gcm))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> clear(PhoneNumberCipher.Algorithm.AES_CBC, KEY, gcm))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> PhoneNumberCipher.encrypt(PhoneNumberCipher.Algorithm.AES_GCM, new byte[5], "1"))
        .hasMessageContaining("16, 24 or 32 bytes");
  }

  private static String clear(PhoneNumberCipher.Algorithm algorithm, byte[] key, PhoneNumberCipher.Encrypted value)
      throws GeneralSecurityException {
    return new String(PhoneNumberCipher.decrypt(algorithm, key, Base64.getDecoder().decode(value.phoneNumber()),
        Base64.getDecoder().decode(value.iv())), StandardCharsets.US_ASCII);
  }
}
