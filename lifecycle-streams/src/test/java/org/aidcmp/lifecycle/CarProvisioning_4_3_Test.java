package org.aidcmp.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.aidcmp.schemas.lifecycle.ProfileInstallFailed;
import org.aidcmp.schemas.lifecycle.ProfileInstalled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** §4.3 car provisioning with §7.2.1 - §7.2.3: the vehicle's request, its errors, the AC, the install info. */
class CarProvisioning_4_3_Test {
  static final String VIN = "WBAUX11030A334483";
  static final String EID = "89049032004008882600000000123456";
  static final String IMEI = "356938035643809";

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  private Aid2Error refusal() {
    List<VehicleRequestError> errors = h.downlink(VIN, VehicleRequestError.class);
    assertThat(errors).as("one error answer").hasSize(1);
    assertThat(h.outbound(ActivationCodeRequest.class)).as("no AC asked of any MSP").isEmpty();
    return errors.get(0).getError();
  }

  @Test
  void requestActivationCode_7_2_1_unknownVin() {
    h.onboardedUser("user-1", Harness.MSP_A);
    h.requestActivationCode(VIN, "user-1", EID);
    assertThat(refusal()).isEqualTo(Aid2Error.UNKNOWN_VIN);
  }

  @Test
  void requestActivationCode_7_2_1_unknownEid() {
    h.registerVehicle(VIN, EID, IMEI);
    h.onboardedUser("user-1", Harness.MSP_A);
    h.requestActivationCode(VIN, "user-1", "89049032004008882600000000999999");
    assertThat(refusal()).isEqualTo(Aid2Error.UNKNOWN_EID);
  }

  @Test
  void requestActivationCode_7_2_1_unknownImei() {
    h.registerVehicle(VIN, EID, IMEI);
    h.onboardedUser("user-1", Harness.MSP_A);
    h.vehicle(VIN, new org.aidcmp.schemas.aid2.RequestActivationCode(h.vehicleRequestId(VIN), "user-1",
        "490154203237518", EID));
    assertThat(refusal()).isEqualTo(Aid2Error.UNKNOWN_IMEI);
  }

  @Test
  void requestActivationCode_7_2_1_unknownUser() {
    h.registerVehicle(VIN, EID, IMEI);
    h.requestActivationCode(VIN, "nobody", EID);
    assertThat(refusal()).isEqualTo(Aid2Error.UNKNOWN_USER);
  }

  @Test
  void requestActivationCode_7_2_1_noSubscriptionFound() {
    h.registerVehicle(VIN, EID, IMEI);
    h.acceptTerms("user-1");
    h.requestActivationCode(VIN, "user-1", EID);
    assertThat(refusal()).isEqualTo(Aid2Error.NO_SUBSCRIPTION_FOUND);
  }

  @Test
  void requestActivationCode_7_2_1_termsNotAccepted() {
    h.registerVehicle(VIN, EID, IMEI);
    String sid = h.requestAccountId("user-1", Harness.MSP_A);
    h.sendMspToken(Harness.MSP_A, sid, java.util.UUID.randomUUID().toString(), h.newRequestId());
    h.requestActivationCode(VIN, "user-1", EID);
    assertThat(refusal()).isEqualTo(Aid2Error.TERMS_NOT_ACCEPTED);
  }

  @Test
  void carProvisioning_4_3_theAcRequestedOfTheMspGoesToTheVehicleAndTheInstallIsRecorded() {
    h.registerVehicle(VIN, EID, IMEI);
    String token = h.onboardedUser("user-1", Harness.MSP_A);

    h.requestActivationCode(VIN, "user-1", EID);
    Aid1Outbound command = h.lastOutbound(ActivationCodeRequest.class);
    ActivationCodeRequest request = (ActivationCodeRequest) command.getPayload();
    assertThat(request.getMspToken()).isEqualTo(token);
    assertThat(request.getEid()).isEqualTo(EID);
    assertThat(request.getImei()).as("empty but present (§7.1.8)").isEmpty();
    assertThat(request.getReplaceIccid()).as("first vehicle: no candidate (§4.3.1)").isNull();
    assertThat(h.events(ActivationCodeRequested.class)).hasSize(1);

    h.activationCodeIssued(command, "89882390000123456789", null);
    assertThat(h.downlink(VIN, SendActivationCodeToVehicle.class)).singleElement().satisfies(ac -> {
      assertThat(ac.getActivationCode()).isEqualTo("1$SMDP.EXAMPLE$89882390000123456789");
      assertThat(ac.getCmpUserId()).isEqualTo("user-1");
      assertThat(ac.getRequestId().getVehicleId()).isEqualTo(VIN);
    });
    assertThat(h.events(ActivationCodeReceived.class)).hasSize(1);

    h.installed(VIN, "user-1", EID, "89882390000123456789", DownloadInstallResult.SUCCESS);
    assertThat(h.events(ProfileInstalled.class)).singleElement()
        .satisfies(i -> assertThat(i.getProfile().getIccid()).isEqualTo("89882390000123456789"));
  }

  @Test
  void carProvisioning_4_3_aRepeatedRequestWhileOneIsInFlightAsksTheMspOnce() {
    h.registerVehicle(VIN, EID, IMEI);
    h.onboardedUser("user-1", Harness.MSP_A);
    h.requestActivationCode(VIN, "user-1", EID);
    h.requestActivationCode(VIN, "user-1", EID);
    h.requestActivationCode(VIN, "user-1", EID);
    assertThat(h.outbound(ActivationCodeRequest.class)).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(value = DownloadInstallResult.class, names = "SUCCESS", mode = EnumSource.Mode.EXCLUDE)
  void sendProfileDownloadInstallInfo_7_2_3_everyFailureValueIsRecorded(DownloadInstallResult failure) {
    h.registerVehicle(VIN, EID, IMEI);
    h.onboardedUser("user-1", Harness.MSP_A);
    h.requestActivationCode(VIN, "user-1", EID);
    h.activationCodeIssued(h.lastOutbound(ActivationCodeRequest.class), "89882390000123456789", null);
    h.installed(VIN, "user-1", EID, "89882390000123456789", failure);
    assertThat(h.events(ProfileInstallFailed.class)).singleElement()
        .satisfies(f -> assertThat(f.getDownloadInstallResult()).isEqualTo(failure));
  }
}
