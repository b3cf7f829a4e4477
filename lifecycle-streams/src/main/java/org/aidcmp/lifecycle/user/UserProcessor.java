package org.aidcmp.lifecycle.user;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aidcmp.lifecycle.Decision;
import org.aidcmp.lifecycle.DecidingProcessor;
import org.aidcmp.lifecycle.LifecycleSettings;
import org.aidcmp.lifecycle.Outputs;
import org.aidcmp.lifecycle.TouchpointCommands;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.internal.MspTokenClaimAnswer;
import org.aidcmp.schemas.internal.ProfilesGoneFromVehicle;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies {@link UserDecider} (key cmpUserId). Beside the users it keeps an index of AC deadlines, ordered by
 * time, which a wall-clock punctuation walks: an asynchronous AC that never comes fails at its deadline even
 * when nothing else happens to the user.
 */
public final class UserProcessor extends DecidingProcessor<UserState> {
  public static final String NAME = "user-lifecycle";
  public static final String STORE = "users";
  public static final String DEADLINES = "activation-code-deadlines";

  private final UserDecider decider;
  private final Duration deadlineScanInterval;
  private KeyValueStore<String, String> deadlines;

  public UserProcessor(LifecycleSettings settings, Duration deadlineScanInterval) {
    super(NAME, STORE);
    this.decider = new UserDecider(settings);
    this.deadlineScanInterval = deadlineScanInterval;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    super.init(context);
    deadlines = context.getStateStore(DEADLINES);
    context.schedule(deadlineScanInterval, PunctuationType.WALL_CLOCK_TIME, this::expireDeadlines);
  }

  @Override
  protected boolean accepts(SpecificRecord value) {
    return !(value instanceof TouchpointCommand command && TouchpointCommands.isFleetCommand(command));
  }

  @Override
  protected Decision<UserState> decide(String key, UserState state, SpecificRecord value, Outputs out) {
    if (value instanceof TouchpointCommand command) {
      return decider.onTouchpoint(key, state, command, out);
    }
    if (value instanceof InternalMessage message) {
      Object payload = message.getPayload();
      if (payload instanceof Aid1Inbound call) {
        return decider.onMspCall(key, state, call, out);
      }
      if (payload instanceof Aid1Result result) {
        return decider.onMspResult(key, state, result, out);
      }
      if (payload instanceof Aid2Uplink uplink) {
        return decider.onVehicleReport(key, state, uplink, out);
      }
      if (payload instanceof MspTokenClaimAnswer answer) {
        return decider.onTokenClaimAnswer(key, state, answer, out);
      }
      if (payload instanceof ProfilesGoneFromVehicle gone) {
        return decider.onProfilesGone(key, state, gone, out);
      }
    }
    throw new IllegalArgumentException("the user stage cannot take "
        + (value == null ? "a tombstone" : value.getSchema().getFullName()));
  }

  @Override
  protected void stateChanged(String cmpUserId, UserState before, UserState after) {
    Map<String, Instant> was = UserDecider.deadlines(before);
    Map<String, Instant> now = UserDecider.deadlines(after);
    was.forEach((id, at) -> {
      if (!at.equals(now.get(id))) {
        deadlines.delete(deadlineKey(at, cmpUserId, id));
      }
    });
    now.forEach((id, at) -> deadlines.put(deadlineKey(at, cmpUserId, id), cmpUserId));
  }

  /** Keys sort by time: the zero-padded epoch milliseconds come first. */
  static String deadlineKey(Instant at, String cmpUserId, String activationCodeRequestId) {
    return String.format("%019d|%s|%s", at.toEpochMilli(), activationCodeRequestId, cmpUserId);
  }

  private void expireDeadlines(long wallClockMillis) {
    List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it = deadlines.range(null, String.format("%019d|~", wallClockMillis))) {
      it.forEachRemaining(due::add);
    }
    for (KeyValue<String, String> entry : due) {
      String activationCodeRequestId = entry.key.split("\\|")[1];
      String cmpUserId = entry.value;
      Instant now = Instant.ofEpochMilli(wallClockMillis);
      Outputs out = new Outputs(Envelopes.header(Envelopes.derivedId("deadline", activationCodeRequestId),
          Outputs.SOURCE, null, null, now), now);
      deadlines.delete(entry.key);
      apply(cmpUserId, decider.onDeadline(cmpUserId, store.get(cmpUserId), activationCodeRequestId, out),
          wallClockMillis);
    }
  }
}
