package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.aidcmp.infra.msp.CmpClient;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;

/**
 * What a fleet run needs on the platform, made the way a newcomer would by hand (README, "Trying it with a
 * simulated MSP"): users federated with an MSP — an account id at the touchpoint API (§4.1) with a token from the
 * local OIDC issuer, the MSP's Send MSP token (§7.1.4) through the simulator's {@link CmpClient}, the AiD terms
 * accepted — and vehicles registered in the fleet registry, each with its own broker credentials.
 */
final class FleetSetup {
  /** The role the touchpoint API asks of fleet operations (oidc.fleet-role). */
  private final String fleetRole;
  private static final int SEND_MSP_TOKEN_ATTEMPTS = 6;
  private final TouchpointClient touchpoint;
  private final Function<String, CmpClient> msps;

  /** A user federated: their CMP user id (the token's sub), the MSP and the msp_token. */
  record User(String cmpUserId, String mspId, String mspToken) {}

  FleetSetup(TouchpointClient touchpoint, Function<String, CmpClient> msps, String fleetRole) {
    this.touchpoint = touchpoint;
    this.msps = msps;
    this.fleetRole = fleetRole;
  }

  /** §4.1 + §7.1.4: {@code cmpUserId} onboarded at {@code mspId}, terms accepted. */
  User onboard(String cmpUserId, String mspId) throws IOException, InterruptedException {
    String token = touchpoint.token(cmpUserId, List.of());
    TouchpointClient.Answer issued = touchpoint.call(token, "POST", "/api/v1/onboarding/account-ids",
        "{\"mspId\":\"" + mspId + "\"}");
    expect(issued, 201, "account id for " + cmpUserId);
    String mspToken = UUID.randomUUID().toString();
    // Retried as an MSP would when the CMP says "not now" (503 when its answer is late on a loaded machine,
    // 429), with the same CMP-request-id so that it is acted on once; bounded.
    CmpClient.RequestIds ids = CmpClient.RequestIds.fresh();
    CmpClient.Answer sent = null;
    for (int attempt = 1; attempt <= SEND_MSP_TOKEN_ATTEMPTS; attempt++) {
      sent = msps.apply(mspId).sendMspToken(issued.body().path("account_id").asText(),
          CmpClient.SendMspToken.of(mspToken, null, "private"), ids);
      if (sent.status() != 503 && sent.status() != 429) {
        break;
      }
      Thread.sleep(1000L * attempt);
    }
    if (!sent.successful()) {
      throw new IllegalStateException("Send MSP token for " + cmpUserId + " at " + mspId + ": HTTP " + sent.status()
          + " code " + sent.code());
    }
    expect(touchpoint.call(token, "POST", "/api/v1/terms/acceptance", "{}"), 200, "terms of " + cmpUserId);
    return new User(cmpUserId, mspId, mspToken);
  }

  /** The vehicle in the fleet registry (AiD enabled) and its broker password; returns the credentials. */
  VehicleCredentials register(String operatorToken, String vin, String eid, String imei, MqttCredentials broker)
      throws IOException, InterruptedException {
    TouchpointClient.Answer registered = touchpoint.call(operatorToken, "PUT", "/api/v1/fleet/vehicles/" + vin,
        "{\"eid\":\"" + eid + "\"" + (imei == null ? "" : ",\"imei\":\"" + imei + "\"") + "}");
    if (registered.status() / 100 != 2) {
      throw new IllegalStateException("registering " + vin + ": HTTP " + registered.status() + " " + registered.body());
    }
    return broker == null ? null : broker.issueVehiclePassword(vin);
  }

  /** A token of a fleet operator. */
  String operatorToken() throws IOException, InterruptedException {
    return touchpoint.token("fleet-operator", List.of(fleetRole));
  }

  private static void expect(TouchpointClient.Answer answer, int status, String what) {
    if (answer.status() != status) {
      throw new IllegalStateException(what + ": HTTP " + answer.status() + " " + answer.body());
    }
  }
}
