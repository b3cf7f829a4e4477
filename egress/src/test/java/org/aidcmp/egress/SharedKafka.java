package org.aidcmp.egress;

import org.aidcmp.infra.testing.TestBackbone;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One Kafka broker (embedded, or Testcontainers' with {@code -Dit.kafka=testcontainers}: {@link TestBackbone}) and
 * schema registry for every test class of this module, closed when the run ends.
 */
public final class SharedKafka implements BeforeAllCallback, ParameterResolver {

  /** Where the shared stack listens. */
  public record Endpoints(String bootstrapServers, String registryUrl) {}

  private record Running(TestBackbone backbone) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      backbone.close();
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
    return new Running(TestBackbone.start("aid-egress-test"));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Endpoints.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Running r = running(context);
    return new Endpoints(r.backbone().bootstrapServers(), r.backbone().registryUrl());
  }
}
