package org.aidcmp.infra.msp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One user's (msp_token's) profiles at the MSP, at most {@code size} live at once, swapped by the §4.3.1 rules:
 * below the limit a new profile is issued without a swap; at the limit the replaceIccid the CMP suggests is
 * swapped out if it is one of the user's live profiles, otherwise the least recently issued live one; at the
 * limit without a replaceIccid no code can be created (422).
 */
final class ProfilePool {

  /** A live profile and the order in which it was issued. */
  record Profile(String iccid, long issued, ProfileState state) {
    Profile with(ProfileState newState) {
      return new Profile(iccid, issued, newState);
    }
  }

  /** What an issue produced: the new profile's ICCID, and the ICCID swapped out for it (null if none). */
  record Issued(String iccid, String swappedIccid) {}

  private final String mspToken;
  private final int size;
  private final Map<String, Profile> live = new LinkedHashMap<>();
  private boolean valid = true;
  private long issuedCount;

  ProfilePool(String mspToken, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("a pool holds at least one profile");
    }
    this.mspToken = mspToken;
    this.size = size;
  }

  synchronized Issued issue(String newIccid, String replaceIccid) {
    requireValid();
    String swapped = null;
    if (live.size() >= size) {
      if (replaceIccid == null) {
        throw new MspApiError(422, "49", "No activation code can be created: all profile slots are used");
      }
      swapped = live.containsKey(replaceIccid) ? replaceIccid : leastRecentlyIssued();
      live.remove(swapped);
    }
    live.put(newIccid, new Profile(newIccid, ++issuedCount, ProfileState.PREPARED));
    return new Issued(newIccid, swapped);
  }

  synchronized void invalidate() {
    requireValid();
    // §7.1.10: the MSP deactivates all profiles at once, without waiting for the CMP's CSIM status.
    valid = false;
    live.clear();
  }

  /** A §7.1.9 status from the CMP: a deleted profile leaves the pool; the others are only noted. */
  synchronized void csimStatus(String iccid, String status) {
    // Allowed on an invalidated token: §4.4 sends "deleted" for the remaining profiles after the invalidation.
    if ("deleted".equals(status)) {
      live.remove(iccid);
    } else if ("installed".equals(status) && live.containsKey(iccid)) {
      live.put(iccid, live.get(iccid).with(ProfileState.INSTALLED));
    }
  }

  synchronized boolean forget(String iccid) {
    return live.remove(iccid) != null;
  }

  synchronized boolean setState(String iccid, ProfileState state) {
    Profile p = live.get(iccid);
    if (p == null) {
      return false;
    }
    live.put(iccid, p.with(state));
    return true;
  }

  synchronized List<Profile> profiles(String iccidOrNull) {
    requireValid();
    if (iccidOrNull == null) {
      return List.copyOf(live.values());
    }
    Profile p = live.get(iccidOrNull);
    if (p == null) {
      throw new MspApiError(404, "62", "The profile with the ICCID " + iccidOrNull
          + " is not linked to the MSP token with the federated_id " + mspToken);
    }
    return List.of(p);
  }

  synchronized Optional<ProfileState> state(String iccid) {
    return Optional.ofNullable(live.get(iccid)).map(Profile::state);
  }

  synchronized boolean valid() {
    return valid;
  }

  private String leastRecentlyIssued() {
    return new ArrayList<>(live.values()).stream().min(Comparator.comparingLong(Profile::issued))
        .orElseThrow().iccid();
  }

  private void requireValid() {
    if (!valid) {
      throw MspApiError.tokenNoLongerValid();
    }
  }
}
