package org.aidcmp.infra.vehicle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.aidcmp.schemas.common.VehicleProfileStatus;

/**
 * A simulated eUICC: its EID and the operational profiles installed on it, each of one CMP user, at most one
 * enabled at a time (enabling one disables the one enabled before, as SGP.22's enable does). Room for
 * {@code capacity} profiles; one more is refused with 6A84. Each operation answers a GlobalPlatform status
 * word. Not thread-safe: its vehicle calls it from one thread at a time.
 */
public final class Euicc {

  /** A profile on the eUICC. */
  public record Profile(String iccid, String cmpUserId, VehicleProfileStatus status) {}

  private final String eid;
  private final int capacity;
  private final Map<String, Profile> profiles = new LinkedHashMap<>();

  public Euicc(String eid, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("an eUICC has room for at least one profile");
    }
    this.eid = eid;
    this.capacity = capacity;
  }

  public String eid() {
    return eid;
  }

  public int capacity() {
    return capacity;
  }

  /** Installs a downloaded profile, disabled; 6A84 when the eUICC is full. */
  public int install(String iccid, String cmpUserId) {
    if (profiles.containsKey(iccid)) {
      profiles.put(iccid, new Profile(iccid, cmpUserId, profiles.get(iccid).status()));
      return StatusWord.OK;
    }
    if (profiles.size() >= capacity) {
      return StatusWord.NOT_ENOUGH_MEMORY;
    }
    profiles.put(iccid, new Profile(iccid, cmpUserId, VehicleProfileStatus.DISABLED));
    return StatusWord.OK;
  }

  /** Enables {@code iccid}; the profile enabled before (if another) is disabled. */
  public int enable(String iccid) {
    Profile p = profiles.get(iccid);
    if (p == null) {
      return StatusWord.REFERENCED_DATA_NOT_FOUND;
    }
    enabled().filter(e -> !e.iccid().equals(iccid)).ifPresent(e -> set(e, VehicleProfileStatus.DISABLED));
    set(p, VehicleProfileStatus.ENABLED);
    return StatusWord.OK;
  }

  public int disable(String iccid) {
    Profile p = profiles.get(iccid);
    if (p == null) {
      return StatusWord.REFERENCED_DATA_NOT_FOUND;
    }
    set(p, VehicleProfileStatus.DISABLED);
    return StatusWord.OK;
  }

  /** Deletes a profile (an enabled one is disabled first). */
  public int delete(String iccid) {
    return profiles.remove(iccid) == null ? StatusWord.REFERENCED_DATA_NOT_FOUND : StatusWord.OK;
  }

  /** Deletes every profile; the ones that were there. */
  public List<Profile> deleteAll() {
    List<Profile> gone = new ArrayList<>(profiles.values());
    profiles.clear();
    return gone;
  }

  public Optional<Profile> profile(String iccid) {
    return Optional.ofNullable(profiles.get(iccid));
  }

  /** The profile of {@code cmpUserId}, the latest installed if there are several. */
  public Optional<Profile> profileOf(String cmpUserId) {
    Profile found = null;
    for (Profile p : profiles.values()) {
      if (p.cmpUserId().equals(cmpUserId)) {
        found = p;
      }
    }
    return Optional.ofNullable(found);
  }

  public Optional<Profile> enabled() {
    return profiles.values().stream().filter(p -> p.status() == VehicleProfileStatus.ENABLED).findFirst();
  }

  public List<Profile> profiles() {
    return List.copyOf(profiles.values());
  }

  private void set(Profile p, VehicleProfileStatus status) {
    profiles.put(p.iccid(), new Profile(p.iccid(), p.cmpUserId(), status));
  }
}
