package org.aidcmp.deploy;

import static org.aidcmp.deploy.Manifests.at;
import static org.aidcmp.deploy.Manifests.list;
import static org.aidcmp.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** deploy/compose/compose.yaml: what `docker compose` would run (not run here: no Docker engine). */
class ComposeFileTest {
  private final Map<String, Object> services =
      map(at(Manifests.load(Manifests.DEPLOY.resolve("compose/compose.yaml")), "services"));

  /** The compose services running {@code aid run SERVICE}, by service name. */
  private Map<String, List<String>> instances() {
    Map<String, List<String>> byService = new LinkedHashMap<>();
    services.forEach((name, def) -> {
      Object command = at(def, "command");
      if (command instanceof List<?> c && c.size() == 2 && "run".equals(c.get(0))) {
        byService.computeIfAbsent(String.valueOf(c.get(1)), k -> new java.util.ArrayList<>()).add(name);
      }
    });
    return byService;
  }

  @Test
  void everyServiceRunsTwiceAndNothingElseRunsAid() {
    Map<String, List<String>> instances = instances();
    assertThat(instances.keySet()).containsExactlyInAnyOrderElementsOf(Manifests.SERVICES);
    instances.forEach((service, names) -> assertThat(names).as(service).hasSize(2));
  }

  @Test
  void everyInstanceIsReadyOnItsManagementPortAndHasItsOwnInstanceId() {
    instances().values().stream().flatMap(List::stream).forEach(name -> {
      Map<String, Object> env = map(at(services.get(name), "environment"));
      String port = String.valueOf(env.get("AID_MANAGEMENT_PORT"));
      assertThat(port).as(name).matches("\\d+");
      assertThat(list(at(services.get(name), "healthcheck", "test")))
          .as(name).contains("http://localhost:" + port + "/health/ready");
      assertThat(env.get("AID_INSTANCE_ID")).as(name).isEqualTo(name);
    });
  }

  @Test
  void everyVariableSetsAConfigurationKey() {
    instances().values().stream().flatMap(List::stream).forEach(name -> {
      Map<String, Object> env = map(at(services.get(name), "environment"));
      env.keySet().stream().filter(v -> !v.equals(Manifests.CONFIG_VARIABLE))
          .forEach(v -> assertThat(Manifests.keyOf(v)).as(name + " sets " + v + ", which names no configuration key").isNotNull());
    });
  }

  @Test
  void ingressAid1PublishesThePortsItIsConfiguredWith() {
    var config = Manifests.configuration();
    for (String name : instances().get("ingress-aid1")) {
      Map<String, Object> env = map(at(services.get(name), "environment"));
      String msp = String.valueOf(env.get("AID_INGRESS_AID1_MSP_PORT"));
      String touchpoint = String.valueOf(env.get("AID_INGRESS_AID1_TOUCHPOINT_PORT"));
      assertThat(msp).isEqualTo(config.getProperty("ingress.aid1.msp.port"));
      assertThat(touchpoint).isEqualTo(config.getProperty("ingress.aid1.touchpoint.port"));
      List<String> containerPorts = list(at(services.get(name), "ports")).stream()
          .map(p -> String.valueOf(p).substring(String.valueOf(p).lastIndexOf(':') + 1)).toList();
      assertThat(containerPorts).as(name).containsExactlyInAnyOrder(msp, touchpoint);
      // Not on loopback inside a container, or nothing outside reaches it.
      assertThat(env.get("AID_INGRESS_AID1_HOST")).isEqualTo("0.0.0.0");
    }
  }

  @Test
  void aThreeBrokerKraftClusterWithReplicationThreeAndMinIsrTwo() {
    List<String> brokers = services.keySet().stream().filter(n -> n.startsWith("kafka-")).sorted().toList();
    assertThat(brokers).containsExactly("kafka-1", "kafka-2", "kafka-3");
    for (String b : brokers) {
      Map<String, Object> env = map(at(services.get(b), "environment"));
      assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
      assertThat(env.get("KAFKA_NODE_ID")).isEqualTo(b.substring("kafka-".length()));
      assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
      assertThat(env.get("KAFKA_DEFAULT_REPLICATION_FACTOR")).isEqualTo("3");
      assertThat(env.get("KAFKA_MIN_INSYNC_REPLICAS")).isEqualTo("2");
      assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")).isEqualTo("2");
      assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).isEqualTo("PLAINTEXT://" + b + ":9092");
    }
    String bootstrap = brokers.stream().map(b -> b + ":9092").collect(Collectors.joining(","));
    instances().values().stream().flatMap(List::stream).forEach(name -> {
      Map<String, Object> env = map(at(services.get(name), "environment"));
      assertThat(env.get("AID_KAFKA_BOOTSTRAP_SERVERS")).as(name).isEqualTo(bootstrap);
      assertThat(env.get("AID_TOPICS_REPLICATION_FACTOR")).as(name).isEqualTo("3");
    });
  }

  @Test
  void theBackingServicesAreTheStockImages() {
    assertThat(String.valueOf(at(services.get("schema-registry"), "image"))).startsWith("confluentinc/cp-schema-registry:");
    assertThat(String.valueOf(at(services.get("postgres"), "image"))).startsWith("postgres:");
    assertThat(String.valueOf(at(services.get("mqtt"), "image"))).startsWith("hivemq/hivemq-ce:");
  }

  @Test
  void prometheusScrapesEveryInstanceOnItsManagementPort() {
    Object prometheus = Manifests.load(Manifests.DEPLOY.resolve("prometheus/prometheus.yml"));
    Map<String, Object> job = map(list(at(prometheus, "scrape_configs")).get(0));
    assertThat(job.get("metrics_path")).isEqualTo("/metrics");
    List<Object> targets = list(at(list(job.get("static_configs")).get(0), "targets"));
    List<String> expected = instances().values().stream().flatMap(List::stream)
        .map(n -> n + ":" + at(services.get(n), "environment", "AID_MANAGEMENT_PORT")).toList();
    assertThat(targets).map(String::valueOf).containsExactlyInAnyOrderElementsOf(expected);
  }
}
