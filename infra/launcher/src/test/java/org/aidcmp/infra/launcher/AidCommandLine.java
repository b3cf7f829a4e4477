package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The {@code aid} command line as a user runs it, with {@code --config}: what it printed, its exit code checked. */
final class AidCommandLine {
  private AidCommandLine() {}

  static String run(int exitCode, Path config, String... args) throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = config.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int code = new Aid(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(all);
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output).isEqualTo(exitCode);
    return output;
  }
}
