package org.aidcmp.infra.postgres;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code initdb}, {@code pg_ctl} and {@code postgres} refuse to run as root. When this JVM is root
 * (our build machines and CI are), each of them is started inside a new user namespace, where it is
 * user 65534 ("nobody") while the kernel still sees the JVM's own uid: files it creates are owned by
 * root on disk and appear as its own inside the namespace, so PostgreSQL's data-directory ownership
 * check passes on every restart and nothing needs chown. Not root: commands run as they are.
 *
 * <p>The prefix is found by trying it once ({@code id -u} must print a non-zero uid): {@code unshare
 * --map-user} needs util-linux 2.38 or newer, older ones get the unmapped {@code unshare --user}, in
 * which the process shows up as the same overflow uid 65534.
 */
final class UnprivilegedCommand {

  static final String NAMESPACE_UID = "65534";
  private static List<String> prefix;

  private UnprivilegedCommand() {}

  /** {@code command} prefixed so that it does not run as root. */
  static List<String> of(List<String> command) {
    List<String> full = new ArrayList<>(prefix());
    full.addAll(command);
    return full;
  }

  static synchronized List<String> prefix() {
    if (prefix == null) {
      prefix = findPrefix();
    }
    return prefix;
  }

  static boolean runningAsRoot() {
    return new UnixSystem().getUid() == 0;
  }

  private static List<String> findPrefix() {
    if (!runningAsRoot()) {
      return List.of();
    }
    List<List<String>> candidates = List.of(
        List.of("unshare", "--user", "--map-user=" + NAMESPACE_UID, "--map-group=" + NAMESPACE_UID),
        List.of("unshare", "--user"));
    for (List<String> candidate : candidates) {
      if (runsAsNonRoot(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("This JVM runs as root and PostgreSQL refuses to; running it in a user "
        + "namespace ('unshare --user' from util-linux) failed here (is util-linux installed, are user "
        + "namespaces enabled: sysctl user.max_user_namespaces > 0?). Run the JVM as a non-root user instead.");
  }

  private static boolean runsAsNonRoot(List<String> candidate) {
    List<String> probe = new ArrayList<>(candidate);
    probe.addAll(List.of("id", "-u"));
    try {
      Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.exitValue() == 0 && uid.matches("\\d+") && !uid.equals("0");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
