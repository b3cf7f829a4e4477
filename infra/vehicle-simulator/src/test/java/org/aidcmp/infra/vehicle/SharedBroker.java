package org.aidcmp.infra.vehicle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** One embedded HiveMQ broker for every test class of this module that asks for it, closed when the run ends. */
public final class SharedBroker implements ParameterResolver {

  private record Running(EmbeddedMqttBroker broker, Path dir) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() throws IOException {
      broker.close();
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedMqttBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(Running.class, unused -> start(), Running.class).broker();
  }

  private static Running start() {
    try {
      Path dir = Files.createTempDirectory("aid-vehicle-broker-");
      return new Running(new EmbeddedMqttBroker(dir, 0).start(), dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
