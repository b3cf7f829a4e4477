package org.aidcmp.schemas.metrics;

/**
 * The names of the platform's own meters, in Micrometer's dotted style (Prometheus shows {@code aid.dead.letters}
 * as {@code aid_dead_letters_total}), named once for every service that counts them and for the dashboard
 * (infra/observability). Each service counts into Micrometer's global registry; the process that runs it adds the
 * Prometheus registry its {@code /metrics} serves (docs/architecture.md, Operations).
 */
public final class AidMeters {
  private AidMeters() {}

  /** Counter, tag {@code stage}: records written to aid.dlq.v1, by the stage that gave up on them. */
  public static final String DEAD_LETTERS = "aid.dead.letters";
  /** Timer, tags {@code api} (msp, touchpoint), {@code function} (the route), {@code status}: ingress-aid1's HTTP answers. */
  public static final String INGRESS_REQUESTS = "aid.ingress.requests";
  /** Counter, tag {@code outcome} (replied, timed-out): the topology's replies ingress-aid1 waited for. */
  public static final String INGRESS_REPLIES = "aid.ingress.replies";
  /** Counter, tags {@code flow} (onboarding, activation-code, profile-install), {@code outcome}, {@code reason}. */
  public static final String FLOWS = "aid.provisioning.flows";
  /** Timer: ActivationCodeRequested to ActivationCodeReceived (§4.3 [1] to [5]), as the events say. */
  public static final String ACTIVATION_CODE_ROUND_TRIP = "aid.activation.code.round.trip";
}
