package org.aidcmp.infra.launcher.demo;

/**
 * One procedure of AID.02 told as a step of the demo: what happens ({@link #story}), then {@link #run}, which
 * drives it through the platform's real interfaces and records in {@link Checks} what it read back from the
 * topics, the query API and the simulators.
 */
public interface Chapter {
  /** The AID.02 section(s), e.g. "§4.3, §4.3.1". */
  String section();

  String title();

  /** What a newcomer should picture, in a sentence or two. */
  String story();

  void run(World world, Checks checks) throws Exception;
}
