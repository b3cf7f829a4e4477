package org.aidcmp.deploy.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One process of the drill (a Kafka node, a service instance, a simulator): a JVM on the test classpath, its
 * output in a log file of its own, stopped with SIGKILL ({@link #kill9}) or SIGTERM ({@link #stop}).
 */
final class Proc {
  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private Process process;

  Proc(String name, String mainClass, List<String> args, Map<String, String> env, Path logs, String heap) {
    this.name = name;
    List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", classpath(), mainClass));
    c.addAll(args);
    this.command = List.copyOf(c);
    this.env = Map.copyOf(env);
    this.log = logs.resolve(name + ".log");
  }

  /** The test JVM's classpath (surefire's booter jar hides it in this property). */
  static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  synchronized Proc start() {
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(log, "---- start " + java.time.Instant.now() + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      process = pb.start();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** kill -9: no shutdown hook, no clean close. */
  synchronized void kill9() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM and a bounded wait; SIGKILL after it. */
  synchronized void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the log since the last start has a line matching {@code pattern}; false after the bound. */
  boolean awaitLine(Pattern pattern, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      String out = output();
      String sinceStart = out.substring(Math.max(0, out.lastIndexOf("---- start ")));
      if (pattern.matcher(sinceStart).find()) {
        return true;
      }
      if (!alive()) {
        return false;
      }
      Thread.sleep(200);
    }
    return false;
  }
}
