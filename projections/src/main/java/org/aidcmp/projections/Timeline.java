package org.aidcmp.projections;

import java.util.stream.Collectors;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.lifecycle.AccountIdIssued;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.aidcmp.schemas.lifecycle.AidTermsAccepted;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.FederationInvalidated;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
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
import org.aidcmp.schemas.vehicle.DownlinkCommandAnswered;
import org.aidcmp.schemas.vehicle.DownlinkCommandExpired;
import org.aidcmp.schemas.vehicle.VehicleInventoryChanged;
import org.aidcmp.schemas.vehicle.VehicleOffline;
import org.aidcmp.schemas.vehicle.VehicleOnline;
import org.aidcmp.schemas.vehicle.VehicleRegistered;
import org.aidcmp.schemas.vehicle.VehicleRetired;
import org.jdbi.v3.core.Handle;

/**
 * The customer-care timeline: one row per fact of either topic, saying what happened in words and why, with
 * the reason the spec wants kept for support (§7.1.5 the withdraw reason, §7.1.6 the MSP's status reason,
 * §7.2.3 DownloadInstallResult and FunctionExecutionStatus, §7.2.5 / §7.2.6 csimErrorCode). Never a
 * phone number, msp_token or account id.
 */
public final class Timeline {
  /** What one fact says, for the timeline. */
  public record Entry(String cmpUserId, String vin, String iccid, String mspId, String summary, String reason) {}

  private Timeline() {}

  static void insert(Handle h, String topic, int partition, long offset, EnvelopeHeader header, Object payload) {
    Entry e = entry(payload);
    h.createUpdate("INSERT INTO timeline (topic, partition, \"offset\", message_id, occurred_at, event_type,"
            + " cmp_user_id, vin, iccid, msp_id, summary, reason)"
            + " VALUES (:topic, :partition, :offset, :mid, :at, :type, :u, :vin, :iccid,"
            + " COALESCE(:msp, (SELECT msp_id FROM profiles WHERE iccid = :iccid)), :summary, :reason)")
        .bind("topic", topic).bind("partition", partition).bind("offset", offset)
        .bind("mid", header.getMessageId()).bind("at", LifecycleProjection.at(header.getOccurredAt()))
        .bind("type", payload.getClass().getSimpleName())
        .bind("u", e.cmpUserId()).bind("vin", e.vin()).bind("iccid", e.iccid()).bind("msp", e.mspId())
        .bind("summary", e.summary()).bind("reason", e.reason()).execute();
  }

  /**
   * True when the fact (same topic, messageId, occurredAt and type) is in the timeline already, from another offset.
   * The type too: records written by hand (samples, tests) may share a header across facts; lifecycle-streams never
   * does.
   */
  static boolean applied(Handle h, String topic, EnvelopeHeader header, Object payload) {
    return h.createQuery("SELECT EXISTS (SELECT 1 FROM timeline WHERE message_id = :mid AND topic = :topic"
            + " AND occurred_at = :at AND event_type = :type)")
        .bind("mid", header.getMessageId()).bind("topic", topic).bind("type", payload.getClass().getSimpleName())
        .bind("at", LifecycleProjection.at(header.getOccurredAt())).mapTo(Boolean.class).one();
  }

  static String cmpUserId(Object payload) {
    return entry(payload).cmpUserId();
  }

  static String installFailure(ProfileInstallFailed e) {
    StringBuilder s = new StringBuilder("DownloadInstallResult ").append(e.getDownloadInstallResult());
    if (e.getFunctionExecutionStatus() != null) {
      s.append(", FunctionExecutionStatus ").append(e.getFunctionExecutionStatus());
    }
    if (e.getCsimErrorCode() != null) {
      s.append(", csimErrorCode ").append(e.getCsimErrorCode());
    }
    return s.toString();
  }

  private static String error(ErrorInfo error) {
    return error == null ? null : "code " + error.getCode() + ": " + error.getError();
  }

