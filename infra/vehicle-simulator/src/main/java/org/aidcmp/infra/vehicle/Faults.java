package org.aidcmp.infra.vehicle;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.aidcmp.schemas.common.DownloadInstallResult;

/**
 * Failures to inject into a vehicle: the next install, enable or disable fails as told (queued, one per
 * operation), or each fails with a given probability (for fleet runs). Thread-safe.
 */
public final class Faults {

  /**
   * A failed download or install: its DownloadInstallResult (§7.2.3), FunctionExecutionStatus (SGP.22 §6.5.1.4,
   * JSON) and csimErrorCode (null for none).
   */
  public record InstallFailure(DownloadInstallResult result, String functionExecutionStatus, Integer csimErrorCode) {
    public InstallFailure {
      if (result == DownloadInstallResult.SUCCESS) {
        throw new IllegalArgumentException("a failure is not SUCCESS");
      }
    }

    /** The SM-DP+ could not be reached. */
    public static InstallFailure smdpUnreachable() {
      return new InstallFailure(DownloadInstallResult.PROFILE_DOWNLOAD_FAILED_SMDP_COMMUNICATION_ERROR,
          failed("8.8.5", "4.2", "SM-DP+ not reachable"), null);
    }

    /** The SM-DP+ refused the activation code (unknown, used, bound to another EID). */
    public static InstallFailure smdpRefused() {
      return new InstallFailure(DownloadInstallResult.PROFILE_DOWNLOAD_FAILED_SMDP_DOWNLOAD_ERROR,
          failed("8.2.6", "3.8", "Refused by the SM-DP+"), null);
    }

    /** Downloaded, but the eUICC has no room: 6A84. */
    public static InstallFailure euiccFull() {
      return new InstallFailure(DownloadInstallResult.PROFILE_INSTALLATION_FAILED,
          failed("8.1", "4.8", "Insufficient memory"), StatusWord.NOT_ENOUGH_MEMORY);
    }

    /** The FunctionExecutionStatus of a failure, as SGP.22 §6.5.1.4 spells it. */
    public static String failed(String subjectCode, String reasonCode, String message) {
      return "{\"status\":\"Failed\",\"statusCodeData\":{\"subjectCode\":\"" + subjectCode + "\",\"reasonCode\":\""
          + reasonCode + "\",\"message\":\"" + message + "\"}}";
    }
  }

  private final Deque<InstallFailure> installs = new ArrayDeque<>();
  private final Deque<Integer> enables = new ArrayDeque<>();
  private final Deque<Integer> disables = new ArrayDeque<>();
  private volatile double installRate;
  private volatile double enableRate;
  private volatile double disableRate;
  private final RandomGenerator random;

  public Faults() {
    this(RandomGenerator.getDefault());
  }

  public Faults(RandomGenerator random) {
    this.random = random;
  }

  public synchronized Faults failNextInstall(InstallFailure failure) {
    installs.add(failure);
    return this;
  }

  /** The next enable answers {@code statusWord} (e.g. {@link StatusWord#NOT_ENOUGH_MEMORY}). */
  public synchronized Faults failNextEnable(int statusWord) {
    enables.add(statusWord);
    return this;
  }

  public synchronized Faults failNextDisable(int statusWord) {
    disables.add(statusWord);
    return this;
  }

  /** Each install, enable, disable fails with these probabilities (0 to 1). */
  public Faults rates(double install, double enable, double disable) {
    for (double rate : new double[] {install, enable, disable}) {
      if (rate < 0 || rate > 1) {
        throw new IllegalArgumentException("a failure rate is between 0 and 1, not " + rate);
      }
    }
    this.installRate = install;
    this.enableRate = enable;
    this.disableRate = disable;
    return this;
  }

  synchronized Optional<InstallFailure> install() {
    if (!installs.isEmpty()) {
      return Optional.of(installs.poll());
    }
    return chance(installRate)
        ? Optional.of(new InstallFailure(DownloadInstallResult.FAILED, InstallFailure.failed("8.1", "1.1",
            "Simulated failure"), null))
        : Optional.empty();
  }

  synchronized Optional<Integer> enable() {
    return !enables.isEmpty() ? Optional.of(enables.poll())
        : chance(enableRate) ? Optional.of(StatusWord.CONDITIONS_NOT_SATISFIED) : Optional.empty();
  }

  synchronized Optional<Integer> disable() {
    return !disables.isEmpty() ? Optional.of(disables.poll())
        : chance(disableRate) ? Optional.of(StatusWord.CONDITIONS_NOT_SATISFIED) : Optional.empty();
  }

  private boolean chance(double rate) {
    return rate > 0 && random.nextDouble() < rate;
  }
}
