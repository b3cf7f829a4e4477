package org.aidcmp.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image Jib wrote (deploy/target/jib-image.tar; built by -Pimage, so without it these tests are skipped):
 * its entry point, environment and ports agree with the manifests and the configuration, and its layers hold a
 * classpath on which this machine's JVM runs {@code aid help} (an image on the scratch base has no JVM of its
 * own, so that is as far as a machine without Docker goes).
 */
class ImageContentsTest {
  private static final Path TAR = Manifests.DEPLOY.resolve("target/jib-image.tar");
  private static JsonNode manifest;
  private static JsonNode config;
  private static final Map<String, byte[]> files = new HashMap<>();

  @BeforeAll
  static void read() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(TAR),
        "no image: build it with mvn -B -Pimage -pl deploy -am package (-Dimage.base=scratch without a registry)");
    ObjectMapper json = new ObjectMapper();
    Map<String, byte[]> entries = Tar.read(Files.newInputStream(TAR));
    manifest = json.readTree(entries.get("manifest.json")).get(0);
    config = json.readTree(entries.get(manifest.get("Config").asText()));
    for (JsonNode layer : manifest.get("Layers")) {
      try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(entries.get(layer.asText())))) {
        files.putAll(Tar.read(in));
      }
    }
  }

  @Test
  void theEntryPointIsAidAndTheEnvironmentAndPortsAgreeWithTheManifests() {
    assertThat(manifest.get("RepoTags").get(0).asText()).startsWith("aid-cmp:");
    List<String> entrypoint = new ArrayList<>();
    config.at("/config/Entrypoint").forEach(n -> entrypoint.add(n.asText()));
    assertThat(entrypoint).first().isEqualTo("java");
    assertThat(entrypoint).last().isEqualTo("org.aidcmp.infra.launcher.Aid");
    List<String> env = new ArrayList<>();
    config.at("/config/Env").forEach(n -> env.add(n.asText()));
    assertThat(env).contains("AID_CONFIG=/etc/aid/aid.properties", "AID_MANAGEMENT_PORT=19100");
    var properties = Manifests.configuration();
    List<String> ports = new ArrayList<>();
    config.at("/config/ExposedPorts").fieldNames().forEachRemaining(ports::add);
    assertThat(ports).containsExactlyInAnyOrder("19100/tcp", properties.getProperty("ingress.aid1.msp.port") + "/tcp",
        properties.getProperty("ingress.aid1.touchpoint.port") + "/tcp");
    // The manifests' management port is the image's.
    Object compose = Manifests.load(Manifests.DEPLOY.resolve("compose/compose.yaml"));
    assertThat(String.valueOf(Manifests.at(compose, "x-aid-env", "AID_MANAGEMENT_PORT"))).isEqualTo("19100");
  }

  @Test
  void theLayersHoldEveryServiceAndTheDefaultConfiguration() {
    assertThat(files).containsKey("etc/aid/aid.properties");
    assertThat(new String(files.get("etc/aid/aid.properties"), StandardCharsets.UTF_8))
        .contains("ingress.aid1.msp.port=");
    List<String> classpath = classpath();
    for (String module : List.of("aid-launcher", "aid-lifecycle-streams", "aid-ingress-aid1", "aid-ingress-aid2",
        "aid-egress", "aid-projections", "aid-config", "aid-schemas")) {
      assertThat(classpath).as(module).anyMatch(e -> e.startsWith("/app/libs/" + module));
    }
    for (String entry : classpath) {
      if (entry.endsWith(".jar")) {
        assertThat(files).as(entry + " on the classpath but not in a layer").containsKey(entry.substring(1));
      }
    }
  }

  @Test
  void thisMachinesJvmRunsAidHelpFromTheLayers(@TempDir Path dir) throws Exception {
    for (var e : files.entrySet()) {
      if (e.getKey().startsWith("app/")) {
        Path target = dir.resolve(e.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, e.getValue());
      }
    }
    String cp = String.join(java.io.File.pathSeparator,
        classpath().stream().map(entry -> dir.resolve(entry.substring(1)).toString()).toList());
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-cp", cp, "org.aidcmp.infra.launcher.Aid", "help").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("usage: aid");
  }

  private static List<String> classpath() {
    byte[] file = files.get("app/jib-classpath-file");
    assertThat(file).as("Jib's classpath file").isNotNull();
    return List.of(new String(file, StandardCharsets.UTF_8).trim().split(":"));
  }

  /** Just enough of (ustar / GNU) tar to read the files of an image archive and its layers. */
  static final class Tar {
    static Map<String, byte[]> read(InputStream raw) throws IOException {
      Map<String, byte[]> out = new HashMap<>();
      try (InputStream in = new java.io.BufferedInputStream(raw)) {
        byte[] header = new byte[512];
        String longName = null;
        while (in.readNBytes(header, 0, 512) == 512) {
          if (header[0] == 0) {
            break;
          }
          String name = field(header, 0, 100);
          String prefix = field(header, 345, 155);
          long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
          char type = (char) header[156];
          byte[] data = in.readNBytes((int) size);
          in.skipNBytes((512 - size % 512) % 512);
          if (type == 'L') {
            longName = new String(data, StandardCharsets.UTF_8).replace("\0", "");
            continue;
          }
          if (type == 'x') { // PAX: records "LEN key=value\n", of which the path may be the next entry's name
            for (String record : new String(data, StandardCharsets.UTF_8).split("\n")) {
              int space = record.indexOf(' ');
              if (space > 0 && record.startsWith("path=", space + 1)) {
                longName = record.substring(space + 1 + "path=".length());
              }
            }
            continue;
          }
          String full = longName != null ? longName : (prefix.isEmpty() ? name : prefix + "/" + name);
          longName = null;
          if (type == '0' || type == 0) {
            out.put(full.startsWith("./") ? full.substring(2) : full.startsWith("/") ? full.substring(1) : full, data);
          }
        }
      }
      return out;
    }

    private static String field(byte[] header, int offset, int length) {
      int end = offset;
      while (end < offset + length && header[end] != 0) {
        end++;
      }
      return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }
  }
}
