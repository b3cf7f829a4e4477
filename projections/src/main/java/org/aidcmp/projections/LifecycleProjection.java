package org.aidcmp.projections;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.aidcmp.schemas.common.EncryptedValue;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.lifecycle.AccountIdIssued;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.aidcmp.schemas.lifecycle.AidTermsAccepted;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.FederationInvalidated;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.lifecycle.OnboardingFailedAtMsp;
import org.aidcmp.schemas.lifecycle.OnboardingRejected;
import org.aidcmp.schemas.lifecycle.ProfileDeleteRequested;
import org.aidcmp.schemas.lifecycle.ProfileDeleted;
import org.aidcmp.schemas.lifecycle.ProfileDisableFailed;
import org.aidcmp.schemas.lifecycle.ProfileDisabled;
import org.aidcmp.schemas.lifecycle.ProfileEnableFailed;
import org.aidcmp.schemas.lifecycle.ProfileEnabled;
import org.aidcmp.schemas.lifecycle.ProfileInstallFailed;
import org.aidcmp.schemas.lifecycle.ProfileInstalled;
import org.aidcmp.schemas.lifecycle.ProfileMspStatusChanged;
import org.aidcmp.schemas.lifecycle.ProfileRef;
import org.aidcmp.schemas.lifecycle.ProfileSwapped;
import org.aidcmp.schemas.lifecycle.ProfilesReconciled;
import org.aidcmp.schemas.lifecycle.SubscriptionChosen;
import org.aidcmp.schemas.lifecycle.SubscriptionUpdated;
import org.jdbi.v3.core.Handle;

/**
 * aid.lifecycle.events.v1 into users, onboarding sessions, federations, profiles and activation-code requests.
 * Each fact is applied as an upsert, so a fact about a row that an earlier fact would have created (a sample, a
 * topic that starts mid-way) still leaves a row. The timeline is {@link Timeline}'s.
 */
final class LifecycleProjection {
  private LifecycleProjection() {}

