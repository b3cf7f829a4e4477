package org.aidcmp.deploy;

import static org.aidcmp.deploy.Manifests.at;
import static org.aidcmp.deploy.Manifests.list;
import static org.aidcmp.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.aidcmp.infra.mqtt.auth.AidMqttExtensionMain;
import org.aidcmp.infra.mqtt.auth.AidMqttSecurity;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The AiD2 broker security packaged for a stock HiveMQ CE (target/hivemq-extension/aid-mqtt-security, built
 * before the tests by this module's pom), and the Compose and Kubernetes brokers mounting it. Not run in a HiveMQ
 * container here (no Docker engine): the folder is read as HiveMQ reads it. Not loaded into a running HiveMQ: put
 * into the embedded HiveMQ CE's extensions folder in a test, it did not take effect (strangers still connected;
 * cause not found yet), so whether the image's HiveMQ starts it is unverified.
 */
class HiveMqExtensionIT {
  private static final Path FOLDER = Manifests.DEPLOY.resolve("target/hivemq-extension/" + AidMqttSecurity.ID);
  private static final String SERVICE = "META-INF/services/com.hivemq.extension.sdk.api.ExtensionMain";
  private static final String EXTENSIONS = "/opt/hivemq/extensions/" + AidMqttSecurity.ID;

  @Test
  void theDescriptorNamesTheFolderAndTheEmbeddedExtensionsPriority() throws Exception {
    Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(FOLDER.resolve("hivemq-extension.xml").toFile());
    // HiveMQ ignores an extension whose folder is not named as its id.
    assertThat(text(xml, "id")).isEqualTo(FOLDER.getFileName().toString());
    assertThat(Integer.parseInt(text(xml, "priority"))).isEqualTo(AidMqttSecurity.PRIORITY);
    assertThat(text(xml, "version")).as("filtered by Maven").doesNotContain("${").isNotBlank();
  }

  @Test
  void theJarsHoldExactlyOneExtensionMainAndNothingTheBrokerBringsItself() throws Exception {
    List<Path> jars = jars();
    List<String> mains = new ArrayList<>();
    for (Path jar : jars) {
      try (JarFile j = new JarFile(jar.toFile())) {
        var entry = j.getEntry(SERVICE);
        if (entry != null) {
          mains.add(new String(j.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8).strip());
        }
        // HiveMQ and its extension SDK come from the broker: a copy here would clash with its classes.
        assertThat(j.getEntry("com/hivemq/extension/sdk/api/ExtensionMain.class")).as(jar + ": the SDK").isNull();
        assertThat(j.getEntry("com/hivemq/embedded/EmbeddedHiveMQ.class")).as(jar + ": HiveMQ").isNull();
      }
    }
    assertThat(mains).containsExactly(AidMqttExtensionMain.class.getName());
    assertThat(jars.stream().map(p -> p.getFileName().toString()))
        .anyMatch(n -> n.startsWith("aid-embedded-mqtt-")).anyMatch(n -> n.startsWith("aid-pki-"))
        .anyMatch(n -> n.startsWith("bcpkix-")).anyMatch(n -> n.startsWith("bcprov-"))
        .noneMatch(n -> n.startsWith("hivemq-")).noneMatch(n -> n.startsWith("rocksdbjni"));
  }

