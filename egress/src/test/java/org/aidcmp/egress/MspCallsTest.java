package org.aidcmp.egress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aidcmp.infra.msp.Fault;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.msp.RecordedRequest;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequestAccepted;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.MspCallRejected;
import org.aidcmp.schemas.aid1.MspCallSucceeded;
import org.aidcmp.schemas.aid1.MspProfileState;
import org.aidcmp.schemas.aid1.ProfileStatusReceived;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each call's success and error paths, against the simulators over real mutual TLS. */
@ExtendWith(SharedKafka.class)
class MspCallsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @Test
  void syncActivationCodesSwapStatusProfileStatusAndInvalidateWithExactHeadersAndBodies(SharedKafka.Endpoints kafka)
      throws Exception {
    try (Harness h = new Harness(kafka, "calls")) {
      h.startWorker("calls");
      String token = h.newUser(h.sync, 2);
      String first = h.requestActivationCode("mspS", token, null);
      String second = h.requestActivationCode("mspS", token, null);
      Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, Set.of(first, second));
      ActivationCodeIssued a = (ActivationCodeIssued) done.get(first).get(0).getPayload();
      ActivationCodeIssued b = (ActivationCodeIssued) done.get(second).get(0).getPayload();
      assertThat(a.getSwappedIccid()).isNull();
      assertThat(a.getActivationCode()).startsWith("1$");
      assertThat(a.getCommand().getAttempts()).isEqualTo(1);

      String swap = h.requestActivationCode("mspS", token, a.getIccid());
      String full = h.requestActivationCode("mspS", token, null);
      String status = h.sendCsimStatus("mspS", token, b.getIccid(), CsimStatusValue.INSTALLED);
      String profiles = h.profileStatus("mspS", token, null);
      done = h.awaitResults(LIMIT, Set.of(swap, full, status));
      assertThat(((ActivationCodeIssued) done.get(swap).get(0).getPayload()).getSwappedIccid()).isEqualTo(a.getIccid());
      MspCallRejected rejected = (MspCallRejected) done.get(full).get(0).getPayload();
      assertThat(rejected.getHttpStatus()).isEqualTo(422);
      assertThat(rejected.getError().getCode()).isEqualTo("49");
      assertThat(rejected.getCommand().getAttempts()).isEqualTo(1);
      assertThat(((MspCallSucceeded) done.get(status).get(0).getPayload()).getHttpStatus()).isEqualTo(201);

      done = h.awaitResults(LIMIT, Set.of(profiles));
      ProfileStatusReceived received = (ProfileStatusReceived) done.get(profiles).get(0).getPayload();
      assertThat(received.getProfiles()).extracting(p -> p.getStatus()).contains(MspProfileState.INSTALLED);
      String invalidate = h.invalidate("mspS", token);
      String afterInvalidate = h.profileStatus("mspS", token, null);
      done = h.awaitResults(LIMIT, Set.of(invalidate, afterInvalidate));
      assertThat(((MspCallSucceeded) done.get(invalidate).get(0).getPayload()).getHttpStatus()).isEqualTo(204);
      assertThat(((MspCallRejected) done.get(afterInvalidate).get(0).getPayload()).getError().getCode()).isEqualTo("21");

      // §5.1.1 headers, §6 api-key, §7.1.8 body, exactly as sent.
      RecordedRequest ac = h.sync.requests(r -> first.equals(r.cmpRequestId())).get(0);
      assertThat(ac.method()).isEqualTo("POST");
      assertThat(ac.path()).isEqualTo("/v1/activation-code-requests/" + token);
      assertThat(ac.header("client-id")).isEqualTo(Harness.CMP_ID);
      assertThat(ac.header("target-id")).isEqualTo("mspS");
      assertThat(ac.header("api-key")).isEqualTo("syncKey123");
      assertThat(ac.header("authorization")).isNull();
      assertThat(ac.header("correlation-id")).matches("[0-9a-f-]{36}");
      JsonNode body = JSON.readTree(ac.body());
      assertThat(body.get("profileType").asText()).isEqualTo("personal");
      assertThat(body.get("deviceType").asText()).isEqualTo("tcu");
      assertThat(body.get("imei").asText()).isEmpty();
      assertThat(body.get("eid").asText()).isEqualTo(Harness.EID);
      assertThat(body.get("activationCodeRequestID").asText())
          .isEqualTo(((ActivationCodeIssued) h.awaitResults(LIMIT, Set.of(first)).get(first).get(0).getPayload())
              .getActivationCodeRequestId());
      assertThat(body.has("replaceIccid")).isFalse();
      RecordedRequest swapRequest = h.sync.requests(r -> swap.equals(r.cmpRequestId())).get(0);
      assertThat(JSON.readTree(swapRequest.body()).get("replaceIccid").asText()).isEqualTo(a.getIccid());
      RecordedRequest statusRequest = h.sync.requests(r -> status.equals(r.cmpRequestId())).get(0);
      assertThat(JSON.readTree(statusRequest.body()).get("status").asText()).isEqualTo("installed");
      assertThat(JSON.readTree(statusRequest.body()).get("iccid").asText()).isEqualTo(b.getIccid());
      assertThat(h.sync.requests(r -> invalidate.equals(r.cmpRequestId())).get(0).method()).isEqualTo("DELETE");
      // Every call passed the simulator's header checks: none answered 400 or 401.
      assertThat(h.sync.requests()).allSatisfy(r -> assertThat(r.status()).isNotIn(400, 401));
    }
  }

  @Test
  void asyncActivationCodeIsAcceptedWithBasicAuthAndDeliveredLater(SharedKafka.Endpoints kafka) throws Exception {
    try (Harness h = new Harness(kafka, "async")) {
      h.startWorker("async");
      String token = h.newUser(h.async, 1);
      String command = h.requestActivationCode("mspA", token, null);
      Aid1Result result = h.awaitResults(LIMIT, Set.of(command)).get(command).get(0);
      ActivationCodeRequestAccepted accepted = (ActivationCodeRequestAccepted) result.getPayload();
      Harness.await(LIMIT, () -> h.delivered.stream()
          .anyMatch(d -> d.activationCodeRequestId().equals(accepted.getActivationCodeRequestId())));
      RecordedRequest request = h.async.requests(r -> command.equals(r.cmpRequestId())).get(0);
      assertThat(request.header("authorization"))
          .isEqualTo("Basic " + Base64.getEncoder().encodeToString("cmpUser:s3cret".getBytes()));
      assertThat(request.header("api-key")).isNull();
      assertThat(request.header("target-id")).isEqualTo("mspA");
    }
  }

  @Test
  void rejectionsAreNotRetriedAndServerErrorsAnd429AreUntilTheyPass(SharedKafka.Endpoints kafka) throws Exception {
    try (Harness h = new Harness(kafka, "retry")) {
      h.startWorker("retry");
      String unknown = h.invalidate("mspS", java.util.UUID.randomUUID().toString());
      Aid1Result rejected = h.awaitResults(LIMIT, Set.of(unknown)).get(unknown).get(0);
      assertThat(((MspCallRejected) rejected.getPayload()).getError().getCode()).isEqualTo("20");
      assertThat(h.sync.requests(r -> unknown.equals(r.cmpRequestId()))).hasSize(1);

      String token = h.newUser(h.sync, 1);
      h.sync.faults().on(MspCall.REQUEST_PROFILE_STATUS, Fault.serverError(503).times(2));
      String flaky = h.profileStatus("mspS", token, null);
      Aid1Result passed = h.awaitResults(LIMIT, Set.of(flaky)).get(flaky).get(0);
      assertThat(((ProfileStatusReceived) passed.getPayload()).getCommand().getAttempts()).isEqualTo(3);
      assertThat(h.sync.requests(r -> flaky.equals(r.cmpRequestId())))
          .extracting(RecordedRequest::status).containsExactly(503, 503, 200);

      h.sync.faults().on(MspCall.REQUEST_PROFILE_STATUS, Fault.tooManyRequests(1).times(1));
      String limited = h.profileStatus("mspS", token, null);
      h.awaitResults(LIMIT, Set.of(limited));
      List<RecordedRequest> tries = h.sync.requests(r -> limited.equals(r.cmpRequestId()));
      assertThat(tries).extracting(RecordedRequest::status).containsExactly(429, 200);
      // Retry-After: 1 was honoured, not the 100 ms backoff.
      assertThat(Duration.between(tries.get(0).receivedAt(), tries.get(1).receivedAt())).isGreaterThan(Duration.ofMillis(900));
    }
  }

  @Test
  void pastTheRetryBudgetAGaveUpResultAndADeadLetter(SharedKafka.Endpoints kafka) throws Exception {
    try (Harness h = new Harness(kafka, "gaveup")) {
      var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      h.startWorker(h.settings("gaveup").retryBudget(3, Duration.ofMillis(50), Duration.ofMillis(100))
          .meterRegistry(meters));
      String token = h.newUser(h.sync, 1);
      h.sync.faults().all(Fault.serverError(500));
      String command = h.sendCsimStatus("mspS", token, "89490000000000000001", CsimStatusValue.DELETED);
      MspCallGaveUp gaveUp = (MspCallGaveUp) h.awaitResults(LIMIT, Set.of(command)).get(command).get(0).getPayload();
      assertThat(gaveUp.getLastHttpStatus()).isEqualTo(500);
      assertThat(gaveUp.getCommand().getAttempts()).isEqualTo(3);
      Harness.await(LIMIT, () -> !h.deadLetters().isEmpty());
      DeadLetter letter = (DeadLetter) h.deadLetters().get(0).getPayload();
      assertThat(letter.getSourceTopic()).isEqualTo(h.outbound);
      assertThat(letter.getReason()).contains("HTTP 500");
      assertThat(letter.getAttempts()).isEqualTo(3);
      assertThat(h.deadLetters().get(0).getHeader().getRequestId()).isEqualTo(command);
      assertThat(meters.counter("aid.egress.results", "msp", "mspS", "call", "SEND_CSIM_STATUS",
          "result", "MspCallGaveUp").count()).isEqualTo(1.0);
      assertThat(meters.counter("aid.egress.attempts", "msp", "mspS").count()).isEqualTo(3.0);

      String unknownMsp = h.invalidate("mspX", token);
      MspCallGaveUp notCalled = (MspCallGaveUp) h.awaitResults(LIMIT, Set.of(unknownMsp)).get(unknownMsp).get(0).getPayload();
      assertThat(notCalled.getReason()).isEqualTo("unknown MSP mspX");
      assertThat(notCalled.getCommand().getAttempts()).isZero();
      Harness.await(LIMIT, () -> h.deadLetters().size() == 2);
    }
  }
}
