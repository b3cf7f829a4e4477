package org.aidcmp.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.ConfigKeys;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reading the deployment files the way their tools do (YAML with anchors and merge keys), for the tests. */
final class Manifests {
  /** The services `aid run SERVICE` starts, each to run twice. */
  static final List<String> SERVICES =
      List.of("lifecycle-streams", "ingress-aid1", "ingress-aid2", "egress-msp", "egress-downlink", "projections");

  /** The variable the launcher reads for its configuration file: not a configuration key itself. */
  static final String CONFIG_VARIABLE = "AID_CONFIG";

  static final Path DEPLOY = Path.of(System.getProperty("user.dir"));
  static final Path ROOT = DEPLOY.getParent();

  private Manifests() {}

  static Object load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return yaml().load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Map<String, Object>> loadAll(Path file) {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (Object doc : yaml().loadAll(in)) {
        if (doc != null) {
          docs.add(map(doc));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(new SafeConstructor(options));
  }

  /** The repository's configuration file. */
  static Properties configuration() {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(ROOT.resolve("config/aid.properties"))) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** The configuration key an AID_* variable sets (one the platform reads: {@link ConfigKeys}), or null. */
  static String keyOf(String variable) {
    return ConfigKeys.KNOWN.stream().filter(k -> AidConfig.environmentName(k).equals(variable)).findFirst().orElse(null);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    if (!(o instanceof Map)) {
      throw new AssertionError("expected a mapping, got " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    if (!(o instanceof List)) {
      throw new AssertionError("expected a sequence, got " + o);
    }
    return (List<Object>) o;
  }

  /** A path of keys into nested mappings. */
  static Object at(Object root, String... keys) {
    Object o = root;
    for (String k : keys) {
      o = o == null ? null : map(o).get(k);
    }
    return o;
  }
}
