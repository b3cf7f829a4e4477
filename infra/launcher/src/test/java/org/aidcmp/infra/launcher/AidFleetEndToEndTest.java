package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.msp.RecordedRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.infra.vehicle.Euicc;
import org.aidcmp.infra.vehicle.Fleet;
import org.aidcmp.infra.vehicle.HttpsSmdp;
import org.aidcmp.infra.vehicle.Outcome;
import org.aidcmp.infra.vehicle.SimulatedVehicle;
import org.aidcmp.infra.vehicle.VehicleConnection;
import org.aidcmp.infra.vehicle.VehicleIdentities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole platform as {@code aid up} runs it ({@link Services}: lifecycle-streams, egress, ingress-aid1, the
 * uplink bridge and the downlink publisher) on the real broker, with two MSPs served as {@code aid msp serve}
 * serves them (msp "fleet-a" async with a pool of 2, "fleet-b" sync) and simulated vehicles set up as
 * {@code aid fleet} sets them up ({@link FleetSetup}: users onboarded through the touchpoint API and the MSP's
 * Send MSP token, vehicles registered with their own broker passwords; SM-DP+ over HTTPS). No test glue between
 * the vehicles and the platform: everything goes over MQTT. §4.3, §4.3.1, §4.4.1, §4.5, §4.9, §4.11.
 */
