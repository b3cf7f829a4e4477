package org.aidcmp.lifecycle.route;

import org.aidcmp.schemas.aid1.Aid1Inbound;

/** A Send MSP token that waited for its sid's route: the route came, or the wait is over (the processor says). */
public record AwaitedRoute(Aid1Inbound call) {}
