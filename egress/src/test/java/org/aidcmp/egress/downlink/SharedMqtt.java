package org.aidcmp.egress.downlink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded MQTT broker (HiveMQ CE, file persistence) for every downlink test class of this module, beside
 * the one Kafka and registry of {@link org.aidcmp.egress.SharedKafka}; closed when the run ends.
 */
public final class SharedMqtt implements BeforeAllCallback, ParameterResolver {

  private record Running(EmbeddedMqttBroker broker, Path dir) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() throws IOException {
      broker.close();
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
      return new Running(EmbeddedMqttBroker.builder(dir).port(0).build().start(), dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedMqttBroker.class;
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
