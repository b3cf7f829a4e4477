package org.aidcmp.infra.vehicle;

/**
 * The SM-DP+ a vehicle downloads its profile from with an activation code (SGP.22 "1$address$matchingId"). An
 * activation code downloads only to the EID it was bound to, once, and yields the profile's ICCID. In tests the
 * MSP simulator's stub in-process ({@code smdpStub::download}); from {@code aid fleet}, {@link HttpsSmdp}.
 */
@FunctionalInterface
public interface Smdp {

  /** What a download gave: the ICCID, or that the SM-DP+ refused (unknown or used code, another EID). */
  record Download(String iccid, boolean reached) {
    public static Download of(String iccid) {
      return new Download(iccid, true);
    }

    public static Download refused() {
      return new Download(null, true);
    }

    public static Download unreachable() {
      return new Download(null, false);
    }

    public boolean succeeded() {
      return iccid != null;
    }
  }

  Download download(String activationCode, String eid);

  /** An in-process SM-DP+ from a function giving the ICCID or empty, e.g. the MSP simulator's {@code SmdpStub}. */
  static Smdp of(java.util.function.BiFunction<String, String, java.util.Optional<String>> download) {
    return (code, eid) -> download.apply(code, eid).map(Download::of).orElseGet(Download::refused);
  }
}
