package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetBenchOptionsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    FleetBench.Options o = FleetBench.parse(List.of());
    assertThat(o.vehicles()).isEqualTo(200);
    assertThat(o.users()).isEqualTo(100);
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.out()).isEqualTo(Path.of("bench/results"));
    assertThat(o.profile()).isTrue();
    assertThat(FleetBench.USAGE).contains("--vehicles", "--duration", "--no-profile", "bench/results");
  }

  @Test
  void optionsAreRead() {
    FleetBench.Options o = FleetBench.parse(List.of("--vehicles", "40", "--users", "20", "--duration", "90s",
        "--no-profile", "--out", "target/x"));
    assertThat(o.vehicles()).isEqualTo(40);
    assertThat(o.users()).isEqualTo(20);
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(o.profile()).isFalse();
    assertThat(o.out()).isEqualTo(Path.of("target/x"));
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> FleetBench.parse(List.of("--vehicle", "3"))).hasMessageContaining("'--vehicle'");
    assertThatThrownBy(() -> FleetBench.parse(List.of("--users", "1"))).hasMessageContaining("--users");
    assertThatThrownBy(() -> FleetBench.parse(List.of("--duration", "soon"))).hasMessageContaining("--duration");
    assertThatThrownBy(() -> FleetBench.parse(List.of("--out"))).hasMessageContaining("--out needs a value");
  }
}
