package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.config.AidConfig;

/**
 * One service in a child JVM, as an orchestrator runs it: {@code aid --config FILE run SERVICE} on this process's
 * classpath, its configuration written to {@code FILE} (owner-only: it holds the platform's secrets), its output
 * appended to a log file of its own, its {@code /health/ready} on a loopback port of its own. Stopped by SIGKILL
 * ({@link #kill9}: no shutdown hook, no clean close) or SIGTERM ({@link #close}). For the fault drills.
 */
final class ServiceProcess implements AutoCloseable {
  /** Settings of this JVM the child gets too: the log format {@code ./aid} sets. */
  private static final List<String> INHERITED = List.of("slf4j.provider", "slf4j.internal.verbosity");

  private final AidService service;
  private final Path configFile;
  private final Path log;
  private final String heap;
  private final int managementPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;

  /**
   * {@code config}: what the child runs on (every key written to {@code configFile}); {@code log}: where its output goes (appended, one header per start).
   */
  ServiceProcess(AidService service, AidConfig config, Path configFile, Path log, String heap) throws IOException {
    this.managementPort = SimulatedMsps.freePort();
    this.service = service;
    this.configFile = configFile;
    this.log = log;
    this.heap = heap;
    write(config);
  }

  private void write(AidConfig config) {
    Map<String, String> sorted = new TreeMap<>();
    config.keys().forEach(k -> sorted.put(k, config.get(k).orElse("")));
    try {
      Files.createDirectories(configFile.toAbsolutePath().getParent());
      Files.deleteIfExists(configFile);
      Files.createFile(configFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      java.util.Properties properties = new java.util.Properties();
      properties.putAll(sorted);
      try (Writer w = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
        properties.store(w, "aid run " + service.id() + " (a fault drill's child process)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile, e);
    }
  }

  /**
   * Starts the child (a new JVM each time) with {@code settings} over the file's (as environment variables, which
   * win over the file as they do for any {@code aid} command), and its management endpoint on its own port.
   */
  synchronized ServiceProcess start(Map<String, String> settings) {
    if (alive()) {
      throw new IllegalStateException(service.id() + " is running already (pid " + process.pid() + ")");
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-XX:+UseSerialGC"));
    for (String p : INHERITED) {
      String value = System.getProperty(p);
      if (value != null) {
        command.add("-D" + p + "=" + value);
      }
    }
    // Under surefire the classpath is in this property (its booter jar stands in java.class.path).
    command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        Aid.class.getName(), "--config", configFile.toString(), "run", service.id()));
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      Files.writeString(log, "---- start " + Instant.now() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      Map<String, String> env = new TreeMap<>(settings);
      env.put("management.host", "127.0.0.1");
      env.put("management.port", String.valueOf(managementPort));
      env.forEach((key, value) -> builder.environment().put(AidConfig.environmentName(key), value));
      process = builder.start();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + service.id(), e);
    }
  }

  /** kill -9 of the child (SIGKILL: no shutdown hook, nothing flushed or committed), waited for (bounded). */
  synchronized void kill9() throws InterruptedException {
    if (alive()) {
      process.destroyForcibly();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(service.id() + " (pid " + process.pid() + ") still alive 30 s after SIGKILL");
      }
    }
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  Path log() {
    return log;
  }

  /** Whether its {@code /health/ready} answers 200 now (RUNNING, no store restoring, for lifecycle-streams). */
  boolean ready() {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
        .timeout(Duration.ofSeconds(2)).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening (yet)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Polls {@link #ready()} until it holds; an error, naming the log, when the child exits or the bound passes. */
  void awaitReady(Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!ready()) {
      if (!alive()) {
        throw new IllegalStateException(service.id() + " exited (" + process.exitValue() + "); see " + log);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(service.id() + " not ready within " + bound + "; see " + log);
      }
      Thread.sleep(100);
    }
  }

  /** SIGTERM (its clean stop) and a bounded wait; SIGKILL after it. */
  @Override
  public synchronized void close() throws InterruptedException {
    if (alive()) {
      process.destroy();
      if (!process.waitFor(45, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
      }
    }
  }
}
