package org.aidcmp.deploy;

import static org.aidcmp.deploy.Manifests.at;
import static org.aidcmp.deploy.Manifests.list;
import static org.aidcmp.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** deploy/k8s: parsed and checked against the configuration (not applied here: no cluster). */
class KubernetesManifestsTest {
  private static final Path K8S = Manifests.DEPLOY.resolve("k8s");

  private static List<Map<String, Object>> documents() {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object file : list(at(Manifests.load(K8S.resolve("kustomization.yaml")), "resources"))) {
      docs.addAll(Manifests.loadAll(K8S.resolve(String.valueOf(file))));
    }
    return docs;
  }

  private static Map<String, Object> deployment(String name) {
    return documents().stream()
        .filter(d -> "Deployment".equals(d.get("kind")) && name.equals(at(d, "metadata", "name")))
        .findFirst().orElseThrow(() -> new AssertionError("no Deployment " + name));
  }

  private static Map<String, Object> container(Map<String, Object> workload) {
    List<Object> containers = list(at(workload, "spec", "template", "spec", "containers"));
    assertThat(containers).hasSize(1);
    return map(containers.get(0));
  }

  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (Object e : list(container.get("env"))) {
      env.put(String.valueOf(at(e, "name")), at(e, "value") == null ? null : String.valueOf(at(e, "value")));
    }
    return env;
  }

  private static int containerPort(Map<String, Object> container, String name) {
    return list(container.get("ports")).stream().filter(p -> name.equals(at(p, "name")))
        .map(p -> (Integer) at(p, "containerPort")).findFirst()
        .orElseThrow(() -> new AssertionError("no port named " + name));
  }

  @Test
  void everyFileIsListedAndEveryDocumentIsAnObjectWithANameInTheNamespace() throws IOException {
    List<String> listed = list(at(Manifests.load(K8S.resolve("kustomization.yaml")), "resources")).stream()
        .map(String::valueOf).toList();
    try (Stream<Path> files = Files.list(K8S)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("kustomization.yaml")))
          .containsExactlyInAnyOrderElementsOf(listed);
    }
    for (Map<String, Object> d : documents()) {
      assertThat(d.get("apiVersion")).as(String.valueOf(d)).isNotNull();
      assertThat(d.get("kind")).as(String.valueOf(d)).isNotNull();
      assertThat(at(d, "metadata", "name")).as(String.valueOf(d)).isNotNull();
      if (!"Namespace".equals(d.get("kind"))) {
        assertThat(at(d, "metadata", "namespace")).as(String.valueOf(at(d, "metadata", "name"))).isEqualTo("aid-cmp");
      }
    }
  }

  @Test
  void everyServiceRunsTwoReplicasWithProbesOnItsManagementPort() {
    for (String service : Manifests.SERVICES) {
      Map<String, Object> d = deployment(service);
      assertThat(at(d, "spec", "replicas")).as(service).isEqualTo(2);
      assertThat(at(d, "spec", "selector", "matchLabels", "app")).isEqualTo(service);
      assertThat(at(d, "spec", "template", "metadata", "labels", "app")).isEqualTo(service);
      Map<String, Object> c = container(d);
      assertThat(list(c.get("args"))).containsExactly("run", service);
      int management = containerPort(c, "management");
      assertThat(env(c).get("AID_MANAGEMENT_PORT")).as(service).isEqualTo(String.valueOf(management));
      assertThat(at(c, "readinessProbe", "httpGet", "path")).as(service).isEqualTo("/health/ready");
      assertThat(at(c, "readinessProbe", "httpGet", "port")).as(service).isEqualTo("management");
      assertThat(at(c, "livenessProbe", "httpGet", "path")).as(service).isEqualTo("/health/live");
      Map<String, Object> annotations = map(at(d, "spec", "template", "metadata", "annotations"));
      assertThat(annotations.get("prometheus.io/scrape")).isEqualTo("true");
      assertThat(annotations.get("prometheus.io/path")).isEqualTo("/metrics");
      assertThat(annotations.get("prometheus.io/port")).isEqualTo(String.valueOf(management));
    }
  }

  @Test
  void everyVariableSetsAConfigurationKeyAndTheInstanceIdIsThePodsName() {
    for (String service : Manifests.SERVICES) {
      Map<String, Object> c = container(deployment(service));
      env(c).keySet().stream().filter(v -> !v.equals(Manifests.CONFIG_VARIABLE))
          .forEach(v -> assertThat(Manifests.keyOf(v)).as(service + " sets " + v + ", which names no key").isNotNull());
      Object instanceId = list(c.get("env")).stream().filter(e -> "AID_INSTANCE_ID".equals(at(e, "name")))
          .findFirst().orElseThrow();
      assertThat(at(instanceId, "valueFrom", "fieldRef", "fieldPath")).isEqualTo("metadata.name");
    }
  }

  @Test
  void ingressAid1ServesTheConfiguredPortsThroughItsService() {
    var config = Manifests.configuration();
    Map<String, Object> c = container(deployment("ingress-aid1"));
    Map<String, String> env = env(c);
    assertThat(env.get("AID_INGRESS_AID1_MSP_PORT")).isEqualTo(config.getProperty("ingress.aid1.msp.port"))
        .isEqualTo(String.valueOf(containerPort(c, "msp")));
    assertThat(env.get("AID_INGRESS_AID1_TOUCHPOINT_PORT")).isEqualTo(config.getProperty("ingress.aid1.touchpoint.port"))
        .isEqualTo(String.valueOf(containerPort(c, "touchpoint")));
    Map<String, Object> service = documents().stream()
        .filter(d -> "Service".equals(d.get("kind")) && "ingress-aid1".equals(at(d, "metadata", "name"))).findFirst().orElseThrow();
    assertThat(list(at(service, "spec", "ports"))).map(p -> at(p, "targetPort")).containsExactlyInAnyOrder("msp", "touchpoint");
  }

  @Test
  void kafkaIsThreeKraftNodesWithReplicationThreeAndMinIsrTwo() {
    Map<String, Object> kafka = documents().stream()
        .filter(d -> "StatefulSet".equals(d.get("kind")) && "kafka".equals(at(d, "metadata", "name"))).findFirst().orElseThrow();
    assertThat(at(kafka, "spec", "replicas")).isEqualTo(3);
    Map<String, String> env = env(container(kafka));
    assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").split(",")).hasSize(3);
    assertThat(env.get("KAFKA_DEFAULT_REPLICATION_FACTOR")).isEqualTo("3");
    assertThat(env.get("KAFKA_MIN_INSYNC_REPLICAS")).isEqualTo("2");
    for (String service : Manifests.SERVICES) {
      Map<String, String> s = env(container(deployment(service)));
      assertThat(s.get("AID_KAFKA_BOOTSTRAP_SERVERS").split(",")).as(service).hasSize(3);
      assertThat(s.get("AID_TOPICS_REPLICATION_FACTOR")).isEqualTo("3");
    }
  }
}
