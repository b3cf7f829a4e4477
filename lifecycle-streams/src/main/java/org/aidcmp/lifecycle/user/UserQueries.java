package org.aidcmp.lifecycle.user;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.aidcmp.schemas.lifecycle.ProfileRef;
import org.aidcmp.schemas.state.ActivationCodeInFlight;
import org.aidcmp.schemas.state.Federation;
import org.aidcmp.schemas.state.FederationStatus;
import org.aidcmp.schemas.state.OnboardingSession;
import org.aidcmp.schemas.state.Profile;
import org.aidcmp.schemas.state.UserState;

/** What the procedures ask of a user's state, written once (plain loops: this runs for every record). */
public final class UserQueries {
  private UserQueries() {}

  public static Optional<OnboardingSession> session(UserState s, String sid) {
    for (OnboardingSession x : s.getSessions()) {
      if (x.getSid().equals(sid)) {
        return Optional.of(x);
      }
    }
    return Optional.empty();
  }

  public static Optional<Federation> federation(UserState s, String mspToken) {
    for (Federation f : s.getFederations()) {
      if (f.getMspToken().equals(mspToken)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  public static Optional<Federation> activeFederationWith(UserState s, String mspId) {
    for (Federation f : s.getFederations()) {
      if (f.getMspId().equals(mspId) && f.getStatus() == FederationStatus.ACTIVE) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** The subscription used in vehicles: the one the user chose, else the first active one. */
  public static Optional<Federation> subscriptionForVehicles(UserState s) {
    Federation first = null;
    for (Federation f : s.getFederations()) {
      if (f.getStatus() != FederationStatus.ACTIVE) {
        continue;
      }
      if (f.getMspToken().equals(s.getPreferredMspToken())) {
        return Optional.of(f);
      }
      if (first == null) {
        first = f;
      }
    }
    return Optional.ofNullable(first);
  }

  public static Optional<Profile> profile(UserState s, String iccid) {
    for (Profile p : s.getProfiles()) {
      if (p.getIccid().equals(iccid)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  public static Optional<ActivationCodeInFlight> inFlight(UserState s, Predicate<ActivationCodeInFlight> which) {
    for (ActivationCodeInFlight f : s.getActivationCodesInFlight()) {
      if (which.test(f)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  public static ProfileRef ref(UserState s, Profile p) {
    return new ProfileRef(s.getCmpUserId(), p.getMspToken(), p.getIccid(), p.getVin(), p.getEid());
  }

  /** Ids of in-flight AC requests and their deadlines, for the processor's deadline index. */
  public static Map<String, Instant> deadlines(UserState s) {
    if (s == null || s.getActivationCodesInFlight().isEmpty()) {
      return Map.of();
    }
    Map<String, Instant> deadlines = new HashMap<>();
    for (ActivationCodeInFlight f : s.getActivationCodesInFlight()) {
      deadlines.put(f.getActivationCodeRequestId(), f.getDeadline());
    }
    return deadlines;
  }
}
