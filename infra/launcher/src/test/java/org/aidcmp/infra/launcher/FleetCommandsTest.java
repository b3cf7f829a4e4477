package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code aid fleet}: its options, and the one-line errors for what it cannot use. */
class FleetCommandsTest {

  @Test
  void runTakesItsOptionsWithDefaults() {
    FleetCommands.Run run = FleetCommands.parse(List.of("run", "--vehicles", "200", "--users", "100",
        "--duration", "90s", "--tls", "--install-failures", "0.1"), List.of("msp-a", "msp-b"));
    assertThat(run.vehicles()).isEqualTo(200);
    assertThat(run.users()).isEqualTo(100);
    assertThat(run.duration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(run.msps()).containsExactly("msp-a", "msp-b");
    assertThat(run.tls()).isTrue();
    assertThat(run.installFailures()).isEqualTo(0.1);
    assertThat(run.capacity()).isEqualTo(4);
    assertThat(run.deadline()).isEqualTo(Duration.ofSeconds(60));
    assertThat(FleetCommands.parse(List.of("run", "--msp", "msp-b", "--pause", "500ms"), List.of("msp-a", "msp-b")))
        .satisfies(r -> {
          assertThat(r.msps()).containsExactly("msp-b");
          assertThat(r.pause()).isEqualTo(Duration.ofMillis(500));
          assertThat(r.tls()).isFalse();
        });
  }

  @Test
  void whatItCannotUseIsSaidInOneLine() {
    List<String> msps = List.of("msp-a");
    assertThatThrownBy(() -> FleetCommands.parse(List.of("walk"), msps)).hasMessageContaining("unknown command 'walk'");
    assertThatThrownBy(() -> FleetCommands.parse(List.of("run", "--cars", "3"), msps))
        .hasMessageContaining("'--cars' is not an option of fleet run");
    assertThatThrownBy(() -> FleetCommands.parse(List.of("run", "--vehicles"), msps))
        .hasMessage("--vehicles needs a value");
    assertThatThrownBy(() -> FleetCommands.parse(List.of("run", "--vehicles", "0"), msps))
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> FleetCommands.parse(List.of("run", "--duration", "soon"), msps))
        .hasMessageContaining("like 60s");
    assertThatThrownBy(() -> FleetCommands.parse(List.of("run", "--enable-failures", "2"), msps))
        .hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> FleetCommands.parse(List.of("run", "--msp", "msp-z"), msps))
        .hasMessageContaining("no MSP 'msp-z' configured");
    assertThatThrownBy(() -> FleetCommands.parse(List.of("run"), List.of()))
        .hasMessageContaining("no MSP to onboard users at");
  }

  @Test
  void helpNeedsNoDataDirectory() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int status = new Aid(new PrintStream(printed, true, StandardCharsets.UTF_8)).run(new String[] {"fleet", "--help"});
    assertThat(status).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("aid [--config FILE] fleet run").contains("--vehicles N");
  }
}
