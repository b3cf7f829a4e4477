package org.aidcmp.egress;

/** How a command's calls ended: the last response, or the error that ended the last attempt. */
record CallOutcome(MspResponse response, Throwable failure, int attempts) {}
