package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.aidcmp.egress.EgressSettings;
import org.aidcmp.egress.EgressWorker;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.msp.RecordedRequest;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.MspCallSucceeded;
import org.aidcmp.schemas.aid1.SendCsimStatus;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A command that gave up while its MSP was down, redriven once the MSP is back: a real {@link EgressWorker} calls
 * a real {@link MspSimulator} over mutual TLS, on topics of this test's own on the shared stack. The redriven
 * command runs once; redriving the same letter again makes the same command, which egress skips.
 */
@ExtendWith(SharedEmbeddedStack.class)
class DeadLettersRedriveEndToEndTest {
  private static final String CMP_ID = "aidcmpDlq";
  private static final String MSP_ID = "msp-down";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aCommandThatGaveUpWhileTheMspWasDownRunsOnceAfterRedrive(Endpoints endpoints) throws Exception {
    try (DeadLetterFixtures f = new DeadLetterFixtures(endpoints);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            endpoints.kafkaBootstrapServers()))) {
      String outbound = f.topic("outbound");
      String results = f.topic("results");
      String dlq = f.topic("dlq");
      String group = "aid-egress-dlq-" + f.suffix;
      CertificateAuthority mspCa = CertificateAuthority.create("msp-ca");
      CertificateAuthority cmpCa = CertificateAuthority.create("cmp-ca");
      MspSimulator msp = MspSimulator.builder().mspId(MSP_ID).cmpId(CMP_ID).apiKey("dlqKey123")
          .tls(mspCa.issueServer(MSP_ID, List.of(), List.of()), List.of(cmpCa.certificate())).build().start();
      MspRegistry msps = MspRegistry.of(CMP_ID, List.of(MspSideEndToEndTest.msp(MSP_ID, msp.baseUrl(),
          MspRegistry.OutboundAuth.API_KEY, "dlqKey123", null, null)));
      EgressSettings settings = EgressSettings.of(endpoints.kafkaBootstrapServers(), msps,
              Tls.clientContext(cmpCa.issueClient(CMP_ID), List.of(mspCa.certificate())))
          .groupId(group).topics(outbound, results, dlq)
          .callTimeout(Duration.ofSeconds(2))
          .retryBudget(3, Duration.ofMillis(100), Duration.ofMillis(300))
          .circuitOpenFor(Duration.ofMillis(500))
          .commitInterval(Duration.ofMillis(100));
      try (msp; EgressWorker egress = EgressWorker.start(settings, f.registry);
          DeadLetters deadLetters = f.deadLetters(dlq)) {
        String token = UUID.randomUUID().toString();
        msp.createUser(token, 1);
        msp.startOutage();
        Aid1Outbound command = DeadLetterFixtures.command(new SendCsimStatus(MSP_ID, token, "8944000000000000077",
            "89049032000000000000000000000077", CsimStatusValue.DELETED));
        f.write(outbound, null, token, f.serialize(outbound, command), List.of());
        String originalId = command.getHeader().getMessageId();

        DeadLetters.Selection egressLetters =
            new DeadLetters.Selection(DeadLetters.EGRESS_STAGE, null, null, null, Set.of());
        DeadLetters.Letter letter = await("the dead letter of " + originalId, egress, () ->
            deadLetters.list(egressLetters).letters().stream().findFirst().orElse(null));
        assertThat(letter.call().commandId()).isEqualTo(originalId);
        // egress writes the dead letter first, then the gave-up result
        await("the gave-up result of " + originalId, egress, () -> results(f, results).stream()
            .filter(r -> r.getPayload() instanceof MspCallGaveUp g && g.getCommand().getCommandId().equals(originalId))
            .findFirst().orElse(null));

        msp.endOutage();
        DeadLetters.Redrive redrive = deadLetters.redrive(egressLetters, false);
        assertThat(redrive.failed()).isFalse();
        String redrivenId = redrive.actions().get(0).commandId();
        await("the result of the redriven command " + redrivenId, egress, () -> results(f, results).stream()
            .filter(r -> r.getPayload() instanceof MspCallSucceeded s && s.getCommand().getCommandId().equals(redrivenId))
            .findFirst().orElse(null));

        // Again: the same command id, which egress has executed and so skips.
        assertThat(deadLetters.redrive(egressLetters, false).actions()).singleElement()
            .satisfies(a -> assertThat(a.commandId()).isEqualTo(redrivenId));
        await("egress took every command of " + outbound, egress, () -> taken(admin, group, outbound) ? true : null);
        assertThat(egress.failure()).isNull();
        List<RecordedRequest> calls = msp.requests(r -> redrivenId.equals(r.cmpRequestId()));
        assertThat(calls).as("the redriven command reached the MSP once").singleElement().satisfies(r -> {
          assertThat(r.executed()).isTrue();
          assertThat(r.status()).isEqualTo(201);
          assertThat(r.mspToken()).isEqualTo(token);
        });
        assertThat(msp.requests(r -> originalId.equals(r.cmpRequestId()) && r.executed())).isEmpty();
        assertThat(results(f, results)).hasSize(2);
      }
    }
  }

  private static List<Aid1Result> results(DeadLetterFixtures f, String topic) {
    AvroDeserializer<Aid1Result> results = new AvroDeserializer<>(f.registry, Aid1Result.class);
    return f.readAll(topic).stream().map(r -> results.deserialize(topic, r.value())).toList();
  }

  /** Whether the egress group's committed offsets have reached the end of every partition of the topic. */
  private static boolean taken(Admin admin, String group, String topic) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      var end = admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest(),
          new TopicPartition(topic, 1), OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS);
      return end.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
          || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset()));
    } catch (Exception e) {
      return false;
    }
  }

  private static <T> T await(String what, EgressWorker egress, Supplier<T> probe) throws InterruptedException {
    return Await.until(what, WAIT, Duration.ofMillis(200), probe,
        () -> "egress in flight " + egress.inFlight() + ", failure " + egress.failure());
  }
}
