package org.aidcmp.infra.vehicle;

import java.time.Duration;
import java.time.Instant;

/**
 * How one flow of one vehicle ended: which flow, for which user (null for vehicle-wide ones), the result, a
 * detail (the error code, status word or DownloadInstallResult; never an activation code) and how long it took
 * from its start to its last message.
 */
public record Outcome(String vin, String cmpUserId, Flow flow, Result result, String detail, Duration latency,
                      Instant at) {

  /** What was done. */
  public enum Flow { LOGIN, LOGOUT, DELETE_PROFILE, CSIM_INFO, DELETE_ALL_PROFILES, ERROR }

  /** How it ended. */
  public enum Result {
    /** Login: a new profile downloaded, installed and enabled (§4.3). */
    PROVISIONED(true),
    /** Login: the user's profile already on the eUICC was enabled (§4.9). */
    ENABLED(true),
    /** Logout: the user's profile disabled (§4.9). */
    DISABLED(true),
    /** Logout: no profile of the user was enabled; nothing sent. */
    NOTHING_TO_DISABLE(true),
    /** The CMP answered the request for an activation code with an error (§7.2.1). */
    REFUSED(false),
    /** Download or install failed; detail: the DownloadInstallResult (§7.2.3). */
    INSTALL_FAILED(false),
    /** The eUICC had no room for the profile: PROFILE_INSTALLATION_FAILED, 6A84. */
    EUICC_FULL(false),
    /** Enable answered a status word other than 9000 (§7.2.5). */
    ENABLE_FAILED(false),
    /** Disable answered a status word other than 9000 (§7.2.6). */
    DISABLE_FAILED(false),
    /** No answer within the flow's deadline. */
    TIMED_OUT(false),
    /** A Request delete profile (§7.2.4) deleted it; detail: the ICCID's result. */
    DELETED(true),
    /** A Request delete profile found nothing to delete (PROFILE_NOT_FOUND, USER_NOT_FOUND). */
    NOT_FOUND(true),
    /** Request CSIM info (§7.2.7) answered with the inventory. */
    REPORTED(true),
    /** Request delete all profiles (§7.2.8): SUCCESS or NO_PROFILES_FOUND. */
    ALL_DELETED(true),
    /** An error downlink (§7.2.1) that answered none of the vehicle's flows. */
    ERROR_RECEIVED(false);

    private final boolean success;

    Result(boolean success) {
      this.success = success;
    }

    public boolean success() {
      return success;
    }
  }
}
