package org.aidcmp.infra.config;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every configuration key the platform reads, named once, so a misspelt key stops a start with a line that names
 * it instead of being ignored while its default quietly applies. Keys are exact, or an MSP's field
 * ({@code msp.<id>.<field>}), or under a prefix whose keys are a Kafka client's own settings, passed through.
 * Only keys the configuration holds are checked (an {@code AID_*} variable may belong to anything).
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  /** The exact keys. */
  public static final Set<String> KNOWN = Set.of(
      "aid.data.dir", "aid.topics.partitions", "aid.topics.replication.factor", "aid.instance-id",
      "kafka.bootstrap.servers", "kafka.embedded.port",
      "schema.registry.url", "schema.registry.basic.auth.user.info", "schema.registry.embedded.port",
      "postgres.jdbc.url", "postgres.user", "postgres.password", "postgres.database", "postgres.embedded.port",
      "mqtt.server.uri", "mqtt.tls.server.uri", "mqtt.embedded.port", "mqtt.embedded.tls.port", "mqtt.tls.trusted",
      "cmp.id", "cmp.phone-key", "cmp.phone-key-id", "msp.ids",
      "lifecycle.application-id", "lifecycle.state-dir", "lifecycle.instance-id",
      "lifecycle.activation-code-deadline-seconds", "lifecycle.route-wait-ms",
      "ingress.aid1.host", "ingress.aid1.msp.port", "ingress.aid1.touchpoint.port", "ingress.aid1.tls.keystore",
      "ingress.aid1.tls.keystore-password", "ingress.aid1.reply-timeout-ms", "ingress.aid1.retry-after-seconds",
      "ingress.aid1.max-body-bytes", "ingress.aid1.account-id-ttl-seconds", "ingress.aid1.cmp-return-url",
      "ingress.aid2.server.uri", "ingress.aid2.instance-id", "ingress.aid2.username", "ingress.aid2.password",
      "ingress.aid2.tls.trusted", "ingress.aid2.tls.identity", "ingress.aid2.session-expiry-seconds",
      "ingress.aid2.receive-maximum", "ingress.aid2.retry-backoff-ms",
      "egress.tls.identity", "egress.tls.trusted", "egress.group.id", "egress.call.timeout.ms",
      "egress.max.attempts", "egress.state-dir",
      "downlink.group.id", "downlink.mqtt.client-id", "downlink.mqtt.username", "downlink.mqtt.password",
      "downlink.mqtt.tls.trusted", "downlink.mqtt.tls.identity", "downlink.max-in-flight",
      "downlink.commit.interval.ms",
      "projections.schema", "projections.poll-ms", "projections.max-poll-records",
      "oidc.issuer", "oidc.jwks-url", "oidc.audience", "oidc.roles-claim", "oidc.fleet-role", "oidc.care-role",
      "oidc.operations-role", "oidc.local.port",
      "management.host", "management.port", "log.format");

  /** An MSP's fields (infra/config MspRegistry). */
  public static final Set<String> MSP_FIELDS = Set.of(
      "client-id", "base-url", "outbound-auth", "api-key", "basic-user", "basic-password", "inbound-api-key",
      "client-certificate-sha256", "account-id-secret", "phone-key", "phone-cipher", "redirect-domains",
      "touchpoint-url", "withdraw-url", "csim-statuses", "server-ca", "client-identity");

  /** Prefixes whose keys are a Kafka client's own settings, passed through unchecked. */
  public static final List<String> PASS_THROUGH = List.of(
      "lifecycle.streams.", "ingress.aid2.producer.", "downlink.consumer.");

  /** The namespaces the platform owns: a key under one that is not known is an error; others are not ours. */
  public static final List<String> NAMESPACES = List.of(
      "aid.", "kafka.", "schema.registry.", "postgres.", "mqtt.", "cmp.", "msp.", "lifecycle.", "ingress.",
      "egress.", "downlink.", "projections.", "oidc.", "management.", "log.");

  /** Throws with one line naming the first unknown key (and the known key it is closest to). */
  public static void check(AidConfig config) {
    for (String key : config.keys().stream().sorted().toList()) {
      if (!known(key) && NAMESPACES.stream().anyMatch(key::startsWith)) {
        throw new IllegalArgumentException("unknown configuration key '" + key + "'"
            + closest(key).map(k -> " (did you mean '" + k + "'?)").orElse(""));
      }
    }
    String format = config.get("log.format").orElse("text");
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("configuration log.format must be text or json, not '" + format + "'");
    }
  }

  public static boolean known(String key) {
    if (KNOWN.contains(key) || PASS_THROUGH.stream().anyMatch(p -> key.startsWith(p) && key.length() > p.length())) {
      return true;
    }
    if (key.startsWith("msp.")) {
      int dot = key.indexOf('.', 4);
      return dot > 4 && MSP_FIELDS.contains(key.substring(dot + 1));
    }
    return false;
  }

  private static Optional<String> closest(String key) {
    String candidate = key.startsWith("msp.") && key.indexOf('.', 4) > 4 ? key.substring(key.indexOf('.', 4) + 1) : key;
    Set<String> pool = candidate.equals(key) ? KNOWN : MSP_FIELDS;
    return pool.stream().min(Comparator.comparingInt(k -> distance(candidate, k)))
        .filter(k -> distance(candidate, k) <= Math.max(2, candidate.length() / 4))
        .map(k -> candidate.equals(key) ? k : key.substring(0, key.indexOf('.', 4) + 1) + k);
  }

  private static int distance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int previous = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int kept = row[j];
        row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), previous + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
        previous = kept;
      }
    }
    return row[b.length()];
  }
}
