package org.aidcmp.infra.launcher.demo;

/** One thing a step checked, whether it held, and what was seen (never a secret, phone number or token). */
public record Check(String what, boolean passed, String observed) {}
