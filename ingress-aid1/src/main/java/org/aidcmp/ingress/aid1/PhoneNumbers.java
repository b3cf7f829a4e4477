package org.aidcmp.ingress.aid1;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.pki.PhoneNumberCipher;
import org.aidcmp.schemas.common.EncryptedValue;

/**
 * phoneNumber of §7.1.4 / §7.1.7: Base64 of the MSP's encryption of CC + NPA + SN, with the iv field. The
 * MSP's cipher is agreed per MSP (AES-GCM by default, AES-CBC selectable). We decrypt only to check it and
 * re-encrypt it at once under the CMP's own key (AES-GCM, fresh iv), so the clear number exists only in this
 * class's stack frames: never logged, never on a topic.
 */
public final class PhoneNumbers {
  /** CC + NPA + SN, no "+": an E.164 number without its plus, 8 to 15 digits. */
  private static final Pattern E164_DIGITS = Pattern.compile("[1-9][0-9]{7,14}");
  private static final int MAX_BASE64 = 256;

  private final SecretKeySpec cmpKey;
  private final String cmpKeyId;
  private final SecureRandom random = new SecureRandom();

  public PhoneNumbers(byte[] cmpKey, String cmpKeyId) {
    if (cmpKey.length != 16 && cmpKey.length != 24 && cmpKey.length != 32) {
      throw new IllegalArgumentException("cmp.phone-key must be an AES key of 16, 24 or 32 bytes");
    }
    this.cmpKey = new SecretKeySpec(cmpKey.clone(), "AES");
    this.cmpKeyId = cmpKeyId;
  }

  /**
   * Decrypts the MSP's value and re-encrypts it under the CMP's key.
   *
   * @throws ApiError 422 when it cannot be decrypted or does not hold a phone number
   */
  public EncryptedValue reEncrypt(MspRegistry.Msp msp, String phoneNumberBase64, String ivBase64, int status) {
    if (phoneNumberBase64 == null || ivBase64 == null) {
      throw new ApiError(status, "91", "Invalid request syntax: phoneNumber and iv go together");
    }
    byte[] ciphertext = base64(phoneNumberBase64, status);
    byte[] iv = base64(ivBase64, status);
    byte[] clear = null;
    try {
      clear = decrypt(msp, ciphertext, iv);
      String digits = new String(clear, StandardCharsets.US_ASCII);
      if (!E164_DIGITS.matcher(digits).matches()) {
        throw undecryptable(status);
      }
      return encryptForCmp(clear);
    } catch (ApiError e) {
      throw e;
    } catch (GeneralSecurityException | RuntimeException e) {
      // The JDK's GCM throws ProviderException (unchecked) for input shorter than its tag: still just undecryptable.
      throw undecryptable(status);
    } finally {
      if (clear != null) {
        Arrays.fill(clear, (byte) 0);
      }
    }
  }

  /** The MSP's side of the agreement is the same class the MSP simulator encrypts with. */
  private static byte[] decrypt(MspRegistry.Msp msp, byte[] ciphertext, byte[] iv) throws GeneralSecurityException {
    return PhoneNumberCipher.decrypt(PhoneNumberCipher.Algorithm.valueOf(msp.phoneCipher().name()), msp.phoneKey(),
        ciphertext, iv);
  }

  private EncryptedValue encryptForCmp(byte[] clear) throws GeneralSecurityException {
    byte[] iv = new byte[12];
    random.nextBytes(iv);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, cmpKey, new GCMParameterSpec(128, iv));
    // The key id is bound as associated data, so a value cannot be moved under another key's name.
    cipher.updateAAD(cmpKeyId.getBytes(StandardCharsets.UTF_8));
    byte[] ciphertext = cipher.doFinal(clear);
    return EncryptedValue.newBuilder().setKeyId(cmpKeyId).setIv(ByteBuffer.wrap(iv))
        .setCiphertext(ByteBuffer.wrap(ciphertext)).build();
  }

  /** For the CMP's own readers (and tests): the clear number of a value encrypted by {@link #reEncrypt}. */
  public static String decryptCmp(byte[] cmpKey, EncryptedValue value) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cmpKey, "AES"),
        new GCMParameterSpec(128, bytes(value.getIv())));
    cipher.updateAAD(value.getKeyId().getBytes(StandardCharsets.UTF_8));
    return new String(cipher.doFinal(bytes(value.getCiphertext())), StandardCharsets.US_ASCII);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static byte[] base64(String value, int status) {
    if (value.length() > MAX_BASE64) {
      throw undecryptable(status);
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new ApiError(status, "91", "Invalid request syntax: phoneNumber and iv must be Base64");
    }
  }

  private static ApiError undecryptable(int status) {
    return new ApiError(status, "91", "The phone number cannot be decrypted");
  }
}
