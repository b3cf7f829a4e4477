package org.aidcmp.schemas.compat;

import java.util.Locale;
import java.util.Optional;

/**
 * The compatibility levels of Confluent Schema Registry, with the same names and meanings, so that a
 * subject's config reads the same on our registry as on Confluent's, Apicurio's, Karapace or Redpanda.
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  /** The new schema must read data written with the earlier ones. */
  final boolean newReadsOld;
  /** The earlier schemas must read data written with the new one. */
  final boolean oldReadsNew;
  /** Against every earlier version, not just the latest. */
  final boolean transitive;

  CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
    this.newReadsOld = newReadsOld;
    this.oldReadsNew = oldReadsNew;
    this.transitive = transitive;
  }

  /** Parses a level as Confluent's REST API spells it; empty when the name is not a level. */
  public static Optional<CompatibilityLevel> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
