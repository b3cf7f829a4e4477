package org.aidcmp.infra.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The platform's configuration: one properties file plus environment overrides. A key's environment
 * variable is the key in upper case with dots as underscores, prefixed with {@code AID_} where it does not
 * start with it already ({@code kafka.bootstrap.servers} is {@code AID_KAFKA_BOOTSTRAP_SERVERS}). A key the file
 * does not have can be set by its variable alone, e.g. an MSP's secret ({@code AID_MSP_MSP_A_API_KEY}).
 */
public final class AidConfig {
  public static final Path DEFAULT_FILE = Path.of("config", "aid.properties");

  private final Map<String, String> values;
  /** The AID_ variables, for keys the file does not have. */
  private final Map<String, String> environment;

  private AidConfig(Map<String, String> values, Map<String, String> environment) {
    this.values = Map.copyOf(values);
    this.environment = Map.copyOf(environment);
  }

  /** The file's keys, each overridden by its environment variable where that is set. */
  public static AidConfig load(Path file, Map<String, String> environment) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read configuration " + file, e);
    }
    Map<String, String> values = new HashMap<>();
    properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key).trim()));
    values.replaceAll((key, value) -> environment.getOrDefault(environmentName(key), value));
    Map<String, String> aid = new HashMap<>();
    environment.forEach((name, value) -> {
      if (name.startsWith("AID_") && value != null) {
        aid.put(name, value);
      }
    });
    return new AidConfig(values, aid);
  }

  public static AidConfig of(Map<String, String> values) {
    return new AidConfig(values, Map.of());
  }

  /** This configuration with some keys set, e.g. free ports for a test. */
  public AidConfig with(Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>(values);
    merged.putAll(overrides);
    return new AidConfig(merged, environment);
  }

  /** The environment variable that overrides {@code key}. */
  public static String environmentName(String key) {
    String name = key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    return name.startsWith("AID_") ? name : "AID_" + name;
  }

  /** The value, or empty when the key is missing or blank. */
  public Optional<String> get(String key) {
    String value = values.containsKey(key) ? values.get(key) : environment.get(environmentName(key));
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  public String require(String key) {
    return get(key).orElseThrow(() -> new IllegalArgumentException(
        "configuration " + key + " (or " + environmentName(key) + ") is required"));
  }

  /** Every non-empty key under {@code prefix}, without it: e.g. a client's own settings passed through. */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> found = new java.util.TreeMap<>();
    values.forEach((key, value) -> {
      if (key.startsWith(prefix) && key.length() > prefix.length() && value != null && !value.isBlank()) {
        found.put(key.substring(prefix.length()), value);
      }
    });
    return found;
  }

  /** The keys this configuration holds (the file's and those set by {@link #with}), not the environment's. */
  public java.util.Set<String> keys() {
    return java.util.Set.copyOf(values.keySet());
  }

  public int getInt(String key, int defaultValue) {
    String value = get(key).orElse(null);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("configuration " + key + " must be a number, not '" + value + "'", e);
    }
  }

  /** Every key and value, sorted; values of keys that look secret are masked. */
  public Map<String, String> describe() {
    Map<String, String> described = new TreeMap<>();
    values.forEach((key, value) -> described.put(key, isSecret(key) && !value.isEmpty() ? "****" : value));
    return described;
  }

  private static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("user.info") || k.contains("key");
  }
}
