package org.aidcmp.lifecycle.provisioning;

/** The processor's wall clock says an AC request's deadline (§7.1.8.2) is over. */
public record ActivationCodeDeadlinePassed(String activationCodeRequestId) {}
