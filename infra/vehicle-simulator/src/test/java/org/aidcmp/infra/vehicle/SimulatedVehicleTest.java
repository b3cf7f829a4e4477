package org.aidcmp.infra.vehicle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.msp.SmdpStub;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.CsimInfoResult;
import org.aidcmp.schemas.aid2.CsimProfile;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestCsimInfoResult;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfiles;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Simulated vehicles on the real embedded broker, with this test playing the CMP: it reads what the vehicle
 * publishes (each uplink held to its schema) and publishes downlinks with {@code Aid2Json}; the SM-DP+ is the
 * MSP simulator's stub, in-process. §4.3, §4.5, §4.9 – §4.11, §7.2.
 */
@ExtendWith(SharedBroker.class)
class SimulatedVehicleTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private final SmdpStub smdp = new SmdpStub();
  private SharedBroker.TestBroker broker;
  private CmpSide cmp;
  private Fleet fleet;

  @BeforeEach
  void start(SharedBroker.TestBroker broker) throws Exception {
    this.broker = broker;
    cmp = new CmpSide(broker);
    fleet = new Fleet(Smdp.of(smdp::download), new Fleet.Settings(4, DEADLINE));
  }

  @AfterEach
  void stop() throws Exception {
    fleet.close();
    cmp.close();
  }

  private SimulatedVehicle vehicle(int capacity) throws Exception {
    String vin = vin();
    SimulatedVehicle v = fleet.add(new SimulatedVehicle.Spec(vin, eid(), "356938035643809", capacity),
        connection(vin));
    v.goOnline().get(60, TimeUnit.SECONDS);
    cmp.awaitPresence(vin + " online");
    return v;
  }

  /** Plays the CMP's answer to the last request for an AC: binds one at the SM-DP+ and sends it. */
  private String answerWithActivationCode(SimulatedVehicle v, String user, int requests) throws Exception {
    RequestActivationCode request = cmp.await(v.vin(), RequestActivationCode.class, requests).get(requests - 1);
    String iccid = iccid();
    String code = smdp.bind(request.getEid(), iccid);
    cmp.send(v.vin(), new SendActivationCodeToVehicle(request.getRequestId(), user, "OPERATIONAL", code));
    return iccid;
  }

  @Test
  void carProvisioning_4_3_loginDownloadsInstallsEnablesAndReports_logoutDisables_loginAgainEnables()
      throws Exception {
    SimulatedVehicle v = vehicle(4);
    var login = v.login("user-1");

    RequestActivationCode request = cmp.await(v.vin(), RequestActivationCode.class, 1).get(0);
    assertThat(request.getCmpUserId()).isEqualTo("user-1");
    assertThat(request.getEid()).isEqualTo(v.spec().eid());
    assertThat(request.getImei()).isEqualTo("356938035643809");
    assertThat(request.getRequestId().getVehicleId()).isEqualTo(v.vin());
    String iccid = answerWithActivationCode(v, "user-1", 1);

    Outcome outcome = login.get(60, TimeUnit.SECONDS);
    assertThat(outcome.result()).isEqualTo(Outcome.Result.PROVISIONED);
    assertThat(outcome.latency()).isPositive();
    ProfileDownloadInstallInfo info = cmp.await(v.vin(), ProfileDownloadInstallInfo.class, 1).get(0);
    assertThat(info.getDownloadInstallResult()).isEqualTo(DownloadInstallResult.SUCCESS);
    assertThat(info.getIccid()).isEqualTo(iccid);
    assertThat(info.getEid()).isEqualTo(v.spec().eid());
    CsimStatus enabled = cmp.await(v.vin(), CsimStatus.class, 1).get(0);
    assertThat(enabled.getProfiles()).extracting(CsimProfile::getIccid, CsimProfile::getProfileStatus)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(iccid, VehicleProfileStatus.ENABLED));
    assertThat(cmp.messagesOf(v.vin(), u -> true)).as("in this order").containsExactly(
        UplinkMessage.REQUEST_ACTIVATION_CODE, UplinkMessage.PROFILE_DOWNLOAD_INSTALL_INFO, UplinkMessage.CSIM_STATUS);
    assertThat(smdp.download(info.getActivationCode(), v.spec().eid())).as("the code was used up").isEmpty();

    assertThat(v.logout("user-1").get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.DISABLED);
    assertThat(cmp.await(v.vin(), CsimStatus.class, 2).get(1).getProfiles())
        .extracting(CsimProfile::getProfileStatus).containsExactly(VehicleProfileStatus.DISABLED);

    assertThat(v.login("user-1").get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.ENABLED);
    assertThat(cmp.await(v.vin(), CsimStatus.class, 3).get(2).getProfiles())
        .extracting(CsimProfile::getProfileStatus).containsExactly(VehicleProfileStatus.ENABLED);
    assertThat(cmp.uplinks(v.vin(), RequestActivationCode.class)).as("no second download").hasSize(1);
  }

  @Test
  void enableProfile_4_9_aSecondUserEnabledDisablesTheFirstAtMostOneEnabled() throws Exception {
    SimulatedVehicle v = vehicle(4);
    var first = v.login("user-1");
    String iccid1 = answerWithActivationCode(v, "user-1", 1);
    assertThat(first.get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.PROVISIONED);
    var second = v.login("user-2");
    String iccid2 = answerWithActivationCode(v, "user-2", 2);
    assertThat(second.get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.PROVISIONED);

    CsimStatus status = cmp.await(v.vin(), CsimStatus.class, 2).get(1);
    assertThat(status.getProfiles()).extracting(CsimProfile::getIccid, CsimProfile::getCmpUserId,
        CsimProfile::getProfileStatus).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(iccid1, "user-1", VehicleProfileStatus.DISABLED),
        org.assertj.core.groups.Tuple.tuple(iccid2, "user-2", VehicleProfileStatus.ENABLED));
  }

  @Test
  void additionalRequirements_7_2_3_uplinksOfAnOfflineSpellAreSentOnReturn_downlinksSentMeanwhileArrive()
      throws Exception {
    SimulatedVehicle v = vehicle(4);
    var login = v.login("user-1");
    answerWithActivationCode(v, "user-1", 1);
    assertThat(login.get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.PROVISIONED);
    cmp.await(v.vin(), CsimStatus.class, 1);

    v.goOffline().get(60, TimeUnit.SECONDS);
    cmp.awaitPresence(v.vin() + " offline"); // the Will
    var logout = v.logout("user-1");
    assertThat(logout.get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.DISABLED);
    var secondLogin = v.login("user-2");
    // Sent while the vehicle is away: the broker keeps it in the vehicle's session.
    cmp.send(v.vin(), new RequestCsimInfo(new VehicleRequestId(v.vin(), Instant.now().getEpochSecond())));
    assertThat(v.outboxSize()).as("the CSIM status and the request wait").isEqualTo(2);

    v.goOnline().get(60, TimeUnit.SECONDS);
    cmp.awaitPresence(v.vin() + " online");
    assertThat(cmp.await(v.vin(), CsimStatus.class, 3).get(1).getProfiles())
        .extracting(CsimProfile::getProfileStatus).containsExactly(VehicleProfileStatus.DISABLED);
    assertThat(cmp.await(v.vin(), RequestActivationCode.class, 2).get(1).getCmpUserId()).isEqualTo("user-2");
    assertThat(cmp.await(v.vin(), CsimInfoResult.class, 1).get(0).getRequestCsimInfoResult())
        .isEqualTo(RequestCsimInfoResult.SUCCESS);
    List<UplinkMessage> queued = cmp.messagesOf(v.vin(), u -> true).subList(3, 5);
    assertThat(queued).as("the outbox in its order")
        .containsExactly(UplinkMessage.CSIM_STATUS, UplinkMessage.REQUEST_ACTIVATION_CODE);
    assertThat(v.outboxSize()).isZero();

    answerWithActivationCode(v, "user-2", 2);
    assertThat(secondLogin.get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.PROVISIONED);
  }

  @Test
  void aRepeatedCommandIdIsDropped() throws Exception {
    SimulatedVehicle v = vehicle(4);
    var login = v.login("user-1");
    String iccid = answerWithActivationCode(v, "user-1", 1);
    login.get(60, TimeUnit.SECONDS);

    RequestDeleteProfile delete = new RequestDeleteProfile(new VehicleRequestId(v.vin(), 1L), "user-1", iccid,
        v.spec().eid());
    String commandId = cmp.send(v.vin(), delete);
    cmp.send(v.vin(), commandId, delete); // as the Vehicle aggregate re-sends on presence
    cmp.await("the repeat seen", () -> v.repeatsDropped() == 1 ? Boolean.TRUE : null);
    cmp.send(v.vin(), new RequestCsimInfo(new VehicleRequestId(v.vin(), 2L))); // after the repeat, in order
    cmp.await(v.vin(), CsimInfoResult.class, 1);

    assertThat(cmp.uplinks(v.vin(), DeleteProfileResult.class)).singleElement()
        .satisfies(r -> assertThat(r.getRequestDeleteProfileResult()).isEqualTo(RequestDeleteProfileResult.SUCCESS));
    assertThat(v.received()).filteredOn(SimulatedVehicle.Received::repeat).singleElement()
        .satisfies(r -> assertThat(r.commandId()).isEqualTo(commandId));
  }

  @Test
  void deleteProfile_7_2_4_resultAndCsimStatus_unknownIccidIsProfileNotFound() throws Exception {
    SimulatedVehicle v = vehicle(4);
    var login = v.login("user-1");
    String iccid = answerWithActivationCode(v, "user-1", 1);
    login.get(60, TimeUnit.SECONDS);

    cmp.send(v.vin(), new RequestDeleteProfile(new VehicleRequestId(v.vin(), 1L), "user-1", iccid, v.spec().eid()));
    assertThat(cmp.await(v.vin(), DeleteProfileResult.class, 1).get(0).getRequestDeleteProfileResult())
        .isEqualTo(RequestDeleteProfileResult.SUCCESS);
    assertThat(cmp.await(v.vin(), CsimStatus.class, 2).get(1).getProfiles())
        .extracting(CsimProfile::getIccid, CsimProfile::getProfileStatus)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(iccid, VehicleProfileStatus.DELETED));
    assertThat(v.profiles()).isEmpty();

    cmp.send(v.vin(), new RequestDeleteProfile(new VehicleRequestId(v.vin(), 2L), "user-1", iccid, v.spec().eid()));
    DeleteProfileResult again = cmp.await(v.vin(), DeleteProfileResult.class, 2).get(1);
    assertThat(again.getRequestDeleteProfileResult()).isEqualTo(RequestDeleteProfileResult.PROFILE_NOT_FOUND);
    assertThat(again.getCsimErrorCode()).isEqualTo(StatusWord.REFERENCED_DATA_NOT_FOUND);
    assertThat(fleet.outcomes().of(v.vin())).extracting(Outcome::result)
        .containsExactly(Outcome.Result.PROVISIONED, Outcome.Result.DELETED, Outcome.Result.NOT_FOUND);
  }

  @Test
  void csimInfo_7_2_7_andDeleteAllProfiles_7_2_8() throws Exception {
    SimulatedVehicle v = vehicle(4);
    var a = v.login("user-1");
    String iccid1 = answerWithActivationCode(v, "user-1", 1);
    a.get(60, TimeUnit.SECONDS);
    var b = v.login("user-2");
    String iccid2 = answerWithActivationCode(v, "user-2", 2);
    b.get(60, TimeUnit.SECONDS);

    cmp.send(v.vin(), new RequestCsimInfo(new VehicleRequestId(v.vin(), 1L)));
    assertThat(cmp.await(v.vin(), CsimInfoResult.class, 1).get(0).getRequestCsimInfoResult())
        .isEqualTo(RequestCsimInfoResult.SUCCESS);
    assertThat(cmp.await(v.vin(), CsimStatus.class, 3).get(2).getProfiles()).extracting(CsimProfile::getIccid)
        .containsExactlyInAnyOrder(iccid1, iccid2);

    cmp.send(v.vin(), new RequestDeleteAllProfiles(new VehicleRequestId(v.vin(), 2L)));
    assertThat(cmp.await(v.vin(), DeleteAllProfilesResult.class, 1).get(0).getRequestDeleteProfileResult())
        .isEqualTo(RequestDeleteAllProfilesResult.SUCCESS);
    assertThat(cmp.await(v.vin(), CsimStatus.class, 4).get(3).getProfiles()).extracting(CsimProfile::getProfileStatus)
        .containsOnly(VehicleProfileStatus.DELETED).hasSize(2);
    assertThat(v.profiles()).isEmpty();

    cmp.send(v.vin(), new RequestDeleteAllProfiles(new VehicleRequestId(v.vin(), 3L)));
    assertThat(cmp.await(v.vin(), DeleteAllProfilesResult.class, 2).get(1).getRequestDeleteProfileResult())
        .isEqualTo(RequestDeleteAllProfilesResult.NO_PROFILES_FOUND);
  }

  @Test
  void sendProfileDownloadInstallInfo_7_2_3_anInjectedFailureIsReportedWithItsResultAndFunctionExecutionStatus()
      throws Exception {
    SimulatedVehicle v = vehicle(4);
    String status = Faults.InstallFailure.failed("8.2.5", "3.7", "No more Profile");
    v.faults().failNextInstall(new Faults.InstallFailure(
        DownloadInstallResult.PROFILE_DOWNLOAD_FAILED_SMDP_DOWNLOAD_ERROR, status, null));
    var login = v.login("user-1");
    answerWithActivationCode(v, "user-1", 1);

    Outcome outcome = login.get(60, TimeUnit.SECONDS);
    assertThat(outcome.result()).isEqualTo(Outcome.Result.INSTALL_FAILED);
    assertThat(outcome.detail()).isEqualTo("PROFILE_DOWNLOAD_FAILED_SMDP_DOWNLOAD_ERROR");
    ProfileDownloadInstallInfo info = cmp.await(v.vin(), ProfileDownloadInstallInfo.class, 1).get(0);
    assertThat(info.getDownloadInstallResult()).isEqualTo(DownloadInstallResult.PROFILE_DOWNLOAD_FAILED_SMDP_DOWNLOAD_ERROR);
    assertThat(info.getFunctionExecutionStatus()).contains("\"subjectCode\":\"8.2.5\"").contains("\"reasonCode\":\"3.7\"");
    assertThat(info.getIccid()).as("nothing was downloaded").isNull();
    assertThat(v.profiles()).isEmpty();
  }

  @Test
  void sendProfileDownloadInstallInfo_7_2_3_aFullEuiccIsProfileInstallationFailed6A84() throws Exception {
    SimulatedVehicle v = vehicle(1);
    var a = v.login("user-1");
    answerWithActivationCode(v, "user-1", 1);
    assertThat(a.get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.PROVISIONED);

    var b = v.login("user-2");
    String iccid = answerWithActivationCode(v, "user-2", 2);
    Outcome outcome = b.get(60, TimeUnit.SECONDS);
    assertThat(outcome.result()).isEqualTo(Outcome.Result.EUICC_FULL);
    assertThat(outcome.detail()).isEqualTo("PROFILE_INSTALLATION_FAILED 6A84");
    ProfileDownloadInstallInfo info = cmp.await(v.vin(), ProfileDownloadInstallInfo.class, 2).get(1);
    assertThat(info.getDownloadInstallResult()).isEqualTo(DownloadInstallResult.PROFILE_INSTALLATION_FAILED);
    assertThat(info.getCsimErrorCode()).isEqualTo(0x6A84);
    assertThat(info.getIccid()).as("downloaded, not installed").isEqualTo(iccid);
    assertThat(v.profiles()).extracting(Euicc.Profile::cmpUserId).containsExactly("user-1");
  }

  @Test
  void sendProfileDownloadInstallInfo_7_2_3_aCodeBoundToAnotherEidIsRefusedByTheSmdp() throws Exception {
    SimulatedVehicle v = vehicle(4);
    var login = v.login("user-1");
    RequestActivationCode request = cmp.await(v.vin(), RequestActivationCode.class, 1).get(0);
    String code = smdp.bind(eid(), iccid());
    cmp.send(v.vin(), new SendActivationCodeToVehicle(request.getRequestId(), "user-1", null, code));
    assertThat(login.get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.INSTALL_FAILED);
    assertThat(cmp.await(v.vin(), ProfileDownloadInstallInfo.class, 1).get(0).getDownloadInstallResult())
        .isEqualTo(DownloadInstallResult.PROFILE_DOWNLOAD_FAILED_SMDP_DOWNLOAD_ERROR);
  }

  @Test
  void enableAndDisable_7_2_5_7_2_6_failuresAreSentWithTheirStatusWord() throws Exception {
    SimulatedVehicle v = vehicle(4);
    v.faults().failNextEnable(StatusWord.NOT_ENOUGH_MEMORY);
    var login = v.login("user-1");
    String iccid = answerWithActivationCode(v, "user-1", 1);
    Outcome failed = login.get(60, TimeUnit.SECONDS);
    assertThat(failed.result()).isEqualTo(Outcome.Result.ENABLE_FAILED);
    assertThat(failed.detail()).isEqualTo("6A84");
    EnableProfileError enableError = cmp.await(v.vin(), EnableProfileError.class, 1).get(0);
    assertThat(enableError.getCsimErrorCode()).isEqualTo(0x6A84);
    assertThat(enableError.getProfile().getIccid()).isEqualTo(iccid);
    assertThat(enableError.getProfile().getProfileStatus()).isEqualTo(VehicleProfileStatus.DISABLED);

    assertThat(v.login("user-1").get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.ENABLED);
    v.faults().failNextDisable(StatusWord.CONDITIONS_NOT_SATISFIED);
    Outcome disable = v.logout("user-1").get(60, TimeUnit.SECONDS);
    assertThat(disable.result()).isEqualTo(Outcome.Result.DISABLE_FAILED);
    DisableProfileError disableError = cmp.await(v.vin(), DisableProfileError.class, 1).get(0);
    assertThat(disableError.getCsimErrorCode()).isEqualTo(0x6985);
    assertThat(disableError.getProfile().getProfileStatus()).isEqualTo(VehicleProfileStatus.ENABLED);
  }

  @Test
  void requestActivationCode_7_2_1_anErrorDownlinkEndsTheLoginAsRefused() throws Exception {
    SimulatedVehicle v = vehicle(4);
    var login = v.login("user-1");
    RequestActivationCode request = cmp.await(v.vin(), RequestActivationCode.class, 1).get(0);
    cmp.send(v.vin(), new VehicleRequestError(request.getRequestId(), "user-1", Aid2Error.TERMS_NOT_ACCEPTED, null));
    Outcome outcome = login.get(60, TimeUnit.SECONDS);
    assertThat(outcome.result()).isEqualTo(Outcome.Result.REFUSED);
    assertThat(outcome.detail()).isEqualTo("TERMS_NOT_ACCEPTED");

    cmp.send(v.vin(), new VehicleRequestError(null, null, Aid2Error.INVALID_MESSAGE, "RequestId missing"));
    cmp.await("the unsolicited error recorded", () -> fleet.outcomes().of(v.vin()).size() == 2 ? Boolean.TRUE : null);
    assertThat(fleet.outcomes().of(v.vin()).get(1)).satisfies(o -> {
      assertThat(o.flow()).isEqualTo(Outcome.Flow.ERROR);
      assertThat(o.detail()).isEqualTo("INVALID_MESSAGE");
    });
  }

  @Test
  void aLoginNobodyAnswersEndsAtItsDeadline() throws Exception {
    try (Fleet quick = new Fleet(Smdp.of(smdp::download), new Fleet.Settings(1, Duration.ofSeconds(3)))) {
      String vin = vin();
      SimulatedVehicle v = quick.add(new SimulatedVehicle.Spec(vin, eid(), null, 2),
          connection(vin));
      v.goOnline().get(60, TimeUnit.SECONDS);
      Outcome outcome = v.login("user-1").get(60, TimeUnit.SECONDS);
      assertThat(outcome.result()).isEqualTo(Outcome.Result.TIMED_OUT);
      assertThat(cmp.await(vin, RequestActivationCode.class, 1).get(0).getImei()).as("empty but present").isNull();
    }
  }

  @Test
  void aVehicleWithItsOwnClientCertificateOnTheTlsListenerIsProvisioned() throws Exception {
    String vin = vin();
    VehicleCredentials issued = broker.credentials().issueVehicleCertificate(vin);
    VehicleConnection tls = new VehicleConnection(java.net.URI.create(broker.broker().tlsServerUri()), vin, null,
        null, List.of(broker.serverCa().certificate()), issued.certificate(), null);
    assertThat(tls.tls()).isTrue();
    SimulatedVehicle v = fleet.add(new SimulatedVehicle.Spec(vin, eid(), null, 2), tls);
    v.goOnline().get(60, TimeUnit.SECONDS);
    cmp.awaitPresence(vin + " online");
    var login = v.login("user-1");
    answerWithActivationCode(v, "user-1", 1);
    assertThat(login.get(60, TimeUnit.SECONDS).result()).isEqualTo(Outcome.Result.PROVISIONED);
  }

  @Test
  void aVehicleWithAWrongPasswordDoesNotGetOnline() {
    String vin = vin();
    broker.credentials().issueVehiclePassword(vin);
    SimulatedVehicle v = fleet.add(new SimulatedVehicle.Spec(vin, eid(), null, 2),
        VehicleConnection.plain(broker.broker().serverUri(), vin).withCredentials(vin, "not-its-password"));
    assertThat(v.goOnline()).failsWithin(Duration.ofSeconds(60));
    assertThat(v.online()).isFalse();
  }

  /** Per-vehicle credentials on the plain listener: username = client id = VIN, its own password. */
  private VehicleConnection connection(String vin) {
    VehicleCredentials issued = broker.credentials().issueVehiclePassword(vin);
    return VehicleConnection.plain(broker.broker().serverUri(), vin).withCredentials(issued.username(),
        issued.password());
  }

  static String vin() {
    return "WSMV" + String.format("%013d", ThreadLocalRandom.current().nextLong(10_000_000_000_000L));
  }

  static String eid() {
    return "8904903200" + String.format("%022d", ThreadLocalRandom.current().nextLong(Long.MAX_VALUE) % 10_000_000_000_000_000L);
  }

  static String iccid() {
    return "8949" + String.format("%016d", ThreadLocalRandom.current().nextLong(10_000_000_000_000_000L));
  }
}
