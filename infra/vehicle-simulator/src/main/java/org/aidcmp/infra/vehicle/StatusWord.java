package org.aidcmp.infra.vehicle;

import java.util.HexFormat;

/**
 * The eUICC's answer to a command as SW1 SW2 (GlobalPlatform Card Specification, ISO 7816-4), what AID.02 calls
 * csimErrorCode ("UInt16 2 Byte code", e.g. '6A' '84' – not enough memory space).
 */
public final class StatusWord {
  private StatusWord() {}

  /** Normal ending. */
  public static final int OK = 0x9000;
  /** Not enough memory space: the eUICC is full. */
  public static final int NOT_ENOUGH_MEMORY = 0x6A84;
  /** Referenced data not found: no such profile. */
  public static final int REFERENCED_DATA_NOT_FOUND = 0x6A88;
  /** Conditions of use not satisfied, e.g. a profile policy forbids it. */
  public static final int CONDITIONS_NOT_SATISFIED = 0x6985;

  /** Four upper-case hex digits, as the wire carries them ("6A84"). */
  public static String hex(int sw) {
    return HexFormat.of().withUpperCase().toHexDigits((short) sw);
  }

  /** "6A84" or "0x6A84" to the number. */
  public static int parse(String text) {
    String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
    if (!digits.matches("[0-9A-Fa-f]{4}")) {
      throw new IllegalArgumentException("a status word is four hex digits (e.g. 6A84), not '" + text + "'");
    }
    return Integer.parseInt(digits, 16);
  }
}
