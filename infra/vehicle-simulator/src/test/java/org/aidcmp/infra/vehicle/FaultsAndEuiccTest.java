package org.aidcmp.infra.vehicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.junit.jupiter.api.Test;

/** The eUICC's rules (at most one enabled, 6A84 when full, 6A88 for no such profile) and the injected failures. */
class FaultsAndEuiccTest {

  @Test
  void atMostOneProfileEnabled_fullIs6A84_unknownIs6A88() {
    Euicc euicc = new Euicc("89049032000000000000000000000001", 2);
    assertThat(euicc.install("8949000000000000001", "u1")).isEqualTo(StatusWord.OK);
    assertThat(euicc.install("8949000000000000002", "u2")).isEqualTo(StatusWord.OK);
    assertThat(euicc.install("8949000000000000003", "u3")).isEqualTo(StatusWord.NOT_ENOUGH_MEMORY);
    assertThat(euicc.enable("8949000000000000001")).isEqualTo(StatusWord.OK);
    assertThat(euicc.enable("8949000000000000002")).isEqualTo(StatusWord.OK);
    assertThat(euicc.profiles()).extracting(Euicc.Profile::status)
        .containsExactly(VehicleProfileStatus.DISABLED, VehicleProfileStatus.ENABLED);
    assertThat(euicc.enable("8949000000000000009")).isEqualTo(StatusWord.REFERENCED_DATA_NOT_FOUND);
    assertThat(euicc.delete("8949000000000000002")).isEqualTo(StatusWord.OK);
    assertThat(euicc.enabled()).isEmpty();
    assertThat(euicc.deleteAll()).hasSize(1);
    assertThat(StatusWord.hex(0x6A84)).isEqualTo("6A84");
    assertThat(StatusWord.parse("0x6985")).isEqualTo(0x6985);
  }

  @Test
  void queuedFailuresComeFirstThenRatesApply() {
    Faults faults = new Faults(new SplittableRandom(7)).rates(0.3, 0, 1);
    faults.failNextInstall(Faults.InstallFailure.euiccFull()).failNextEnable(StatusWord.NOT_ENOUGH_MEMORY);
    assertThat(faults.install()).hasValueSatisfying(f ->
        assertThat(f.result()).isEqualTo(DownloadInstallResult.PROFILE_INSTALLATION_FAILED));
    assertThat(faults.enable()).contains(StatusWord.NOT_ENOUGH_MEMORY);
    assertThat(faults.enable()).as("rate 0").isEmpty();
    assertThat(faults.disable()).as("rate 1").contains(StatusWord.CONDITIONS_NOT_SATISFIED);
    int failed = 0;
    for (int i = 0; i < 10_000; i++) {
      failed += faults.install().isPresent() ? 1 : 0;
    }
    assertThat(failed).as("about 30 % of 10 000").isBetween(2_700, 3_300);
    assertThatThrownBy(() -> faults.rates(1.5, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Faults.InstallFailure(DownloadInstallResult.SUCCESS, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
