package org.aidcmp.lifecycle;

import java.util.Optional;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;

/**
 * The topology's rule for redriving its own commands to egress from the dead letters ({@code aid dlq redrive}):
 * which ones it would still take a result for. It matches results by command id, so a redriven command's result
 * is one it is not waiting for: a ProfileStatusReceived is reconciled as any other, a Send CSIM status or Request
 * invalidate MSP token does its work at the MSP, and those change nothing else here. A Request activation code
 * is the exception.
 */
public final class Redrives {
  /**
   * Why a Request activation code is not redriven: the topology failed that request when egress gave up and no
   * longer waits for its code (CarProvisioningDecider: forUser, lateSwap); the vehicle asks again.
   */
  public static final String ACTIVATION_CODE_NOT_REDRIVEN = "a Request activation code is not redriven: its request failed"
      + " when egress gave up and the vehicle was told (§7.2.2); the vehicle asks again (§7.2.1), and a code got now"
      + " would reach no vehicle while a profile the MSP swapped out for it would still be deleted";

  private Redrives() {}

  /** Why a command with this payload must not be redriven, or empty when it may. */
  public static Optional<String> whyNotRedriven(Object commandPayload) {
    return commandPayload instanceof ActivationCodeRequest ? Optional.of(ACTIVATION_CODE_NOT_REDRIVEN) : Optional.empty();
  }
}
