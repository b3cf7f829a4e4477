package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.msp.CmpActivationCodeSink;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.msp.RecordedRequest;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The platform as {@code aid up} runs it ({@link Services}: lifecycle-streams, egress, ingress-aid1) with one
 * MSP, "msp-cli", whose simulator is started the way {@code aid msp serve} starts it and whose calls are made the
 * way the one-shot {@code aid msp} commands make them: no test glue between the two sides but the vehicle's
 * uplink record (ingress-aid2 is not built yet). A user onboards by Send MSP token through {@link CmpClient}; the
 * vehicle's activation code request goes through egress to the simulator, which answers 201 (async) and sends
 * the code back by Send activation code through ingress-aid1; the vehicle gets it on its downlink.
 */
@ExtendWith(SharedEmbeddedStack.class)
class AidMspEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String EID = "89049032000000000000000000004711";

  @Test
  void anMspServedLikeAidMspServeProvisionsAVehicleThroughEgressAndSendActivationCode(Endpoints endpoints,
      SharedEmbeddedStack.DataDir stackData) throws Exception {
    Path data = Files.createTempDirectory("aid-msp-cli-");
    byte[] phoneKey = new byte[16];
    new SecureRandom().nextBytes(phoneKey);
    int mspPort = freePort();
    AidConfig config = AidConfig.of(Map.ofEntries(
        Map.entry("aid.data.dir", data.toString()),
        Map.entry("cmp.id", "aidcmp"),
        Map.entry("lifecycle.application-id", "aid-lifecycle-msp-cli-" + UUID.randomUUID()),
        Map.entry("egress.group.id", "aid-egress-msp-cli-" + UUID.randomUUID()),
        Map.entry("ingress.aid1.msp.port", "0"),
        Map.entry("ingress.aid1.touchpoint.port", "0"),
        Map.entry("oidc.local.port", "0"),
        Map.entry("msp.ids", "msp-cli"),
        Map.entry("msp.msp-cli.client-id", "mspCli"),
        Map.entry("msp.msp-cli.base-url", "https://127.0.0.1:" + mspPort),
        Map.entry("msp.msp-cli.api-key", "cmpKeyAtMspCli1"),
        Map.entry("msp.msp-cli.inbound-api-key", "mspCliKey0123456"),
        Map.entry("msp.msp-cli.account-id-secret", "msp-cli-secret-of-at-least-32-bytes"),
        Map.entry("msp.msp-cli.phone-key", Base64.getEncoder().encodeToString(phoneKey)),
        Map.entry("msp.msp-cli.touchpoint-url", "https://portal.msp-cli.example/login")))
        .with(SharedEmbeddedStack.brokerLogins(stackData.path()));
    // The whole run's log, as JSON lines (log.format=json): afterwards none of the secrets or identifiers used.
    LogCapture log = new LogCapture();
    AidLogFormat.use("json");
    String accountId = null;
    String activationCode = null;
    String token = UUID.randomUUID().toString();
    try (log; Services services = Services.start(config, endpoints);
         SchemaRegistryClient registry = Aid.registryClient(config, endpoints);
         KafkaProducer<String, SpecificRecord> vehicle = new KafkaProducer<>(Map.of(
             ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
             new StringSerializer(), new AvroSerializer<>(registry, true));
         TopicLog<Aid2Downlink> downlink = new TopicLog<>(endpoints.kafkaBootstrapServers(), registry,
             AidTopic.AID2_DOWNLINK.topicName(), Aid2Downlink.class)) {
      assertThat(services.endpoints().get("egress (MSP calls)")).startsWith("running for msp-cli");

      // A second terminal: `aid msp serve msp-cli --mode async --pool 1`, on the configuration aid up runs with
      // (the ingress port is taken from the running services, as the configured one would be).
      AidConfig second = config.with(Map.of("ingress.aid1.msp.port",
          String.valueOf(services.ingress().server().mspPort())));
      MspCommands aidMsp = new MspCommands(second, new PrintStream(new ByteArrayOutputStream(), true,
          StandardCharsets.UTF_8));
      try (MspCommands.Served msp = aidMsp.serve("msp-cli", MspSimulator.ResponseMode.ASYNC, 1, null, null)) {
        assertThat(msp.simulator().baseUrl().getPort()).as("the port of msp.msp-cli.base-url").isEqualTo(mspPort);
        CmpClient cmp = aidMsp.cmpClient("msp-cli", null);
        Touchpoint touchpoint = new Touchpoint(services, data);

        // §4.1: account id at the touchpoint, §7.1.4 Send MSP token by the MSP, terms accepted.
        String user = "cli-" + UUID.randomUUID();
        accountId = touchpoint.accountId(user, "msp-cli");
        CmpClient.Answer sent = cmp.sendMspToken(accountId,
            CmpClient.SendMspToken.of(token, "4918974020143", "private"));
        assertThat(sent.status()).as(sent.body().toString()).isEqualTo(201);
        assertThat(touchpoint.call(user, "POST", "/api/v1/terms/acceptance", "{}").status()).isEqualTo(200);
        String vin = ("WCMP" + UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000000").substring(0, 17);
        Touchpoint.Answer registered = touchpoint.call("fleet-operator", List.of("fleet"), "PUT",
            "/api/v1/fleet/vehicles/" + vin, "{\"eid\":\"" + EID + "\"}");
        assertThat(registered.status()).as(registered.body().toString()).isBetween(200, 299);

        // §4.3: the vehicle asks for an activation code (what ingress-aid2 will write).
        VehicleRequestId requestId = new VehicleRequestId(vin, Instant.now().getEpochSecond());
        vehicle.send(new ProducerRecord<>(AidTopic.AID2_UPLINK.topicName(), vin, new Aid2Uplink(
            Envelopes.header("aid-msp-e2e", UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                Instant.now()), new RequestActivationCode(requestId, user, "", EID)))).get(30, TimeUnit.SECONDS);

        SendActivationCodeToVehicle ac = await("the activation code on " + vin + "'s downlink", services, msp, () -> {
          downlink.read();
          return downlink.records.stream().filter(r -> vin.equals(r.key()))
              .map(r -> r.value().getPayload()).filter(SendActivationCodeToVehicle.class::isInstance)
              .map(SendActivationCodeToVehicle.class::cast).findFirst().orElse(null);
        });

        assertThat(ac.getCmpUserId()).isEqualTo(user);
        assertThat(ac.getRequestId()).isEqualTo(requestId);
        // egress called the simulator once, as the CMP, and it answered 201 (§7.1.8.2) ...
        assertThat(msp.simulator().requests(r -> r.call() == MspCall.REQUEST_ACTIVATION_CODE)).singleElement()
            .satisfies(r -> {
              assertThat(r.mspToken()).isEqualTo(token);
              assertThat(r.status()).isEqualTo(201);
              assertThat(r.header("client-id")).isEqualTo("aidcmp");
              assertThat(r.header("target-id")).isEqualTo("mspCli");
              assertThat(r.header("api-key")).isEqualTo("cmpKeyAtMspCli1");
            });
        // ... then sent the code by Send activation code, which the platform assigned (200) ... The user stage
        // writes the code to the downlink and the reply in one transaction, so the code can be on the downlink
        // before ingress has handed the MSP its answer: wait for the MSP to have it.
        await("the MSP's Send activation code answered", services, msp,
            () -> msp.activationCodes().deliveries().isEmpty() ? null : Boolean.TRUE);
        assertThat(msp.activationCodes().deliveries()).extracting(CmpActivationCodeSink.Delivery::status)
            .containsExactly(200);
        // ... and the code the vehicle got is the one the MSP's SM-DP+ bound to this vehicle's EID.
        assertThat(msp.simulator().smdp().download(ac.getActivationCode(), EID)).isPresent();
        activationCode = ac.getActivationCode();

        // Operations: every service ready, and every metric the dashboard charts served on /metrics.
        Management management = services.management();
        assertThat(Http.get(management.url() + "/health/live").status()).isEqualTo(200);
        Http.Answer ready = Await.until("/health/ready 200", WAIT, Duration.ofMillis(200), () -> {
          Http.Answer a = Http.get(management.url() + "/health/ready");
          return a.status() == 200 ? a : null;
        }, () -> "readiness " + management.readiness());
        assertThat(ready.body()).contains("\"lifecycle-streams\":true", "\"egress-msp\":true",
            "\"ingress-aid1\":true", "\"projections\":true", "\"egress-downlink\":true");
        // The flow's figures reach the projections a moment after the downlink: wait for the last of them.
        String metrics = Await.until("the activation code's round trip on /metrics", WAIT, Duration.ofMillis(200),
            () -> {
              String m = Http.get(management.url() + "/metrics").body();
              return m.contains("aid_provisioning_flows_total{flow=\"activation-code\",") ? m : null;
            }, () -> "no activation-code flow counted yet");
        for (String name : Dashboard.metricNames()) {
          assertThat(metrics).as("the dashboard's " + name + " on /metrics").containsPattern("(?m)^" + name + "[{ ]");
        }
        assertThat(metrics).contains("aid_ingress_requests_seconds_count{api=\"msp\"",
            "function=\"/cesim/msp/v1/sendMspToken\"");
      }
    } finally {
      AidLogFormat.use("text");
      SharedEmbeddedStack.deleteRecursively(data);
    }
    String captured = log.text();
    assertThat(captured).as("the services' start lines, as JSON").contains("\"message\":\"lifecycle-streams started");
    assertThat(accountId).isNotNull();
    assertThat(activationCode).isNotNull();
    // Never a secret, phone number, account id, msp_token or activation code (the standards' list).
    assertThat(captured).doesNotContain(token, accountId, activationCode, "4918974020143", "cmpKeyAtMspCli1",
        "mspCliKey0123456", "msp-cli-secret-of-at-least-32-bytes", Base64.getEncoder().encodeToString(phoneKey));
  }

  private static <T> T await(String what, Services services, MspCommands.Served msp, Supplier<T> probe)
      throws InterruptedException {
    return Await.until(what, WAIT, Duration.ofMillis(50), probe, () -> "MSP saw "
        + msp.simulator().requests().stream().map(r -> r.call() + " " + r.status()).toList()
        + ", deliveries " + msp.activationCodes().deliveries() + ", egress failure " + services.egress().failure());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
