package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * What a platform started in-process for a demo or a benchmark needs to know of a simulated MSP: its
 * configuration entries as {@code aid msp onboard} would make them (fresh secrets, a portal under
 * {@code portal.<id>.example}) and a free loopback port to serve it on.
 */
final class SimulatedMsps {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SimulatedMsps() {}

  static String touchpointUrl(String id) {
    return "https://portal." + id + ".example/login";
  }

  static String redirectBase(String id) {
    return "https://portal." + id + ".example/aid/return";
  }

  static String withdrawUrl(String id) {
    return "https://portal." + id + ".example/withdraw";
  }

  /** The {@code msp.<id>.*} entries of an MSP served on 127.0.0.1:{@code port}, with fresh secrets. */
  static Map<String, String> config(String id, String clientId, int port) {
    byte[] phoneKey = new byte[16];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(phoneKey);
    RANDOM.nextBytes(secret);
    String p = "msp." + id + ".";
    return Map.of(
        p + "client-id", clientId,
        p + "base-url", "https://127.0.0.1:" + port,
        p + "api-key", "cmpKeyAt" + clientId,
        p + "inbound-api-key", clientId + "Key" + HexFormat.of().formatHex(secret, 0, 8),
        p + "account-id-secret", Base64.getEncoder().encodeToString(secret),
        p + "phone-key", Base64.getEncoder().encodeToString(phoneKey),
        p + "touchpoint-url", touchpointUrl(id),
        p + "redirect-domains", "*." + id + ".example",
        p + "withdraw-url", withdrawUrl(id),
        // every status goes to the MSP (§7.1.9): the demo checks what each MSP was told
        p + "csim-statuses", "installed,enabled,disabled,deleted");
  }

  /**
   * A free loopback port for a server whose port must be configured before it binds, below the kernel's
   * ephemeral range (32768 and up on Linux): in between, an outgoing connection (there are many: Kafka, MQTT,
   * HTTP clients) could take an ephemeral one.
   */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = 20_000 + RANDOM.nextInt(12_000);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
