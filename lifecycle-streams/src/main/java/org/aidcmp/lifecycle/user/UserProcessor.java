package org.aidcmp.lifecycle.user;

import static org.aidcmp.lifecycle.user.UserChange.answeringRepeats;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import org.aidcmp.lifecycle.DecidingProcessor;
import org.aidcmp.lifecycle.Decider;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.Dispatch;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Message;
import org.aidcmp.lifecycle.Records;
import org.aidcmp.lifecycle.onboarding.OnboardingDecider;
import org.aidcmp.lifecycle.profiles.ProfileLifecycleDecider;
import org.aidcmp.lifecycle.provisioning.ActivationCodeDeadlinePassed;
import org.aidcmp.lifecycle.provisioning.CarProvisioningDecider;
import org.aidcmp.lifecycle.vehicleops.VehicleOperationsDecider;
import org.aidcmp.lifecycle.withdraw.WithdrawDecider;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequestAccepted;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.aid1.MspCallRejected;
import org.aidcmp.schemas.aid1.MspCallSucceeded;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.ProfileStatusReceived;
import org.aidcmp.schemas.aid1.SendActivationCode;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.aid1.SendProfileInformation;
import org.aidcmp.schemas.aid1.UpdateSubscriptionInfo;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.internal.MspTokenClaimAnswer;
import org.aidcmp.schemas.internal.ProfilesGoneFromVehicle;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.AcceptAidTerms;
import org.aidcmp.schemas.touchpoint.ChooseSubscription;
import org.aidcmp.schemas.touchpoint.DeleteProfile;
import org.aidcmp.schemas.touchpoint.RequestAccountId;
import org.aidcmp.schemas.touchpoint.SyncProfileStatus;
import org.aidcmp.schemas.touchpoint.WithdrawOnboarding;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The User aggregate (key cmpUserId): which procedure's decider takes each message ({@link #dispatch}), and
 * beside the users an index of AC deadlines, ordered by time. A deadline passes when a record stamped after it
 * comes (before that record is decided), or when the wall clock passes it (a punctuation: an asynchronous AC that
 * never comes fails at its deadline even when nothing else happens). Either way it is decided at the deadline's
 * own time, as a message ({@link ActivationCodeDeadlinePassed}): the same inputs decide the same, however late
 * they are processed (a replay).
 */
public final class UserProcessor extends DecidingProcessor<UserState> {
  public static final String NAME = "user-lifecycle";
  public static final String STORE = "users";
  public static final String DEADLINES = "activation-code-deadlines";

  private final Duration deadlineScanInterval;
  private final LongUnaryOperator deadlineClock;
  private KeyValueStore<String, String> deadlines;

  /**
   * @param deadlineClock the time up to which the wall-clock scan passes deadlines, given the wall clock: the wall
   *     clock itself, or during a replay's windows none (the records' times pass them there)
   */
  public UserProcessor(LifecycleSettings settings, Duration deadlineScanInterval, LongUnaryOperator deadlineClock) {
    super(NAME, STORE, dispatch(settings));
    this.deadlineScanInterval = deadlineScanInterval;
    this.deadlineClock = deadlineClock;
  }

  /** Every message the user stage takes, by source topic and payload type, and the procedure that decides it. */
  static Dispatch<UserState> dispatch(LifecycleSettings settings) {
    OnboardingDecider onboarding = new OnboardingDecider(settings);
    CarProvisioningDecider provisioning = new CarProvisioningDecider(settings);
    ProfileLifecycleDecider profiles = new ProfileLifecycleDecider(settings);
    WithdrawDecider withdraw = new WithdrawDecider(settings);
    VehicleOperationsDecider vehicleOperations = new VehicleOperationsDecider(settings);
    Decider<UserState> nothingToDecide = (state, m, now) -> Decision.unchanged(state);
    return new Dispatch<UserState>()
        // touchpoint commands (the touchpoint dispatch passes only the users' ones)
        .on(AidTopic.TOUCHPOINT_COMMANDS, answeringRepeats(onboarding),
            RequestAccountId.class, AcceptAidTerms.class, ChooseSubscription.class)
        .on(AidTopic.TOUCHPOINT_COMMANDS, answeringRepeats(withdraw), WithdrawOnboarding.class)
        .on(AidTopic.TOUCHPOINT_COMMANDS, answeringRepeats(profiles::forUser),
            DeleteProfile.class, SyncProfileStatus.class)
        // Send MSP token, keyed by the user its account id names; the answer to its token's claim
        .on(AidTopic.AID1_INBOUND, keyedByItsUser(answeringRepeats(onboarding)), SendMspToken.class)
        .on(AidTopic.INTERNAL_USERS, answeringRepeats(onboarding), MspTokenClaimAnswer.class)
        // MSP calls, routed to their user by the routes stage (a Send MSP token only as the routes stage passed
        // them on before account ids named their user)
        .on(AidTopic.INTERNAL_USERS, answeringRepeats(onboarding), SendMspToken.class)
        .on(AidTopic.INTERNAL_USERS, answeringRepeats(withdraw), NotifyMspTokenInvalid.class)
        .on(AidTopic.INTERNAL_USERS, answeringRepeats(profiles::forUser),
            SendProfileInformation.class, UpdateSubscriptionInfo.class)
        .on(AidTopic.INTERNAL_USERS, answeringRepeats(provisioning::forUser), SendActivationCode.class)
        // what our calls to MSPs returned: keyed by the user, from egress; keyed by msp_token (written before
        // commands named their user), routed here by the routes stage
        .on(AidTopic.AID1_RESULTS, keyedByUser(provisioning::forUser), ActivationCodeIssued.class,
            ActivationCodeRequestAccepted.class, MspCallRejected.class, MspCallGaveUp.class)
        .on(AidTopic.AID1_RESULTS, keyedByUser(profiles::forUser), ProfileStatusReceived.class)
        .on(AidTopic.AID1_RESULTS, keyedByUser(nothingToDecide), MspCallSucceeded.class)
        .on(AidTopic.INTERNAL_USERS, provisioning::forUser, ActivationCodeIssued.class,
            ActivationCodeRequestAccepted.class, MspCallRejected.class, MspCallGaveUp.class)
        .on(AidTopic.INTERNAL_USERS, profiles::forUser, ProfileStatusReceived.class)
        .on(AidTopic.INTERNAL_USERS, nothingToDecide, MspCallSucceeded.class)
        // what vehicles report, after the vehicle stage checked the vehicle
        .on(AidTopic.INTERNAL_USERS, provisioning::forUser, RequestActivationCode.class,
            ProfileDownloadInstallInfo.class)
        .on(AidTopic.INTERNAL_USERS, profiles::forUser, CsimStatus.class, EnableProfileError.class,
            DisableProfileError.class, DeleteProfileResult.class)
        .on(AidTopic.INTERNAL_USERS, vehicleOperations::forUser, ProfilesGoneFromVehicle.class)
        // the wall clock
        .onOwn(ActivationCodeDeadlinePassed.class, provisioning::forUser);
  }

