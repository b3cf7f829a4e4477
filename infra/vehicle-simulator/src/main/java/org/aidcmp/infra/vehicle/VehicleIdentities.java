package org.aidcmp.infra.vehicle;

import java.util.random.RandomGenerator;

/**
 * Identities for simulated vehicles that pass the platform's checks: VINs of ISO 3779 (17 characters, no I, O
 * or Q), 32-digit EIDs, 15-digit IMEIs with their Luhn check digit. A run's prefix keeps its vehicles apart from
 * an earlier run's on the same platform.
 */
public final class VehicleIdentities {
  private static final String VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

  private final String runPrefix;

  /** {@code random} picks the run's prefix: five VIN characters. */
  public VehicleIdentities(RandomGenerator random) {
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      prefix.append(VIN_CHARACTERS.charAt(random.nextInt(VIN_CHARACTERS.length())));
    }
    this.runPrefix = prefix.toString();
  }

  /** "WSM" (a simulated make) + the run's prefix + the vehicle's number in 9 digits. */
  public String vin(int n) {
    return "WSM" + runPrefix + String.format("%09d", n);
  }

  public String eid(int n) {
    return "89049032" + String.format("%016d", Math.abs((long) runPrefix.hashCode()) % 10_000_000_000_000_000L)
        + String.format("%08d", n);
  }

  public String imei(int n) {
    String body = "35" + String.format("%012d", (Math.abs((long) runPrefix.hashCode()) * 1000 + n) % 1_000_000_000_000L);
    return body + luhnDigit(body);
  }

  public String runPrefix() {
    return runPrefix;
  }

  /** The digit that makes {@code digits} + it pass the Luhn check. */
  static int luhnDigit(String digits) {
    int sum = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = digits.charAt(digits.length() - 1 - i) - '0';
      if (i % 2 == 0) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return (10 - sum % 10) % 10;
  }
}
