package org.aidcmp.projections.read;

import org.aidcmp.projections.Database;
import org.aidcmp.projections.ProjectionsSettings;
import org.jdbi.v3.core.Jdbi;

/** The read side the query API is mounted on: the user's, customer care's and operations' views. */
public record ProjectionReads(UserViews users, CareViews care, OperationsViews operations) {
  public static ProjectionReads on(Jdbi jdbi) {
    return new ProjectionReads(new UserViews(jdbi), new CareViews(jdbi), new OperationsViews(jdbi));
  }

  /** On the configured schema, without migrating it (the projector owns it). */
  public static ProjectionReads connect(ProjectionsSettings settings) {
    return on(Database.connect(settings));
  }
}
