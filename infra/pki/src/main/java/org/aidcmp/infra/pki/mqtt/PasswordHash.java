package org.aidcmp.infra.pki.mqtt;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted password hashes for the broker's credentials store: PBKDF2-HMAC-SHA256 from the JDK, 16 bytes of salt,
 * a 32-byte hash, encoded {@code pbkdf2-sha256$iterations$salt$hash} (Base64), so the iteration count travels
 * with each hash and can be raised later without invalidating the ones already issued.
 *
 * <p>Why {@value #ITERATIONS} iterations, far below what guides ask for human passwords: every password here is
 * generated ({@link #newPassword()}, 192 random bits), so no iteration count changes whether it can be guessed
 * (2^192 tries either way); stretching only protects low-entropy secrets. What the count does cost is CPU on
 * every CONNECT (a reconnect storm of a whole fleet) and on bulk registration (the fleet simulator registers
 * hundreds of vehicles at once). The store never accepts a password a person chose.
 */
public final class PasswordHash {
  public static final int ITERATIONS = 1_000;
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final String PREFIX = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final int PASSWORD_BYTES = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordHash() {}

  /** A new random password: 24 bytes (192 bits), Base64url without padding (32 characters, MQTT-safe). */
  public static String newPassword() {
    byte[] bytes = new byte[PASSWORD_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The encoded salted hash of {@code password}. */
  public static String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder();
    return PREFIX + "$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$"
        + b64.encodeToString(pbkdf2(password, salt, ITERATIONS));
  }

  /** Whether {@code password} matches {@code encoded}; false (never an exception) for a malformed hash. */
  public static boolean verify(String password, String encoded) {
    if (password == null || encoded == null) {
      return false;
    }
    String[] parts = encoded.split("\\$");
    if (parts.length != 4 || !parts[0].equals(PREFIX)) {
      return false;
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      if (iterations < 1 || iterations > 10_000_000) {
        return false;
      }
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] expected = Base64.getDecoder().decode(parts[3]);
      // Constant time: how much of the hash matched must not show in the time taken.
      return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations));
    } catch (IllegalArgumentException malformed) {
      return false;
    }
  }

  private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no " + ALGORITHM + " in this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }
}