  /**
   * A Send MSP token is keyed by the user its account id names (ingress keys it so); one keyed by another breaks
   * the contract: a dead letter.
   */
  static Decider<UserState> keyedByItsUser(Decider<UserState> decider) {
    return (state, m, now) -> {
      if (!m.key().equals(((SendMspToken) m.payload()).getCmpUserId())) {
        throw new IllegalArgumentException("a Send MSP token keyed by another user than its account id names");
      }
      return decider.decide(state, m, now);
    };
  }

  /**
   * A result names the user its command was for, and is keyed by it: it goes to the procedure. One that names
   * none is keyed by msp_token (its command was written before commands named their user): the routes stage
   * finds its user. A result keyed by another user than it names breaks the contract: a dead letter.
   */
  static Decider<UserState> keyedByUser(Decider<UserState> decider) {
    return (state, m, now) -> {
      MspCallRef ref = (MspCallRef) ((SpecificRecord) m.payload()).get(0);
      if (ref.getCmpUserId() == null) {
        Records out = new Records(m.cause(), now);
        out.internal(AidTopic.INTERNAL_ROUTES, m.key(), m.envelope());
        return new Decision<>(state, out.list());
      }
      if (!ref.getCmpUserId().equals(m.key())) {
        throw new IllegalArgumentException("a result for another user than its key names");
      }
      return decider.decide(state, m, now);
    };
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    super.init(context);
    deadlines = context.getStateStore(DEADLINES);
    context.schedule(deadlineScanInterval, PunctuationType.WALL_CLOCK_TIME,
        wallClock -> expireDeadlines(deadlineClock.applyAsLong(wallClock)));
  }

  /** Deadlines before the record's time have passed when it comes: they are decided first. */
  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (record.timestamp() > Long.MIN_VALUE) {
      expireDeadlines(record.timestamp() - 1);
    }
    super.process(record);
  }

  @Override
  protected void stateChanged(String cmpUserId, UserState before, UserState after) {
    Map<String, Instant> was = UserQueries.deadlines(before);
    Map<String, Instant> now = UserQueries.deadlines(after);
    was.forEach((id, at) -> {
      if (!at.equals(now.get(id))) {
        deadlines.delete(deadlineKey(at, cmpUserId, id));
      }
    });
    now.forEach((id, at) -> {
      if (!at.equals(was.get(id))) {
        deadlines.put(deadlineKey(at, cmpUserId, id), cmpUserId);
      }
    });
  }

  /** Keys sort by time: the zero-padded epoch milliseconds come first. */
  static String deadlineKey(Instant at, String cmpUserId, String activationCodeRequestId) {
    return String.format("%019d|%s|%s", at.toEpochMilli(), activationCodeRequestId, cmpUserId);
  }

  /** Decides every deadline at or before {@code upTo}, in time order, each at its own time. */
  private void expireDeadlines(long upTo) {
    if (upTo < 0) {
      return; // nothing is due before the epoch (and a replay's windows pass Long.MIN_VALUE: none by the clock)
    }
    List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it = deadlines.range(null, String.format("%019d|~", upTo))) {
      it.forEachRemaining(due::add);
    }
    for (KeyValue<String, String> entry : due) {
      String[] parts = entry.key.split("\\|");
      long at = Long.parseLong(parts[0]);
      String activationCodeRequestId = parts[1];
      String cmpUserId = entry.value;
      deadlines.delete(entry.key);
      decide(Message.own(cmpUserId, Envelopes.header(Envelopes.derivedId("deadline", activationCodeRequestId),
          Records.SOURCE, null, null, Instant.ofEpochMilli(at)),
          new ActivationCodeDeadlinePassed(activationCodeRequestId)), at);
    }
  }
}
