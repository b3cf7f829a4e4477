package org.aidcmp.infra.msp;

/**
 * Where an MSP in asynchronous mode (§7.1.8.2) delivers the activation code after its 201: in the platform,
 * the CMP's Send activation code (§7.1.8.2.1); in tests, whatever collects them.
 */
@FunctionalInterface
public interface AsyncActivationCodeSink {

  /**
   * The body of Send activation code: iccid, activationCode, profileType, activationCodeRequestID,
   * swappedIccid, or only error when no code could be generated.
   */
  record SendActivationCode(
      String mspToken, String iccid, String activationCode, String profileType, String activationCodeRequestId,
      String swappedIccid, String error) {

    /** The activation code never reaches a log line. */
    @Override
    public String toString() {
      return "SendActivationCode[activationCodeRequestId=" + activationCodeRequestId + ", iccid=" + iccid
          + ", swappedIccid=" + swappedIccid + ", error=" + error + "]";
    }
  }

  void deliver(SendActivationCode message);
}
