package org.aidcmp.ingress.aid1;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The user an account id (§5.1.2) was issued for, carried in the account id itself as one more claim ({@link
 * #NAME}), which an MSP ignores: AES-GCM under a key only the CMP holds, bound to the MSP and the sid (the
 * additional authenticated data). Ingress so keys a Send MSP token (§7.1.4) by its user, and the call goes
 * straight to the user's partition, without a sid index. The MSP knows the HS256 secret and can sign an account
 * id itself, but can neither read this claim nor make one, nor move one to another sid or MSP.
 *
 * <p>The key is derived from the CMP's own key ({@code cmp.phone-key}) with HMAC-SHA256 and a label, so that
 * one configured key serves both without the two uses sharing a key.
 */
public final class AccountIdUserClaim {
  /** The claim's name in the account id's payload. */
  public static final String NAME = "cmp";
  private static final byte[] LABEL = "aid account id: the user claim, v1".getBytes(StandardCharsets.US_ASCII);
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  /** A cmpUserId is bounded by the touchpoint's identity provider; no claim needs more. */
  private static final int MAX_CLAIM_CHARS = 512;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  public AccountIdUserClaim(byte[] cmpKey) {
    if (cmpKey == null || cmpKey.length < 16) {
      throw new IllegalArgumentException("cmp.phone-key must be an AES key of 16, 24 or 32 bytes");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(cmpKey, "HmacSHA256"));
      key = new SecretKeySpec(mac.doFinal(LABEL), "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** The claim's value: base64url (no padding) of iv and ciphertext with its tag. */
  public String seal(String cmpUserId, String mspId, String sid) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, iv, mspId, sid);
      byte[] sealed = cipher.doFinal(cmpUserId.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal the account id's user claim", e);
    }
  }

  /** The user, if the claim is one this CMP made for this MSP and sid; empty otherwise. */
  public Optional<String> open(String claim, String mspId, String sid) {
    if (claim.length() > MAX_CLAIM_CHARS) {
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(claim);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // The JDK's GCM throws an unchecked exception for input shorter than its tag: refuse it first.
    if (bytes.length <= IV_BYTES + TAG_BITS / 8) {
      return Optional.empty();
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(bytes, IV_BYTES), mspId, sid);
      byte[] clear = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
      return Optional.of(new String(clear, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  private Cipher cipher(int mode, byte[] iv, String mspId, String sid) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
    cipher.updateAAD((mspId + "\n" + sid).getBytes(StandardCharsets.UTF_8));
    return cipher;
  }
}
