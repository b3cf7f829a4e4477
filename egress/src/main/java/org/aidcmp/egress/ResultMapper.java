package org.aidcmp.egress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.ActivationCodeRequestAccepted;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.MspCallRejected;
import org.aidcmp.schemas.aid1.MspCallSucceeded;
import org.aidcmp.schemas.aid1.MspProfileState;
import org.aidcmp.schemas.aid1.MspProfileStatus;
import org.aidcmp.schemas.aid1.ProfileStatusReceived;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.common.ErrorInfo;

/** Turns what an MSP answered into the one result of a command on aid.aid1.results.v1. */
final class ResultMapper {
  static final String SOURCE = "egress";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The result, and why the command gave up if it did (then a dead letter goes along). */
  record Mapped(Aid1Result result, String gaveUpReason) {}

  Mapped map(MspCommand command, CallOutcome outcome) {
    MspResponse r = outcome.response();
    if (r == null) {
      String reason;
      if (MspTls.serverCertificateRefused(outcome.failure())) {
        reason = "the MSP's server certificate is not trusted (not retried; check msp." + command.mspId()
            + ".server-ca or egress.tls.trusted): " + describe(outcome.failure());
      } else if (MspTls.clientCertificateRefused(outcome.failure())) {
        reason = "the MSP refused the CMP's client certificate (not retried; check msp." + command.mspId()
            + ".client-identity or egress.tls.identity): " + describe(outcome.failure());
      } else {
        reason = "no answer after " + outcome.attempts() + " attempts: " + describe(outcome.failure());
      }
      return gaveUp(command, outcome, reason, null);
    }
    if (r.retryable()) {
      return gaveUp(command, outcome, "HTTP " + r.status() + " after " + outcome.attempts() + " attempts", r.status());
    }
    try {
      Object payload = payload(command, outcome, r);
      return new Mapped(envelope(command, payload), null);
    } catch (RuntimeException unreadable) {
      // A 2xx whose body we cannot read: retrying would not change it, so it is a give-up for a human. Only the
      // kind of error: a parser's message quotes the body, which can hold an activation code.
      return gaveUp(command, outcome, "unreadable HTTP " + r.status() + " answer ("
          + unreadable.getClass().getSimpleName() + ")", r.status());
    }
  }

  private Object payload(MspCommand command, CallOutcome outcome, MspResponse r) {
    var ref = command.ref(outcome.attempts());
    int status = r.status();
    if (status >= 300) {
      return MspCallRejected.newBuilder().setCommand(ref).setHttpStatus(status).setError(error(r.body())).build();
    }
    if (command.call() == MspCall.REQUEST_ACTIVATION_CODE && (status == 200 || status == 201)) {
      String requestId = ((ActivationCodeRequest) command.envelope().getPayload()).getActivationCodeRequestId();
      if (status == 201) {
        return ActivationCodeRequestAccepted.newBuilder().setCommand(ref).setActivationCodeRequestId(requestId).build();
      }
      JsonNode body = json(r.body());
      return ActivationCodeIssued.newBuilder().setCommand(ref).setActivationCodeRequestId(requestId)
          .setIccid(required(body, "iccid"))
          .setActivationCode(required(body, "activationCode"))
          .setProfileType(optional(body, "profileType"))
          .setSwappedIccid(optional(body, "swappedIccid"))
          .build();
    }
    if (command.call() == MspCall.REQUEST_PROFILE_STATUS && status == 200) {
      List<MspProfileStatus> profiles = new ArrayList<>();
      JsonNode list = json(r.body()).get("profiles");
      if (list == null || !list.isArray()) {
        throw new IllegalArgumentException("no profiles array");
      }
      for (JsonNode p : list) {
        profiles.add(new MspProfileStatus(required(p, "iccid"), state(optional(p, "status"))));
      }
      return ProfileStatusReceived.newBuilder().setCommand(ref)
          .setRequestedIccid(((RequestProfileStatus) command.envelope().getPayload()).getIccid())
          .setProfiles(profiles).build();
    }
    return MspCallSucceeded.newBuilder().setCommand(ref).setHttpStatus(status).build();
  }

  private Mapped gaveUp(MspCommand command, CallOutcome outcome, String reason, Integer lastStatus) {
    MspCallGaveUp payload = MspCallGaveUp.newBuilder().setCommand(command.ref(outcome.attempts()))
        .setReason(reason).setLastHttpStatus(lastStatus).build();
    return new Mapped(envelope(command, payload), reason);
  }

  /** For a command egress cannot even try (an MSP it does not know). */
  Mapped cannotCall(MspCommand command, String reason) {
    return gaveUp(command, new CallOutcome(null, null, 0), reason, null);
  }

  private static Aid1Result envelope(MspCommand command, Object payload) {
    // The result's id derives from the command's, so a re-run after a crash writes the same id.
    return Aid1Result.newBuilder()
        .setHeader(Envelopes.header(Envelopes.derivedId(command.commandId(), "result"), SOURCE,
            command.commandId(), command.correlationId(), Instant.now()))
        .setPayload(payload)
        .build();
  }

  private static ErrorInfo error(String body) {
    try {
      JsonNode node = json(body);
      if (node.hasNonNull("code")) {
        return new ErrorInfo(node.get("code").asText(), node.hasNonNull("error") ? node.get("error").asText() : "");
      }
    } catch (RuntimeException notJson) {
      // §5.1.5 asks for the body; an MSP that sends none still gets its status recorded
    }
    return null;
  }

  private static MspProfileState state(String status) {
    if (status == null) {
      return MspProfileState.UNKNOWN;
    }
    try {
      return MspProfileState.valueOf(status.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException unknown) {
      return MspProfileState.UNKNOWN;
    }
  }

  private static JsonNode json(String body) {
    try {
      return JSON.readTree(body == null ? "" : body);
    } catch (Exception e) {
      throw new IllegalArgumentException("body is not JSON");
    }
  }

  private static String required(JsonNode node, String field) {
    String value = optional(node, field);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("no " + field);
    }
    return value;
  }

  private static String optional(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static String describe(Throwable t) {
    return t == null ? "none" : t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