  static void apply(Handle h, LifecycleEvent event) {
    OffsetDateTime at = at(event.getHeader().getOccurredAt());
    Object p = event.getPayload();
    String user = Timeline.cmpUserId(p);
    if (user != null) {
      h.createUpdate("INSERT INTO users (cmp_user_id, first_seen_at, last_event_at) VALUES (:u, :at, :at)"
              + " ON CONFLICT (cmp_user_id) DO UPDATE SET last_event_at = GREATEST(users.last_event_at, EXCLUDED.last_event_at)")
          .bind("u", user).bind("at", at).execute();
    }
    if (p instanceof AccountIdIssued e) {
      session(h, e.getSid(), e.getCmpUserId(), e.getMspId(), at(e.getExpiresAt()), "ISSUED", null, at);
    } else if (p instanceof FederationEstablished e) {
      federationEstablished(h, e, at);
      session(h, e.getSid(), e.getCmpUserId(), e.getMspId(), null, "FEDERATED", null, at);
    } else if (p instanceof OnboardingRejected e) {
      if (e.getSid() != null) {
        session(h, e.getSid(), e.getCmpUserId(), e.getMspId(), null, "REJECTED", e.getError(), at);
      }
    } else if (p instanceof OnboardingFailedAtMsp e) {
      session(h, e.getSid(), e.getCmpUserId(), e.getMspId(), null, "FAILED_AT_MSP",
          new ErrorInfo("MSP", e.getMspError()), at);
    } else if (p instanceof AidTermsAccepted e) {
      h.createUpdate("UPDATE users SET terms_accepted_at = :at, terms_version = :v WHERE cmp_user_id = :u")
          .bind("u", e.getCmpUserId()).bind("at", at).bind("v", e.getTermsVersion()).execute();
    } else if (p instanceof SubscriptionChosen e) {
      h.createUpdate("UPDATE users SET preferred_msp_token = :t WHERE cmp_user_id = :u")
          .bind("u", e.getCmpUserId()).bind("t", e.getMspToken()).execute();
    } else if (p instanceof SubscriptionUpdated e) {
      subscriptionUpdated(h, e, at);
    } else if (p instanceof FederationInvalidated e) {
      federationState(h, e.getMspToken(), e.getCmpUserId(), e.getMspId(), "INVALIDATED", at);
      h.createUpdate("UPDATE federations SET withdraw_initiator = :i, withdraw_reason = :r WHERE msp_token = :t")
          .bind("t", e.getMspToken()).bind("i", e.getInitiatedBy().name()).bind("r", e.getReason()).execute();
    } else if (p instanceof FederationRemoved e) {
      federationState(h, e.getMspToken(), e.getCmpUserId(), e.getMspId(), "REMOVED", at);
    } else if (p instanceof ActivationCodeRequested e) {
      h.createUpdate("INSERT INTO activation_code_requests (activation_code_request_id, cmp_user_id, msp_id, msp_token,"
              + " vin, eid, replace_iccid, deadline, state, requested_at, updated_at)"
              + " VALUES (:id, :u, :msp, :t, :vin, :eid, :replace, :deadline, 'REQUESTED', :at, :at)"
              + " ON CONFLICT (activation_code_request_id) DO UPDATE SET vin = EXCLUDED.vin, eid = EXCLUDED.eid,"
              + " replace_iccid = EXCLUDED.replace_iccid, deadline = EXCLUDED.deadline, updated_at = EXCLUDED.updated_at")
          .bind("id", e.getActivationCodeRequestId()).bind("u", e.getCmpUserId()).bind("msp", e.getMspId())
          .bind("t", e.getMspToken()).bind("vin", e.getVin()).bind("eid", e.getEid())
          .bind("replace", e.getReplaceIccid()).bind("deadline", at(e.getDeadline())).bind("at", at).execute();
    } else if (p instanceof ActivationCodeReceived e) {
      activationCodeEnded(h, e.getActivationCodeRequestId(), e.getCmpUserId(), e.getMspId(), e.getMspToken(),
          e.getVin(), "RECEIVED", e.getIccid(), null, null, at);
      h.createUpdate("INSERT INTO profiles (iccid, cmp_user_id, msp_token, msp_id, vin, eid, profile_type, state, updated_at)"
              + " VALUES (:iccid, :u, :t, :msp, :vin,"
              + " (SELECT eid FROM activation_code_requests WHERE activation_code_request_id = :id), :type, 'AC_RECEIVED', :at)"
              + " ON CONFLICT (iccid) DO UPDATE SET cmp_user_id = EXCLUDED.cmp_user_id, msp_token = EXCLUDED.msp_token,"
              + " msp_id = EXCLUDED.msp_id, vin = EXCLUDED.vin, eid = COALESCE(EXCLUDED.eid, profiles.eid),"
              + " profile_type = EXCLUDED.profile_type, state = EXCLUDED.state, last_error = NULL,"
              + " delete_reason = NULL, updated_at = EXCLUDED.updated_at")
          .bind("iccid", e.getIccid()).bind("u", e.getCmpUserId()).bind("t", e.getMspToken())
          .bind("msp", e.getMspId()).bind("vin", e.getVin()).bind("id", e.getActivationCodeRequestId())
          .bind("type", e.getProfileType()).bind("at", at).execute();
    } else if (p instanceof ActivationCodeFailed e) {
      activationCodeEnded(h, e.getActivationCodeRequestId(), e.getCmpUserId(), e.getMspId(), e.getMspToken(),
          e.getVin(), "FAILED", null, e.getFailure().name(), e.getError(), at);
    } else if (p instanceof ProfileSwapped e) {
      profile(h, e.getSwapped(), "SWAPPED_OUT", null, at);
    } else if (p instanceof ProfileInstalled e) {
      profile(h, e.getProfile(), "INSTALLED", null, at);
    } else if (p instanceof ProfileInstallFailed e) {
      profile(h, e.getProfile(), "INSTALL_FAILED", Timeline.installFailure(e), at);
    } else if (p instanceof ProfileEnabled e) {
      profile(h, e.getProfile(), "ENABLED", null, at);
    } else if (p instanceof ProfileDisabled e) {
      profile(h, e.getProfile(), "DISABLED", null, at);
    } else if (p instanceof ProfileDeleted e) {
      profile(h, e.getProfile(), "DELETED", null, at);
    } else if (p instanceof ProfileDeleteRequested e) {
      profile(h, e.getProfile(), "DELETE_REQUESTED", null, at);
      h.createUpdate("UPDATE profiles SET delete_reason = :r WHERE iccid = :iccid")
          .bind("iccid", e.getProfile().getIccid()).bind("r", e.getReason().name()).execute();
    } else if (p instanceof ProfileEnableFailed e) {
      profile(h, e.getProfile(), null, "enable failed, csimErrorCode " + e.getCsimErrorCode(), at);
    } else if (p instanceof ProfileDisableFailed e) {
      profile(h, e.getProfile(), null, "disable failed, csimErrorCode " + e.getCsimErrorCode(), at);
    } else if (p instanceof ProfileMspStatusChanged e) {
      profile(h, e.getProfile(), null, null, at);
      h.createUpdate("UPDATE profiles SET msp_status = :s, msp_status_reason = :r WHERE iccid = :iccid")
          .bind("iccid", e.getProfile().getIccid()).bind("s", e.getStatus().name()).bind("r", e.getReason()).execute();
    } else if (p instanceof ProfilesReconciled) {
      // §4.6: the changes it made come as their own facts (deletes, statuses); this one is the timeline's.
      return;
    } else {
      throw new IllegalArgumentException("no projection for " + p.getClass().getName());
    }
  }

