package org.aidcmp.infra.msp;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * An SM-DP+ stub: an activation code is bound to one EID and one ICCID when issued, and downloads once, only
 * to that EID, yielding its ICCID. Enough for the vehicle simulator and the MSP's profile states.
 */
public final class SmdpStub {
  /** The SM-DP+ address carried in every activation code (SGP.22 format "1$address$matchingId"). */
  public static final String ADDRESS = "smdp.simulator.aidcmp.invalid";

  private record Binding(String eid, String iccid) {}

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Binding> pending = new ConcurrentHashMap<>();
  private volatile BiConsumer<String, String> onDownload = (eid, iccid) -> {};

  /** A fresh activation code for {@code iccid}, downloadable only to {@code eid}. */
  public String bind(String eid, String iccid) {
    byte[] matchingId = new byte[16];
    random.nextBytes(matchingId);
    String code = "1$" + ADDRESS + "$" + HexFormat.of().withUpperCase().formatHex(matchingId);
    pending.put(code, new Binding(eid, iccid));
    return code;
  }

  /**
   * Downloads the profile of {@code activationCode} to {@code eid}: its ICCID, once; empty for an unknown or
   * used code or another EID (a wrong EID does not use the code up).
   */
  public Optional<String> download(String activationCode, String eid) {
    Binding binding = pending.get(activationCode);
    if (binding == null || !binding.eid().equals(eid) || !pending.remove(activationCode, binding)) {
      return Optional.empty();
    }
    onDownload.accept(eid, binding.iccid());
    return Optional.of(binding.iccid());
  }

  /** Called with (eid, iccid) after each download; the MSP marks the profile installed. */
  void onDownload(BiConsumer<String, String> listener) {
    this.onDownload = listener;
  }
}
