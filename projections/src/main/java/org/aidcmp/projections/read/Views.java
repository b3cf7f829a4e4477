package org.aidcmp.projections.read;

import java.util.List;

/** What the query API shows; times are ISO-8601 instants. */
public final class Views {
  private Views() {}

  /** The phone number as stored: encrypted under the CMP's key; the edge decrypts it only to mask it. */
  public record EncryptedPhone(String keyId, byte[] iv, byte[] ciphertext) {}

  public record Subscription(String mspToken, String mspId, String subscriptionType, String customerGroup,
      String state, EncryptedPhone phoneNumber, String establishedAt, String updatedAt) {}

  public record Profile(String iccid, String cmpUserId, String mspId, String vin, String eid, String state,
      String mspStatus, String mspStatusReason, String lastError, String deleteReason, String updatedAt) {}

  public record Vehicle(String vin, String eid, Boolean registered, Boolean aidEnabled, Boolean online,
      String presenceAt) {}

  /** A vehicle of the signed-in user with that user's profiles on it. */
  public record UserVehicle(String vin, Vehicle vehicle, List<Profile> profiles) {}

  /** §4.4: a withdrawn federation and how far its profiles' deletion has come. */
  public record Withdrawal(String mspToken, String mspId, String state, String initiatedBy, String reason,
      long profilesRemaining, String updatedAt) {}

  public record TimelineEntry(long id, String occurredAt, String eventType, String cmpUserId, String vin, String iccid,
      String mspId, String summary, String reason) {}

  public record InventoryEntry(String iccid, String cmpUserId, String state) {}

  /** A vehicle by VIN for customer care: what it is, what its eUICC holds, which profiles the platform knows. */
  public record VehicleInventory(String vin, Vehicle vehicle, Page<InventoryEntry> inventory, List<Profile> profiles) {}

  public record ProfileHistory(Profile profile, Page<TimelineEntry> history) {}

  /** "Why does this car have no profile", answered from the facts. */
  public record WhyNoProfile(String vin, boolean hasProfile, List<Profile> liveProfiles, String answer,
      List<TimelineEntry> evidence) {}

  public record Count(String key, String state, long count) {}
}