  private static void session(Handle h, String sid, String user, String mspId, OffsetDateTime expiresAt, String state,
      ErrorInfo error, OffsetDateTime at) {
    h.createUpdate("INSERT INTO onboarding_sessions (sid, cmp_user_id, msp_id, expires_at, state, error_code, error_text,"
            + " updated_at) VALUES (:sid, :u, :msp, :exp, :state, :code, :text, :at)"
            + " ON CONFLICT (sid) DO UPDATE SET cmp_user_id = COALESCE(EXCLUDED.cmp_user_id, onboarding_sessions.cmp_user_id),"
            + " expires_at = COALESCE(EXCLUDED.expires_at, onboarding_sessions.expires_at), state = EXCLUDED.state,"
            + " error_code = EXCLUDED.error_code, error_text = EXCLUDED.error_text, updated_at = EXCLUDED.updated_at")
        .bind("sid", sid).bind("u", user).bind("msp", mspId).bind("exp", expiresAt).bind("state", state)
        .bind("code", error == null ? null : error.getCode()).bind("text", error == null ? null : error.getError())
        .bind("at", at).execute();
  }

  private static void federationEstablished(Handle h, FederationEstablished e, OffsetDateTime at) {
    EncryptedValue phone = e.getPhoneNumber();
    h.createUpdate("INSERT INTO federations (msp_token, cmp_user_id, msp_id, sid, subscription_type, customer_group,"
            + " phone_key_id, phone_iv, phone_ciphertext, state, established_at, updated_at)"
            + " VALUES (:t, :u, :msp, :sid, :type, :group, :kid, :iv, :ct, 'ESTABLISHED', :at, :at)"
            + " ON CONFLICT (msp_token) DO UPDATE SET cmp_user_id = EXCLUDED.cmp_user_id, msp_id = EXCLUDED.msp_id,"
            + " sid = EXCLUDED.sid, subscription_type = EXCLUDED.subscription_type, customer_group = EXCLUDED.customer_group,"
            + " phone_key_id = EXCLUDED.phone_key_id, phone_iv = EXCLUDED.phone_iv, phone_ciphertext = EXCLUDED.phone_ciphertext,"
            + " state = 'ESTABLISHED', withdraw_initiator = NULL, withdraw_reason = NULL,"
            + " established_at = EXCLUDED.established_at, updated_at = EXCLUDED.updated_at")
        .bind("t", e.getMspToken()).bind("u", e.getCmpUserId()).bind("msp", e.getMspId()).bind("sid", e.getSid())
        .bind("type", e.getSubscriptionType().name()).bind("group", e.getCustomerGroup())
        .bind("kid", phone == null ? null : phone.getKeyId())
        .bind("iv", phone == null ? null : bytes(phone.getIv()))
        .bind("ct", phone == null ? null : bytes(phone.getCiphertext()))
        .bind("at", at).execute();
  }

