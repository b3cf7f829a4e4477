package org.aidcmp.egress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** One embedded Kafka and schema registry for every test class of this module, closed when the run ends. */
public final class SharedKafka implements BeforeAllCallback, ParameterResolver {

  /** Where the shared stack listens. */
  public record Endpoints(String bootstrapServers, String registryUrl) {}

  private record Running(EmbeddedKafka kafka, SchemaRegistryServer registry, Path dir)
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() throws IOException {
      registry.close();
      kafka.close();
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
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
      Path dir = Files.createTempDirectory("aid-egress-test-");
      EmbeddedKafka kafka = EmbeddedKafka.builder(dir.resolve("kafka")).port(0).build().start();
      SchemaRegistryServer registry = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start();
      return new Running(kafka, registry, dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Endpoints.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Running r = running(context);
    return new Endpoints(r.kafka().bootstrapServers(), r.registry().url());
  }
}
