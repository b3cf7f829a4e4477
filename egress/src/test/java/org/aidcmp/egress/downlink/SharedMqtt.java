package org.aidcmp.egress.downlink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.security.cert.X509Certificate;
import java.util.List;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded MQTT broker (HiveMQ CE, file persistence) for every downlink test class of this module, beside
 * the one Kafka and registry of {@link org.aidcmp.egress.SharedKafka}; closed when the run ends. As {@code aid up}
 * runs it: every client authenticated against the platform's MQTT credentials and held to the AiD2 ACL, and a TLS
 * listener (server certificate from a CA of its own) beside the plain one.
 */
public final class SharedMqtt implements BeforeAllCallback, ParameterResolver {

  /**
   * The broker, the credentials it checks, the downlink publisher's login (role DOWNLINK, issued once: issuing
   * again would replace the password) and the CA of its TLS certificate.
   */
  public record Broker(EmbeddedMqttBroker mqtt, MqttCredentials credentials, ServiceCredentials downlink,
                       X509Certificate serverCa) {}

  private record Running(Broker broker, Path dir) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() throws IOException {
      broker.mqtt().close();
      deleteTree(dir);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    running(context);
  }

  private static Running running(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(Running.class, unused -> start(), Running.class);
  }

  private static Running start() {
    try {
      Path dir = Files.createTempDirectory("aid-egress-mqtt-");
      MqttCredentials credentials = MqttCredentials.open(dir.resolve("credentials"));
      CertificateAuthority ca = CertificateAuthority.create("test-broker-ca");
      EmbeddedMqttBroker mqtt = EmbeddedMqttBroker.builder(dir.resolve("broker")).port(0)
          .authentication(credentials)
          .tls(ca.issueServer("mqtt-broker", List.of(), List.of())).tlsPort(0)
          .build().start();
      return new Running(new Broker(mqtt, credentials, credentials.issueService(MqttRole.DOWNLINK), ca.certificate()), dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Broker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return running(context).broker();
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
