package org.aidcmp.egress;

import java.util.Locale;
import java.util.regex.Pattern;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.aid1.RequestInvalidateMspToken;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.aid1.SendCsimStatus;

/**
 * One command of aid.aid1.outbound.v1 with what every call needs from it: id, MSP, token, call, correlation,
 * and the user it is for (its result's key).
 */
record MspCommand(Aid1Outbound envelope, String commandId, String mspId, String mspToken, MspCall call,
                  String correlationId) {
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  static MspCommand of(Aid1Outbound envelope) {
    String commandId = envelope.getHeader().getMessageId();
    Object payload = envelope.getPayload();
    String mspId;
    String mspToken;
    MspCall call;
    if (payload instanceof ActivationCodeRequest p) {
      mspId = p.getMspId();
      mspToken = p.getMspToken();
      call = MspCall.REQUEST_ACTIVATION_CODE;
    } else if (payload instanceof SendCsimStatus p) {
      mspId = p.getMspId();
      mspToken = p.getMspToken();
      call = MspCall.SEND_CSIM_STATUS;
    } else if (payload instanceof RequestInvalidateMspToken p) {
      mspId = p.getMspId();
      mspToken = p.getMspToken();
      call = MspCall.REQUEST_INVALIDATE_MSP_TOKEN;
    } else if (payload instanceof RequestProfileStatus p) {
      mspId = p.getMspId();
      mspToken = p.getMspToken();
      call = MspCall.REQUEST_PROFILE_STATUS;
    } else {
      throw new IllegalArgumentException("not an MSP call: " + payload.getClass().getSimpleName());
    }
    // §5.1.1 wants a UUID; one derived from the command keeps every retry and replay in the same transaction.
    String given = envelope.getHeader().getCorrelationId();
    String correlationId = given != null && UUID_TEXT.matcher(given).matches()
        ? given.toLowerCase(Locale.ROOT) : Envelopes.derivedId(commandId, "correlation-id");
    return new MspCommand(envelope, commandId, mspId, mspToken, call, correlationId);
  }

  MspCallRef ref(int attempts) {
    return MspCallRef.newBuilder().setCommandId(commandId).setMspId(mspId).setMspToken(mspToken).setCall(call)
        .setAttempts(attempts).setCmpUserId(envelope.getCmpUserId()).build();
  }

  /**
   * The key of the command's result on aid.aid1.results.v1: the user it is for, so the result reaches the user's
   * partition without a routing hop; the msp_token for a command that names no user (written before).
   */
  String resultKey() {
    return envelope.getCmpUserId() != null ? envelope.getCmpUserId() : mspToken;
  }
}
