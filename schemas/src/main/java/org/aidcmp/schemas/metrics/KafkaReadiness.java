package org.aidcmp.schemas.metrics;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Whether a Kafka client has reached the cluster, from its own metrics: it has opened a connection to a broker
 * ({@code connection-creation-total} above zero). Not the open-connection count: an idle producer closes its
 * connections after {@code connections.max.idle.ms} and is still fine; a client that never connected is not.
 */
public final class KafkaReadiness {
  private KafkaReadiness() {}

  public static boolean connected(Map<MetricName, ? extends Metric> metrics) {
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      MetricName name = e.getKey();
      if (name.name().equals("connection-creation-total") && name.group().endsWith("-metrics")
          && !name.group().contains("node") && e.getValue().metricValue() instanceof Number n && n.doubleValue() > 0) {
        return true;
      }
    }
    return false;
  }
}