  /** As HiveMQ makes it: from the folder's jars (the SDK from the broker, here the test's), with no arguments. */
  @Test
  void theMainLoadsFromTheFolderAloneAndHasANoArgConstructor() throws Exception {
    URL[] urls = jars().stream().map(HiveMqExtensionIT::url).toArray(URL[]::new);
    ClassLoader sdkOnly = new ClassLoader(ClassLoader.getPlatformClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (name.startsWith("com.hivemq.extension.sdk.") || name.startsWith("org.slf4j.")) {
          return HiveMqExtensionIT.class.getClassLoader().loadClass(name);
        }
        throw new ClassNotFoundException(name);
      }
    };
    try (URLClassLoader extension = new URLClassLoader(urls, sdkOnly)) {
      Class<?> main = extension.loadClass(AidMqttExtensionMain.class.getName());
      assertThat(main.getClassLoader()).as("loaded from the folder's jars").isSameAs(extension);
      assertThat(com.hivemq.extension.sdk.api.ExtensionMain.class.isAssignableFrom(main)).isTrue();
      assertThat(main.getConstructor().newInstance()).isNotNull();
      // What it starts: the embedded broker's own security, from the same jars.
      assertThat(extension.loadClass("org.aidcmp.infra.mqtt.auth.AidMqttSecurityMain").getClassLoader())
          .isSameAs(extension);
    }
  }

  @Test
  void theComposeBrokerMountsTheFolderAndTheCredentialsAndNoAllowAll() {
    Object mqtt = at(Manifests.load(Manifests.DEPLOY.resolve("compose/compose.yaml")), "services", "mqtt");
    List<String> volumes = list(at(mqtt, "volumes")).stream().map(String::valueOf).toList();
    String extension = volumes.stream().filter(v -> v.contains(EXTENSIONS)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume on " + EXTENSIONS + ": " + volumes));
    // The source is the folder this build made, relative to the compose file.
    Path source = Manifests.DEPLOY.resolve("compose").resolve(extension.substring(0, extension.indexOf(':'))).normalize();
    assertThat(source).isEqualTo(FOLDER.normalize());
    Map<String, Object> env = map(at(mqtt, "environment"));
    assertThat(env.get("HIVEMQ_ALLOW_ALL_CLIENTS")).isEqualTo("false");
    String dir = String.valueOf(env.get(AidMqttExtensionMain.DIR_VARIABLE));
    assertThat(volumes).anyMatch(v -> v.endsWith(":" + dir + ":ro"));
  }

  @Test
  void theKubernetesBrokerGetsTheFolderFromTheImageAndTheCredentialsClaim() throws IOException {
    Map<String, Object> deployment = Manifests.loadAll(Manifests.DEPLOY.resolve("k8s/mqtt.yaml")).stream()
        .filter(d -> "Deployment".equals(d.get("kind"))).findFirst().orElseThrow();
    Object pod = at(deployment, "spec", "template", "spec");
    Map<String, Object> init = map(list(at(pod, "initContainers")).get(0));
    // The folder as the image holds it (Jib copies target/hivemq-extension to /opt/aid/hivemq-extensions).
    assertThat(list(init.get("command")).stream().map(String::valueOf))
        .contains("/opt/aid/hivemq-extensions/" + AidMqttSecurity.ID);
    assertThat(Files.readString(Manifests.DEPLOY.resolve("pom.xml")))
        .contains("<from>${project.build.directory}/hivemq-extension</from><into>/opt/aid/hivemq-extensions</into>");
    Map<String, Object> broker = map(list(at(pod, "containers")).get(0));
    assertThat(list(broker.get("volumeMounts")).stream().map(m -> String.valueOf(map(m).get("mountPath"))))
        .contains(EXTENSIONS);
    Map<String, String> env = new java.util.HashMap<>();
    list(broker.get("env")).forEach(e -> env.put(String.valueOf(map(e).get("name")), String.valueOf(map(e).get("value"))));
    assertThat(env).containsEntry("HIVEMQ_ALLOW_ALL_CLIENTS", "false");
    assertThat(list(broker.get("volumeMounts")).stream().map(m -> String.valueOf(map(m).get("mountPath"))))
        .contains(env.get(AidMqttExtensionMain.DIR_VARIABLE));
  }

  private static List<Path> jars() throws IOException {
    try (Stream<Path> files = Files.list(FOLDER)) {
      List<Path> jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
      assertThat(jars).as("jars in " + FOLDER).isNotEmpty();
      return jars;
    }
  }

  private static URL url(Path p) {
    try {
      return p.toUri().toURL();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(Document xml, String tag) {
    return xml.getElementsByTagName(tag).item(0).getTextContent().strip();
  }
}
