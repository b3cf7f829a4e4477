package org.aidcmp.infra.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The phoneNumber encryption of AID.02 §7.1.4 and §7.1.7, "agreed separately by MSP and CMP": the MSP sends
 * Base64(encrypt(CC + NPA + SN)) in {@code phoneNumber} and the Base64 initialisation vector in {@code iv}. Both
 * ends of AiD1 use this one class (the MSP simulator encrypts, ingress-aid1 decrypts), so what one writes the
 * other reads by construction. The agreed algorithm is AES-GCM (128-bit tag, 12-byte iv) unless an MSP asked for
 * AES-CBC (PKCS#5 padding, 16-byte iv); the key is the per-MSP AES key of 16, 24 or 32 bytes.
 */
public final class PhoneNumberCipher {
  /** The agreed algorithms; the names match {@code msp.<id>.phone-cipher}. */
  public enum Algorithm { AES_GCM, AES_CBC }

  /**
   * The two request fields, Base64. Only ciphertext, but still kept out of log lines: a log is no place to
   * collect encrypted phone numbers either.
   */
  public record Encrypted(String phoneNumber, String iv) {
    @Override
    public String toString() {
      return "Encrypted[phoneNumber=****]";
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int GCM_TAG_BITS = 128;

  private PhoneNumberCipher() {}

  /** The MSP's side: encrypts the clear number (digits) with a fresh iv. */
  public static Encrypted encrypt(Algorithm algorithm, byte[] key, String number) {
    boolean cbc = algorithm == Algorithm.AES_CBC;
    byte[] iv = new byte[cbc ? 16 : 12];
    RANDOM.nextBytes(iv);
    byte[] clear = number.getBytes(StandardCharsets.US_ASCII);
    try {
      Cipher cipher = cipher(algorithm, Cipher.ENCRYPT_MODE, key, iv);
      byte[] ciphertext = cipher.doFinal(clear);
      return new Encrypted(Base64.getEncoder().encodeToString(ciphertext), Base64.getEncoder().encodeToString(iv));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot encrypt with " + algorithm + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(clear, (byte) 0);
    }
  }

  /**
   * The CMP's side: the clear bytes of the MSP's value. The caller zeroes them when done.
   *
   * @throws GeneralSecurityException whenever the value cannot be decrypted (wrong key, iv, algorithm, length)
   */
  public static byte[] decrypt(Algorithm algorithm, byte[] key, byte[] ciphertext, byte[] iv)
      throws GeneralSecurityException {
    if (algorithm == Algorithm.AES_CBC) {
      if (iv.length != 16) {
        throw new GeneralSecurityException("CBC iv must be 16 bytes");
      }
    } else if (iv.length < 12 || iv.length > 16 || ciphertext.length <= GCM_TAG_BITS / 8) {
      // The JDK's GCM throws an unchecked ProviderException for input shorter than its tag: refuse it first.
      throw new GeneralSecurityException("GCM iv must be 12 to 16 bytes, the ciphertext longer than its tag");
    }
    return cipher(algorithm, Cipher.DECRYPT_MODE, key, iv).doFinal(ciphertext);
  }

  private static Cipher cipher(Algorithm algorithm, int mode, byte[] key, byte[] iv) throws GeneralSecurityException {
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new GeneralSecurityException("the phone key must be an AES key of 16, 24 or 32 bytes");
    }
    SecretKeySpec spec = new SecretKeySpec(key, "AES");
    if (algorithm == Algorithm.AES_CBC) {
      Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
      cipher.init(mode, spec, new IvParameterSpec(iv));
      return cipher;
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, spec, new GCMParameterSpec(GCM_TAG_BITS, iv));
    return cipher;
  }
}