  private static void subscriptionUpdated(Handle h, SubscriptionUpdated e, OffsetDateTime at) {
    EncryptedValue phone = e.getPhoneNumber();
    // §7.1.7: each field given replaces ours; one left out stays.
    h.createUpdate("UPDATE federations SET"
            + " subscription_type = COALESCE(:type, subscription_type), customer_group = COALESCE(:group, customer_group),"
            + " phone_key_id = CASE WHEN :hasPhone THEN :kid ELSE phone_key_id END,"
            + " phone_iv = CASE WHEN :hasPhone THEN :iv ELSE phone_iv END,"
            + " phone_ciphertext = CASE WHEN :hasPhone THEN :ct ELSE phone_ciphertext END,"
            + " updated_at = :at WHERE msp_token = :t")
        .bind("t", e.getMspToken())
        .bind("type", e.getSubscriptionType() == null ? null : e.getSubscriptionType().name())
        .bind("group", e.getCustomerGroup())
        .bind("hasPhone", phone != null)
        .bind("kid", phone == null ? null : phone.getKeyId())
        .bind("iv", phone == null ? null : bytes(phone.getIv()))
        .bind("ct", phone == null ? null : bytes(phone.getCiphertext()))
        .bind("at", at).execute();
  }

  private static void federationState(Handle h, String token, String user, String mspId, String state,
      OffsetDateTime at) {
    h.createUpdate("INSERT INTO federations (msp_token, cmp_user_id, msp_id, subscription_type, state, established_at,"
            + " updated_at) VALUES (:t, :u, :msp, 'UNKNOWN', :state, :at, :at)"
            + " ON CONFLICT (msp_token) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at")
        .bind("t", token).bind("u", user).bind("msp", mspId).bind("state", state).bind("at", at).execute();
  }

  private static void activationCodeEnded(Handle h, String id, String user, String mspId, String token, String vin,
      String state, String iccid, String failure, ErrorInfo error, OffsetDateTime at) {
    h.createUpdate("INSERT INTO activation_code_requests (activation_code_request_id, cmp_user_id, msp_id, msp_token, vin,"
            + " state, iccid, failure, error_code, error_text, requested_at, updated_at)"
            + " VALUES (:id, :u, :msp, :t, :vin, :state, :iccid, :failure, :code, :text, :at, :at)"
            + " ON CONFLICT (activation_code_request_id) DO UPDATE SET state = EXCLUDED.state, iccid = EXCLUDED.iccid,"
            + " failure = EXCLUDED.failure, error_code = EXCLUDED.error_code, error_text = EXCLUDED.error_text,"
            + " updated_at = EXCLUDED.updated_at")
        .bind("id", id).bind("u", user).bind("msp", mspId).bind("t", token).bind("vin", vin).bind("state", state)
        .bind("iccid", iccid).bind("failure", failure)
        .bind("code", error == null ? null : error.getCode()).bind("text", error == null ? null : error.getError())
        .bind("at", at).execute();
  }

  /** A fact about one profile: its state (null: unchanged) and the error it reports (null: none). */
  private static void profile(Handle h, ProfileRef ref, String state, String error, OffsetDateTime at) {
    h.createUpdate("INSERT INTO profiles (iccid, cmp_user_id, msp_token, msp_id, vin, eid, state, last_error, updated_at)"
            + " VALUES (:iccid, :u, :t, (SELECT msp_id FROM federations WHERE msp_token = :t), :vin, :eid,"
            + " COALESCE(:state, 'UNKNOWN'), :error, :at)"
            + " ON CONFLICT (iccid) DO UPDATE SET cmp_user_id = EXCLUDED.cmp_user_id,"
            + " msp_token = COALESCE(EXCLUDED.msp_token, profiles.msp_token),"
            + " msp_id = COALESCE(EXCLUDED.msp_id, profiles.msp_id), vin = COALESCE(EXCLUDED.vin, profiles.vin),"
            + " eid = COALESCE(EXCLUDED.eid, profiles.eid), state = COALESCE(:state, profiles.state),"
            + " last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at")
        .bind("iccid", ref.getIccid()).bind("u", ref.getCmpUserId()).bind("t", ref.getMspToken())
        .bind("vin", ref.getVin()).bind("eid", ref.getEid()).bind("state", state).bind("error", error)
        .bind("at", at).execute();
  }

  static OffsetDateTime at(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
