package org.aidcmp.lifecycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.schemas.topics.TopicSetup;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Kafka broker (KRaft) and schema registry for this module's integration tests, started once and
 * closed when the test run ends.
 */
final class EmbeddedBroker implements ExtensionContext.Store.CloseableResource {
  static final int PARTITIONS = 3;

  final EmbeddedKafka kafka;
  final SchemaRegistryServer registry;
  final Path dir;

  private EmbeddedBroker() throws IOException {
    dir = Files.createTempDirectory("aid-lifecycle-broker-");
    kafka = EmbeddedKafka.builder(dir.resolve("kafka")).port(0).build().start();
    registry = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start();
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
    registry.close();
    kafka.close();
  }
}
