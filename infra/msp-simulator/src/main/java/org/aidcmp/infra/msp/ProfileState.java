package org.aidcmp.infra.msp;

import java.util.Locale;

/** The profile states of §7.1.11, as an MSP reports them (not SGP.22's). */
public enum ProfileState {
  PREPARED, INSTALLED, ENABLED, DISABLED;

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }
}
