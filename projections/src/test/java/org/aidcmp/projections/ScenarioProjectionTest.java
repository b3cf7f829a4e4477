package org.aidcmp.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.common.ProfileInformationStatus;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.lifecycle.*;
import org.aidcmp.schemas.vehicle.*;
import org.apache.avro.Schema;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scripted story that holds every message type of aid.lifecycle.events.v1 and aid.vehicle.events.v1, two
 * poison records among them; the tables must say exactly what the story says, the timeline must hold every fact
 * with its reason, and the two poison records must be dead letters while everything after them is applied.
 */
@ExtendWith(ProjectionsStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ScenarioProjectionTest {
  static final String U1 = "user-1";
  static final String U2 = "user-2";
  static final String T1 = "token-1";
  static final String V1 = "WBAUX11030A334483";
  static final String V2 = "WBAUX11030A334484";
  static final String E1 = "89049032000000000000000000000001";
  static final String ICCID1 = "8934120150160138012";
  static final String ICCID2 = "8934120150160138013";

  final ProjectionsStack.Stack stack;
  ProjectionsSettings settings;
  Jdbi jdbi;
  Set<String> typesWritten = new HashSet<>();
  long poisonGarbageOffset;
  long poisonRefusedOffset;
  int events;

  ScenarioProjectionTest(ProjectionsStack.Stack stack) {
    this.stack = stack;
  }

  @BeforeAll
  void tellTheStory() {
    settings = stack.fresh("scenario");
    jdbi = Database.open(settings);
    try (Events w = new Events(stack, settings)) {
      user(w, U1, new AccountIdIssued(U1, "msp-a", "sid-1", Instant.parse("2026-12-01T00:00:00Z")));
      user(w, U1, new FederationEstablished(U1, "msp-a", T1, "sid-1", SubscriptionType.PRIVATE, "gold",
          Events.phone("cmp-1", (byte) 1, (byte) 2, (byte) 3)));
      user(w, U1, new AidTermsAccepted(U1, "v2"));
      user(w, U1, new SubscriptionChosen(U1, T1));
      user(w, U1, new SubscriptionUpdated(U1, T1, Events.phone("cmp-1", (byte) 9, (byte) 8), SubscriptionType.BUSINESS, null));
      vehicle(w, V1, new VehicleRegistered(V1, E1, "490154203237518", true));
      vehicle(w, V1, new VehicleOnline(V1));
      user(w, U1, new ActivationCodeRequested(U1, "msp-a", T1, V1, E1, "acr-1", null, Instant.parse("2026-11-30T09:00:00Z")));
      poisonGarbageOffset = w.garbage(U1, "not an avro record".getBytes()).offset();
      user(w, U1, new ActivationCodeReceived(U1, "msp-a", T1, V1, "acr-1", ICCID1, "consumer", null));
      user(w, U1, new ProfileInstalled(Events.ref(U1, T1, ICCID1, V1, E1)));
      vehicle(w, V1, new VehicleInventoryChanged(V1, E1, List.of(new InventoryEntry(ICCID1, U1, InventoryState.INSTALLED))));
      user(w, U1, new ProfileEnabled(Events.ref(U1, T1, ICCID1, V1, E1)));
      user(w, U1, new ProfileDisabled(Events.ref(U1, T1, ICCID1, V1, E1)));
      user(w, U1, new ProfileDisableFailed(Events.ref(U1, T1, ICCID1, V1, E1), 3));
      user(w, U1, new ProfileEnableFailed(Events.ref(U1, T1, ICCID1, V1, E1), 5));
      // Text with a NUL character decodes but PostgreSQL refuses it: poison met by the tables, not the decoder.
      poisonRefusedOffset = user(w, "bad", new AidTermsAccepted("bad\u0000user", null));
      user(w, U1, new ProfileEnabled(Events.ref(U1, T1, ICCID1, V1, E1)));
      user(w, U1, new ProfileMspStatusChanged(Events.ref(U1, T1, ICCID1, V1, E1), ProfileInformationStatus.SUSPENDED,
          "unpaid bill"));
      user(w, U1, new ActivationCodeRequested(U1, "msp-a", T1, V1, E1, "acr-2", ICCID1, Instant.parse("2026-11-30T09:10:00Z")));
      user(w, U1, new ActivationCodeReceived(U1, "msp-a", T1, V1, "acr-2", ICCID2, null, ICCID1));
      user(w, U1, new ProfileSwapped(Events.ref(U1, T1, ICCID1, V1, E1), ICCID1, ICCID2));
      user(w, U1, new ProfileDeleteRequested(Events.ref(U1, T1, ICCID1, V1, E1), DeleteReason.SWAPPED));
      user(w, U1, new ProfileDeleted(Events.ref(U1, T1, ICCID1, V1, E1)));
      user(w, U1, new ProfileInstallFailed(Events.ref(U1, T1, ICCID2, V1, E1),
          DownloadInstallResult.PROFILE_DOWNLOAD_FAILED_SMDP_DOWNLOAD_ERROR, "8.1.1", 12));
      vehicle(w, V1, new VehicleInventoryChanged(V1, E1, List.of(new InventoryEntry(ICCID2, U1, InventoryState.INSTALL_FAILED))));
      user(w, U1, new ActivationCodeRequested(U1, "msp-a", T1, V2, E1, "acr-3", null, Instant.parse("2026-11-30T09:20:00Z")));
      user(w, U1, new ActivationCodeFailed(U1, "msp-a", T1, V2, "acr-3", ActivationCodeFailure.MSP_REJECTED,
          new ErrorInfo("8", "Profile type not available")));
      user(w, U1, new ProfilesReconciled(U1, T1, List.of(new ProfileReconciliation(ICCID2, "INSTALL_FAILED", null))));
      vehicle(w, V1, new DownlinkCommandAnswered(V1, "cmd-1", "RequestDeleteProfile"));
      vehicle(w, V1, new DownlinkCommandExpired(V1, "cmd-2", "RequestCsimInfo"));
      vehicle(w, V1, new VehicleOffline(V1));
      user(w, U1, new FederationInvalidated(U1, "msp-a", T1, WithdrawInitiator.MSP, "contract terminated"));
      user(w, U1, new FederationRemoved(U1, "msp-a", T1));
      user(w, U2, new AccountIdIssued(U2, "msp-b", "sid-2", Instant.parse("2026-12-01T00:00:00Z")));
      user(w, U2, new OnboardingRejected(U2, "msp-b", "sid-2", null, new ErrorInfo("11", "Account id expired")));
      user(w, U2, new AccountIdIssued(U2, "msp-b", "sid-3", Instant.parse("2026-12-01T00:00:00Z")));
      user(w, U2, new OnboardingFailedAtMsp(U2, "msp-b", "sid-3", "customer unknown"));
      vehicle(w, V2, new VehicleRetired(V2));
      events = w.count();
    }
    try (Projector projector = new Projector(settings, jdbi, stack.registry)) {
      projector.catchUp(Duration.ofMinutes(2), n -> { });
      assertThat(projector.applied()).isEqualTo(events);
      assertThat(projector.deadLettered()).isEqualTo(2);
    }
  }

  private long user(Events w, String key, Object payload) {
    typesWritten.add(payload.getClass().getSimpleName());
    return w.user(key, payload).offset();
  }

  private void vehicle(Events w, String key, Object payload) {
    typesWritten.add(payload.getClass().getSimpleName());
    w.vehicle(key, payload);
  }

  /** Every row of a query as a tuple of its columns (bytea as byte[]). */
  List<org.assertj.core.groups.Tuple> rows(String sql) {
    return Sql.rows(jdbi, sql);
  }

  @Test
  void theStoryHoldsEveryMessageTypeOfBothTopics() {
    Set<String> all = new HashSet<>();
    for (Schema s : List.of(LifecycleEvent.getClassSchema(), VehicleEvent.getClassSchema())) {
      s.getField("payload").schema().getTypes().forEach(t -> all.add(t.getName()));
    }
    assertThat(typesWritten).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void users_onboardingSessions_andFederations() {
    assertThat(rows("SELECT cmp_user_id, terms_version, preferred_msp_token,"
        + " terms_accepted_at IS NOT NULL FROM users ORDER BY cmp_user_id"))
        .containsExactly(tuple(U1, "v2", T1, true), tuple(U2, null, null, false));
    assertThat(rows("SELECT sid, cmp_user_id, msp_id, state, error_code, error_text"
        + " FROM onboarding_sessions ORDER BY sid"))
        .containsExactly(
            tuple("sid-1", U1, "msp-a", "FEDERATED", null, null),
            tuple("sid-2", U2, "msp-b", "REJECTED", "11", "Account id expired"),
            tuple("sid-3", U2, "msp-b", "FAILED_AT_MSP", "MSP", "customer unknown"));
    assertThat(rows("SELECT msp_token, cmp_user_id, msp_id, subscription_type,"
        + " customer_group, phone_key_id, phone_ciphertext, state, withdraw_initiator, withdraw_reason FROM federations"))
        .containsExactly(tuple(T1, U1, "msp-a", "BUSINESS", "gold", "cmp-1", new byte[] {9, 8}, "REMOVED",
            "MSP", "contract terminated"));
  }

  @Test
  void profiles_withTheirStates_mspStatusAndErrors() {
    assertThat(rows("SELECT iccid, cmp_user_id, msp_id, vin, eid, state, msp_status,"
        + " msp_status_reason, last_error, delete_reason, profile_type FROM profiles ORDER BY iccid"))
        .containsExactly(
            tuple(ICCID1, U1, "msp-a", V1, E1, "DELETED", "SUSPENDED", "unpaid bill", null, "SWAPPED", "consumer"),
            tuple(ICCID2, U1, "msp-a", V1, E1, "INSTALL_FAILED", null, null,
                "DownloadInstallResult PROFILE_DOWNLOAD_FAILED_SMDP_DOWNLOAD_ERROR, FunctionExecutionStatus 8.1.1,"
                    + " csimErrorCode 12", null, null));
  }

  @Test
  void activationCodeRequests() {
    assertThat(rows("SELECT activation_code_request_id, vin, replace_iccid, state, iccid,"
        + " failure, error_code FROM activation_code_requests ORDER BY 1"))
        .containsExactly(
            tuple("acr-1", V1, null, "RECEIVED", ICCID1, null, null),
            tuple("acr-2", V1, ICCID1, "RECEIVED", ICCID2, null, null),
            tuple("acr-3", V2, null, "FAILED", null, "MSP_REJECTED", "8"));
  }

  @Test
  void vehicles_andTheirLastInventory() {
    assertThat(rows("SELECT vin, eid, imei, aid_enabled, registered, online FROM vehicles"
        + " ORDER BY vin"))
        .containsExactly(tuple(V1, E1, "490154203237518", true, true, false), tuple(V2, null, null, null, false, null));
    assertThat(rows("SELECT vin, iccid, cmp_user_id, state FROM vehicle_inventory"))
        .containsExactly(tuple(V1, ICCID2, U1, "INSTALL_FAILED"));
  }

  @Test
  void timeline_holdsEveryAppliedFactOnce_withTheReasonsForSupport() {
    assertThat(rows("SELECT count(*), count(DISTINCT (topic, partition, \"offset\")) FROM timeline"))
        .containsExactly(tuple((long) events - 2, (long) events - 2));
    assertThat(rows("SELECT event_type || ': ' || reason FROM timeline"
        + " WHERE reason IS NOT NULL AND cmp_user_id IS NOT NULL ORDER BY id")).extracting(t -> t.toList().get(0))
        .contains(
        "ProfileDisableFailed: csimErrorCode 3",
        "ProfileEnableFailed: csimErrorCode 5",
        "ProfileMspStatusChanged: unpaid bill",
        "ProfileDeleteRequested: SWAPPED",
        "ProfileInstallFailed: DownloadInstallResult PROFILE_DOWNLOAD_FAILED_SMDP_DOWNLOAD_ERROR,"
            + " FunctionExecutionStatus 8.1.1, csimErrorCode 12",
        "ActivationCodeFailed: MSP_REJECTED (code 8: Profile type not available)",
        "FederationInvalidated: contract terminated",
        "OnboardingRejected: code 11: Account id expired",
        "OnboardingFailedAtMsp: customer unknown");
    // profile facts carry the MSP of their federation, for counts and care by MSP
    assertThat(rows("SELECT DISTINCT msp_id FROM timeline WHERE event_type = 'ProfileEnabled'"))
        .containsExactly(tuple("msp-a"));
  }

  @Test
  void neverAPhoneNumberOrTokenInTheTimeline() {
    assertThat(Sql.count(jdbi, "SELECT count(*) FROM timeline WHERE summary LIKE '%" + T1 + "%'"
        + " OR reason LIKE '%" + T1 + "%'")).isZero();
  }

  @Test
  void poisonRecords_areDeadLettered_withWhereTheyCameFrom() {
    List<DeadLetters.Letter> letters = DeadLetters.read(stack, settings.deadLetterTopic(), 2);
    assertThat(letters).extracting(DeadLetters.Letter::sourceTopic, DeadLetters.Letter::sourceOffset,
            DeadLetters.Letter::stage)
        .containsExactlyInAnyOrder(
            tuple(settings.lifecycleEventsTopic(), poisonGarbageOffset, "projections"),
            tuple(settings.lifecycleEventsTopic(), poisonRefusedOffset, "projections"));
    assertThat(letters).extracting(DeadLetters.Letter::reason)
        .anySatisfy(r -> assertThat(r).contains("Unknown magic byte"))
        .anySatisfy(r -> assertThat(r).startsWith("SQLSTATE 22"));
  }

  @Test
  void offsets_standAtTheEndOfEveryPartition() {
    long stored = Sql.count(jdbi, "SELECT COALESCE(sum(next_offset), 0) FROM projection_offsets");
    assertThat(stored).isEqualTo(events);
  }
}
