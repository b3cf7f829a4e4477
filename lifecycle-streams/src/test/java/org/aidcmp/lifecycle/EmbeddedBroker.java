package org.aidcmp.lifecycle;

import java.io.IOException;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.infra.testing.TestBackbone;
import org.aidcmp.infra.testing.TestKafka;
import org.aidcmp.schemas.topics.TopicSetup;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Kafka broker (KRaft; see {@link TestKafka} for the choice) and schema registry for this module's
 * integration tests, started once and closed when the test run ends.
 */
final class EmbeddedBroker implements ExtensionContext.Store.CloseableResource {
  static final int PARTITIONS = 3;

  private final TestBackbone backbone;
  final TestKafka kafka;
  final SchemaRegistryServer registry;
  final java.nio.file.Path dir;

  private EmbeddedBroker() throws IOException {
    backbone = TestBackbone.start("aid-lifecycle-broker");
    dir = backbone.dir();
    kafka = backbone.kafka();
    registry = backbone.registry();
    TopicSetup.ensureTopics(kafka.bootstrapServers(), PARTITIONS, (short) 1);
  }

  static EmbeddedBroker shared(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(EmbeddedBroker.class, unused -> {
          try {
            return new EmbeddedBroker();
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }, EmbeddedBroker.class);
  }

  @Override
  public void close() {
    backbone.close();
  }
}