@ExtendWith(SharedEmbeddedStack.class)
class AidFleetEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  void vehiclesProvisionSwapEnableDisableDeleteOneDeleteAllAndWithdrawWhileOffline(Endpoints endpoints,
      SharedEmbeddedStack.DataDir stackData) throws Exception {
    Path state = Files.createTempDirectory("aid-fleet-e2e-");
    Path data = stackData.path(); // the broker checks the credentials issued there
    String run = UUID.randomUUID().toString().substring(0, 8);
    int portA = freePort();
    int portB = freePort();
    AidConfig config = AidConfig.of(Map.ofEntries(
        Map.entry("aid.data.dir", data.toString()),
        Map.entry("cmp.id", "aidcmp"),
        Map.entry("lifecycle.application-id", "aid-lifecycle-fleet-" + run),
        Map.entry("lifecycle.state-dir", state.resolve("lifecycle").toString()),
        Map.entry("egress.group.id", "aid-egress-fleet-" + run),
        Map.entry("downlink.group.id", "aid-downlink-fleet-" + run),
        Map.entry("ingress.aid2.instance-id", "fleet-" + run),
        Map.entry("ingress.aid1.msp.port", "0"),
        Map.entry("ingress.aid1.touchpoint.port", "0"),
        Map.entry("oidc.local.port", "0"),
        Map.entry("msp.ids", "fleet-a,fleet-b")))
        .with(msp("fleet-a", "mspFleetA", portA)).with(msp("fleet-b", "mspFleetB", portB));
    try (Services services = Services.start(config, endpoints)) {
      assertThat(services.endpoints()).containsKeys("ingress-aid2 (AiD2 uplink bridge)", "egress (vehicle downlink)");
      // Traffic once every service says it is ready (/health/ready), as a load balancer would send it: the
      // first account-id request otherwise met a topology still rebalancing on a loaded machine (503, retryable).
      Await.until("every service ready", java.time.Duration.ofSeconds(180), java.time.Duration.ofMillis(200),
          () -> services.management().readiness().containsValue(false) ? null : Boolean.TRUE,
          () -> "readiness " + services.management().readiness());
      AidConfig second = config.with(Map.of("ingress.aid1.msp.port",
          String.valueOf(services.ingress().server().mspPort())));
      MspCommands aidMsp = new MspCommands(second, new PrintStream(new ByteArrayOutputStream(), true,
          StandardCharsets.UTF_8));
      try (MspCommands.Served a = aidMsp.serve("fleet-a", MspSimulator.ResponseMode.ASYNC, 2, null, null);
           MspCommands.Served b = aidMsp.serve("fleet-b", MspSimulator.ResponseMode.SYNC, 2, null, null)) {
        List<X509Certificate> localCa = Pem.readCertificates(Pem.read(DevCredentials.localCa(data)));
        TouchpointClient touchpoint = new TouchpointClient(
            URI.create("https://127.0.0.1:" + services.ingress().server().touchpointPort()),
            URI.create(services.issuer().issuer() + "/token"), localCa);
        FleetSetup setup = new FleetSetup(touchpoint, id -> aidMsp.cmpClient(id, null), "fleet");

        FleetSetup.User userA = setup.onboard("fleet-a-user-" + run, "fleet-a");
        FleetSetup.User userB = setup.onboard("fleet-b-user-" + run, "fleet-b");
        FleetSetup.User userC = setup.onboard("fleet-c-user-" + run, "fleet-b");

        VehicleIdentities ids = new VehicleIdentities(new SecureRandom());
        MqttCredentials broker = DevCredentials.mqttCredentials(data);
        String operator = setup.operatorToken();
        HttpsSmdp smdp = new HttpsSmdp(List.of(a.simulator().smdpDownloadUrl(), b.simulator().smdpDownloadUrl()),
            DevCredentials.authority(data).issueClient("vehicle-fleet"), localCa);
        try (Fleet fleet = new Fleet(smdp, new Fleet.Settings(4, WAIT))) {
          List<SimulatedVehicle> v = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            VehicleCredentials c = setup.register(operator, ids.vin(i), ids.eid(i), ids.imei(i), broker);
            v.add(fleet.add(new SimulatedVehicle.Spec(ids.vin(i), ids.eid(i), ids.imei(i), 4),
                VehicleConnection.plain(endpoints.mqttServerUri(), ids.vin(i))
                    .withCredentials(c.username(), c.password())));
          }
          fleet.goOnline().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

          // §4.3 and §4.3.1: user A (pool of 2 at fleet-a) logs into three cars; the third swaps a profile out,
          // and the platform deletes it from the car that held it.
          for (SimulatedVehicle car : v) {
            assertThat(outcome(car.login(userA.cmpUserId()))).satisfies(o ->
                assertThat(o.result()).as(o.toString()).isEqualTo(Outcome.Result.PROVISIONED));
          }
          Outcome swapped = await("the swapped profile deleted from its car", fleet,
              o -> o.flow() == Outcome.Flow.DELETE_PROFILE && userA.cmpUserId().equals(o.cmpUserId()));
          assertThat(swapped.result()).isEqualTo(Outcome.Result.DELETED);
          assertThat(swapped.vin()).isIn(v.get(0).vin(), v.get(1).vin());
          assertThat(a.simulator().requests(r -> r.call() == MspCall.REQUEST_ACTIVATION_CODE)).hasSize(3);

          // §4.9: logout disables, login again enables (no new download).
          assertThat(outcome(v.get(2).logout(userA.cmpUserId())).result()).isEqualTo(Outcome.Result.DISABLED);
          assertThat(outcome(v.get(2).login(userA.cmpUserId())).result()).isEqualTo(Outcome.Result.ENABLED);

          // §4.5: user B deletes their profile from car 0 at the touchpoint.
          assertThat(outcome(v.get(0).login(userB.cmpUserId())).result()).isEqualTo(Outcome.Result.PROVISIONED);
          String iccidB = profileOf(v.get(0), userB.cmpUserId());
          mspSaw(b, iccidB, "enabled");
          TouchpointClient.Answer deleted = touchpoint.call(touchpoint.token(userB.cmpUserId(), List.of()), "DELETE",
              "/api/v1/vehicles/" + v.get(0).vin() + "/profiles/" + iccidB, "");
          assertThat(deleted.status()).as(deleted.body().toString()).isEqualTo(202);
          await("user B's profile deleted from car 0", fleet, o -> o.flow() == Outcome.Flow.DELETE_PROFILE
              && o.vin().equals(v.get(0).vin()) && userB.cmpUserId().equals(o.cmpUserId())
              && o.result() == Outcome.Result.DELETED);
          assertThat(v.get(0).profiles()).extracting(Euicc.Profile::iccid).doesNotContain(iccidB);

          // §4.11: the fleet operator deletes every profile of car 1.
          assertThat(outcome(v.get(1).login(userB.cmpUserId())).result()).isEqualTo(Outcome.Result.PROVISIONED);
          TouchpointClient.Answer all = touchpoint.call(operator, "DELETE",
              "/api/v1/fleet/vehicles/" + v.get(1).vin() + "/profiles", "");
          assertThat(all.status()).as(all.body().toString()).isEqualTo(202);
          await("car 1 emptied", fleet, o -> o.flow() == Outcome.Flow.DELETE_ALL_PROFILES
              && o.vin().equals(v.get(1).vin()));
          assertThat(v.get(1).profiles()).isEmpty();

          // §4.4.1 with end condition c: user C withdraws while car 2 is offline; it gets the delete on return.
          assertThat(outcome(v.get(2).login(userC.cmpUserId())).result()).isEqualTo(Outcome.Result.PROVISIONED);
          String iccidC = profileOf(v.get(2), userC.cmpUserId());
          mspSaw(b, iccidC, "enabled");
          v.get(2).goOffline().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          TouchpointClient.Answer withdrawn = touchpoint.call(touchpoint.token(userC.cmpUserId(), List.of()), "POST",
              "/api/v1/subscriptions/" + userC.mspToken() + "/withdraw", "{}");
          assertThat(withdrawn.status()).as(withdrawn.body().toString()).isBetween(200, 299);
          Await.until("the MSP told of the withdraw", WAIT, Duration.ofMillis(100),
              () -> b.simulator().requests(r -> r.call() == MspCall.REQUEST_INVALIDATE_MSP_TOKEN).isEmpty()
                  ? null : Boolean.TRUE, () -> "MSP fleet-b saw " + b.simulator().requests());
          assertThat(v.get(2).profiles()).as("offline: nothing reached it").extracting(Euicc.Profile::iccid)
              .contains(iccidC);
          v.get(2).goOnline().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          await("user C's profile deleted from car 2 after it came back", fleet,
              o -> o.flow() == Outcome.Flow.DELETE_PROFILE && o.vin().equals(v.get(2).vin())
                  && userC.cmpUserId().equals(o.cmpUserId()) && o.result() == Outcome.Result.DELETED);
          assertThat(v.get(2).profiles()).extracting(Euicc.Profile::iccid).doesNotContain(iccidC);
          assertThat(fleet.outcomes().matching(o -> !o.result().success())).as("no flow failed").isEmpty();
        }
      }
    } finally {
      SharedEmbeddedStack.deleteRecursively(state);
    }
  }

  private static Outcome outcome(CompletableFuture<Outcome> flow) throws Exception {
    return flow.get(WAIT.toMillis() + 10_000, TimeUnit.MILLISECONDS);
  }

  private static Outcome await(String what, Fleet fleet, Predicate<Outcome> which) throws InterruptedException {
    return Await.until(what, WAIT, Duration.ofMillis(100),
        () -> fleet.outcomes().matching(which).stream().findFirst().orElse(null),
        () -> "outcomes so far " + fleet.outcomes().all());
  }

  /** Waits until the platform reported {@code status} of {@code iccid} to the MSP (§7.1.9): it has taken it in. */
  private static void mspSaw(MspCommands.Served msp, String iccid, String status) throws InterruptedException {
    Await.until("the MSP told " + iccid + " " + status, WAIT, Duration.ofMillis(100), () ->
        msp.simulator().requests(r -> r.call() == MspCall.SEND_CSIM_STATUS && statusOf(r, iccid, status)).isEmpty()
            ? null : Boolean.TRUE, () -> "the MSP saw " + msp.simulator().requests().stream()
            .map(r -> r.call() + " " + r.status()).toList());
  }

  private static boolean statusOf(RecordedRequest request, String iccid, String status) {
    try {
      JsonNode body = new ObjectMapper().readTree(request.body());
      return iccid.equals(body.path("iccid").asText()) && status.equals(body.path("status").asText());
    } catch (IOException e) {
      return false;
    }
  }

  private static String profileOf(SimulatedVehicle vehicle, String cmpUserId) {
    return vehicle.profiles().stream().filter(p -> p.cmpUserId().equals(cmpUserId)).findFirst().orElseThrow()
        .iccid();
  }

  private static Map<String, String> msp(String id, String clientId, int port) {
    byte[] phoneKey = new byte[16];
    new SecureRandom().nextBytes(phoneKey);
    String p = "msp." + id + ".";
    return Map.of(
        p + "client-id", clientId,
        p + "base-url", "https://127.0.0.1:" + port,
        p + "api-key", "cmpKeyAt" + clientId,
        p + "inbound-api-key", clientId + "Key0123456",
        p + "account-id-secret", id + "-secret-of-at-least-32-bytes!!!!",
        p + "phone-key", Base64.getEncoder().encodeToString(phoneKey),
        p + "touchpoint-url", "https://portal." + id + ".example/login",
        // every status goes to the MSP, so the test can tell when the platform has taken a CSIM status in
        p + "csim-statuses", "installed,enabled,disabled,deleted");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
