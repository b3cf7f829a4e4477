package org.aidcmp.infra.vehicle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded HiveMQ broker for every test class of this module, as the platform runs it: every client
 * authenticates (per-vehicle credentials, the AiD2 ACL), a TLS listener beside the plain one. Closed when the run
 * ends.
 */
public final class SharedBroker implements ParameterResolver {

  /** The broker, the credentials it checks, and the CA of its TLS server certificate. */
  record TestBroker(EmbeddedMqttBroker broker, MqttCredentials credentials, CertificateAuthority serverCa) {}

  private record Running(TestBroker broker, Path dir) implements ExtensionContext.Store.CloseableResource,
      AutoCloseable {
    @Override
    public void close() throws IOException {
      broker.broker().close();
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(Running.class, unused -> start(), Running.class).broker();
  }

  private static Running start() {
    try {
      Path dir = Files.createTempDirectory("aid-vehicle-broker-");
      MqttCredentials credentials = MqttCredentials.open(dir.resolve("mqtt-auth"));
      CertificateAuthority ca = CertificateAuthority.create("test local CA");
      EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder(dir.resolve("mqtt"))
          .authentication(credentials)
          .tls(ca.issueServer("mqtt", List.of(), List.of()))
          .build().start();
      return new Running(new TestBroker(broker, credentials, ca), dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