  public static Entry entry(Object p) {
    if (p instanceof AccountIdIssued e) {
      return new Entry(e.getCmpUserId(), null, null, e.getMspId(), "account id issued for MSP " + e.getMspId(), null);
    } else if (p instanceof FederationEstablished e) {
      return new Entry(e.getCmpUserId(), null, null, e.getMspId(), "federated with MSP " + e.getMspId()
          + " (subscriptionType " + e.getSubscriptionType() + ")", null);
    } else if (p instanceof OnboardingRejected e) {
      return new Entry(e.getCmpUserId(), null, null, e.getMspId(), "Send MSP token refused", error(e.getError()));
    } else if (p instanceof OnboardingFailedAtMsp e) {
      return new Entry(e.getCmpUserId(), null, null, e.getMspId(), "MSP reported onboarding failed", e.getMspError());
    } else if (p instanceof AidTermsAccepted e) {
      return new Entry(e.getCmpUserId(), null, null, null, "AiD terms accepted"
          + (e.getTermsVersion() == null ? "" : " (version " + e.getTermsVersion() + ")"), null);
    } else if (p instanceof SubscriptionChosen e) {
      return new Entry(e.getCmpUserId(), null, null, null, "preferred subscription chosen", null);
    } else if (p instanceof SubscriptionUpdated e) {
      return new Entry(e.getCmpUserId(), null, null, null, "subscription info updated by the MSP"
          + (e.getSubscriptionType() == null ? "" : " (subscriptionType " + e.getSubscriptionType() + ")")
          + (e.getPhoneNumber() == null ? "" : ", new phone number"), null);
    } else if (p instanceof FederationInvalidated e) {
      return new Entry(e.getCmpUserId(), null, null, e.getMspId(), "withdraw: federation with MSP " + e.getMspId()
          + " invalidated, initiated by " + e.getInitiatedBy(), e.getReason());
    } else if (p instanceof FederationRemoved e) {
      return new Entry(e.getCmpUserId(), null, null, e.getMspId(), "withdraw done: federation with MSP "
          + e.getMspId() + " removed", null);
    } else if (p instanceof ActivationCodeRequested e) {
      return new Entry(e.getCmpUserId(), e.getVin(), e.getReplaceIccid(), e.getMspId(),
          "activation code requested from MSP " + e.getMspId()
              + (e.getReplaceIccid() == null ? "" : " to replace " + e.getReplaceIccid()), null);
    } else if (p instanceof ActivationCodeReceived e) {
      return new Entry(e.getCmpUserId(), e.getVin(), e.getIccid(), e.getMspId(),
          "activation code received from MSP " + e.getMspId() + " and sent to the vehicle"
              + (e.getSwappedIccid() == null ? "" : " (swaps " + e.getSwappedIccid() + ")"), null);
    } else if (p instanceof ActivationCodeFailed e) {
      String why = e.getFailure() + (e.getError() == null ? "" : " (" + error(e.getError()) + ")");
      return new Entry(e.getCmpUserId(), e.getVin(), null, e.getMspId(),
          "no activation code from MSP " + e.getMspId() + ": the vehicle got NO_ACTIVATION_CODE_AVAILALE", why);
    } else if (p instanceof ProfileSwapped e) {
      return profile(e.getSwapped(), "profile swapped out for " + e.getNewIccid()
          + (e.getSuggestedIccid() == null ? "" : " (CMP suggested " + e.getSuggestedIccid() + ")"), null);
    } else if (p instanceof ProfileInstalled e) {
      return profile(e.getProfile(), "profile installed", null);
    } else if (p instanceof ProfileInstallFailed e) {
      return profile(e.getProfile(), "profile download / install failed", installFailure(e));
    } else if (p instanceof ProfileEnabled e) {
      return profile(e.getProfile(), "profile enabled", null);
    } else if (p instanceof ProfileDisabled e) {
      return profile(e.getProfile(), "profile disabled", null);
    } else if (p instanceof ProfileDeleted e) {
      return profile(e.getProfile(), "profile deleted from the vehicle", null);
    } else if (p instanceof ProfileDeleteRequested e) {
      return profile(e.getProfile(), "delete of the profile sent to the vehicle", e.getReason().name());
    } else if (p instanceof ProfileEnableFailed e) {
      return profile(e.getProfile(), "enabling the profile failed", "csimErrorCode " + e.getCsimErrorCode());
    } else if (p instanceof ProfileDisableFailed e) {
      return profile(e.getProfile(), "disabling the profile failed", "csimErrorCode " + e.getCsimErrorCode());
    } else if (p instanceof ProfileMspStatusChanged e) {
      return profile(e.getProfile(), "MSP reports the profile " + e.getStatus(), e.getReason());
    } else if (p instanceof ProfilesReconciled e) {
      String changes = e.getChanges().stream()
          .map(c -> c.getIccid() + " " + c.getBefore() + " -> " + c.getAfter())
          .collect(Collectors.joining("; "));
      return new Entry(e.getCmpUserId(), null, null, null, "profile status synchronised with the MSP ("
          + e.getChanges().size() + " changes)", changes.isEmpty() ? null : changes);
    } else if (p instanceof VehicleRegistered e) {
      return new Entry(null, e.getVin(), null, null, "vehicle registered (AiD " + (e.getAidEnabled() ? "enabled" : "disabled")
          + ")", null);
    } else if (p instanceof VehicleRetired e) {
      return new Entry(null, e.getVin(), null, null, "vehicle retired from the fleet", null);
    } else if (p instanceof VehicleInventoryChanged e) {
      String entries = e.getProfiles().stream().map(i -> i.getIccid() + " " + i.getState())
          .collect(Collectors.joining("; "));
      return new Entry(null, e.getVin(), null, null, "eUICC inventory now " + e.getProfiles().size() + " profiles",
          entries.isEmpty() ? null : entries);
    } else if (p instanceof VehicleOnline e) {
      return new Entry(null, e.getVin(), null, null, "vehicle online", null);
    } else if (p instanceof VehicleOffline e) {
      return new Entry(null, e.getVin(), null, null, "vehicle offline", null);
    } else if (p instanceof DownlinkCommandAnswered e) {
      return new Entry(null, e.getVin(), null, null, e.getCommand() + " answered by the vehicle", null);
    } else if (p instanceof DownlinkCommandExpired e) {
      return new Entry(null, e.getVin(), null, null, e.getCommand() + " given up on",
          "the vehicle did not answer in time");
    }
    throw new IllegalArgumentException("no timeline entry for " + p.getClass().getName());
  }

  private static Entry profile(ProfileRef ref, String summary, String reason) {
    return new Entry(ref.getCmpUserId(), ref.getVin(), ref.getIccid(), null, summary, reason);
  }
}
