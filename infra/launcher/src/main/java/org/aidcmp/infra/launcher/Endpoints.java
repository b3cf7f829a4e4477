package org.aidcmp.infra.launcher;

import java.util.LinkedHashMap;
import java.util.Map;

/** Where the platform's backing services are: embedded ones on loopback, or external ones in production. */
public record Endpoints(
    String kafkaBootstrapServers,
    String schemaRegistryUrl,
    String postgresJdbcUrl,
    String postgresUser,
    String postgresPassword,
    String mqttServerUri,
    String mqttTlsServerUri) {

  /** For printing: no passwords. */
  public Map<String, String> describe() {
    Map<String, String> lines = new LinkedHashMap<>();
    lines.put("Kafka bootstrap servers", kafkaBootstrapServers);
    lines.put("Schema registry", schemaRegistryUrl);
    lines.put("PostgreSQL", postgresJdbcUrl + " (user " + postgresUser + ")");
    lines.put("MQTT 5 broker", mqttServerUri);
    if (mqttTlsServerUri != null) {
      lines.put("MQTT 5 broker (TLS)", mqttTlsServerUri);
    }
    return lines;
  }
}
