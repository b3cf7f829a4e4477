package org.aidcmp.infra.pki.mqtt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.aidcmp.infra.pki.CertificateAuthority;

/**
 * What bulk registration (the fleet simulator's N vehicles) and a CONNECT cost, per vehicle, in steady state after
 * a warm-up, beside the raw parts measured in the same run (PBKDF2 alone, an EC P-256 key pair and signature
 * alone). Not a test: run its main with the test class path (infra/pki/README.md).
 */
public final class MqttCredentialsBenchmark {
  private MqttCredentialsBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    Path dir = Files.createTempDirectory("mqtt-credentials-bench-");
    MqttCredentials credentials = MqttCredentials.open(dir);
    CertificateAuthority ca = CertificateAuthority.create("bench CA");
    String password = PasswordHash.newPassword();
    String hash = PasswordHash.hash(password);
    for (int round = 0; round < 2; round++) { // round 0 warms up
      boolean print = round == 1;
      measure(print, "raw: PBKDF2 hash (1,000 iterations)", n, i -> PasswordHash.hash(password));
      measure(print, "raw: EC P-256 key pair + certificate", n, i -> ca.issueClient(vin(i)));
      measure(print, "CONNECT check: store read + PBKDF2 verify", n,
          i -> PasswordHash.verify(password, credentials.store().find("WBAUX11030A000000").map(
              MqttIdentity::passwordHash).orElse(hash)));
      measure(print, "issueVehiclePassword (hash + store write)", n, i -> credentials.issueVehiclePassword(vin(i)));
      measure(print, "issueVehicle (certificate + password + store)", n, i -> credentials.issueVehicle(vin(i)));
    }
  }

  private interface Step {
    void run(int i) throws Exception;
  }

  private static void measure(boolean print, String what, int n, Step step) throws Exception {
    long begin = System.nanoTime();
    for (int i = 0; i < n; i++) {
      step.run(i);
    }
    double micros = (System.nanoTime() - begin) / 1_000.0 / n;
    if (print) {
      System.out.printf(Locale.ROOT, "%-48s %8.0f us each, %7.0f /s (n=%d)%n", what, micros, 1e6 / micros, n);
    }
  }

  private static String vin(int i) {
    return String.format(Locale.ROOT, "WBAUX11030A%06d", i);
  }
}
