package org.aidcmp.ingress.aid2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.infra.testing.TestBackbone;
import org.aidcmp.infra.testing.TestKafka;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.topics.TopicSetup;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded stack for every integration test class of this module, started once and closed at the end of
 * the run: Kafka (KRaft), the schema registry, HiveMQ CE on free loopback ports, every catalogued topic, one
 * bridge ({@value #BRIDGE_INSTANCE}) with its own login, vehicles with theirs (the broker checks
 * every CONNECT and the AiD2 ACL) and a tap reading the uplink and dead-letter topics. Tests keep apart by
 * using vehicles of their own ({@link #vin}).
 */
public final class BridgeStack implements BeforeAllCallback, ParameterResolver {
  static final String BRIDGE_INSTANCE = "test-a";
  static final int PARTITIONS = 4;

  public static final class Stack implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final Path dir;
    private final TestBackbone backbone;
    final TestKafka kafka;
    final SchemaRegistryServer registryServer;
    final RestSchemaRegistryClient registry;
    /** The broker's identities: vehicles get theirs here (a password each), the bridge its service login. */
    final MqttCredentials credentials;
    final ServiceCredentials bridgeLogin;
    final CertificateAuthority brokerCa;
    final EmbeddedMqttBroker broker;
    /** The stack's bridge; replaced only by {@link #resumeBridge} (tests run one at a time). */
    volatile Aid2Bridge bridge;
    final KafkaTap tap;
    private int vehicles;

    Stack() throws Exception {
      dir = Files.createTempDirectory("ingress-aid2-test-");
      backbone = TestBackbone.start("ingress-aid2-test-broker");
      kafka = backbone.kafka();
      registryServer = backbone.registry();
      TopicSetup.ensureTopics(kafka.bootstrapServers(), PARTITIONS, (short) 1);
      registry = RestSchemaRegistryClient.of(registryServer.url());
      credentials = MqttCredentials.open(dir.resolve("mqtt-auth"));
      bridgeLogin = credentials.issueService(MqttRole.BRIDGE);
      brokerCa = CertificateAuthority.create("ingress-aid2 test CA");
      broker = broker(dir.resolve("mqtt"));
      // A receive maximum like the killed bridge's in TwoBridgesKillTest, so the broker shares the load between them.
      bridge = startBridge();
      tap = new KafkaTap(kafka.bootstrapServers(), registry).start();
    }

    private Aid2Bridge startBridge() {
      return Aid2Bridge.start(settings(BRIDGE_INSTANCE).withReceiveMaximum(50), registry, Duration.ofSeconds(30));
    }

    /**
     * Stops the stack's bridge normally (nothing left in flight, its session stays), so another bridge is the only
     * member of the share group; {@link #resumeBridge} brings it back.
     */
    void parkBridge() {
      bridge.close();
    }

    /** The stack's bridge again, resuming its session (its stats start at 0). */
    Aid2Bridge resumeBridge() {
      bridge = startBridge();
      return bridge;
    }

    /** An authenticated broker (plain loopback listener and TLS) checking this stack's identities. */
    EmbeddedMqttBroker broker(Path dataDir) throws IOException {
      return EmbeddedMqttBroker.builder(dataDir).port(0)
          .tls(brokerCa.issueServer("mqtt-broker", java.util.List.of("localhost"), java.util.List.of("127.0.0.1")))
          .authentication(credentials).build().start();
    }

    /** The settings of a bridge on this stack, with the bridge's own login. */
    BridgeSettings settings(String instance) {
      return settings(broker, instance);
    }

    BridgeSettings settings(EmbeddedMqttBroker on, String instance) {
      return BridgeSettings.of("127.0.0.1", on.port(), kafka.bootstrapServers(), registryServer.url(), instance)
          .withCredentials(BridgeSettings.Credentials.password(bridgeLogin.username(), bridgeLogin.password()));
    }

    /** A VIN (17 characters, §5.2.1) no other test uses. */
    synchronized String vin(String prefix) {
      return String.format("%-5.5s%012d", prefix, ++vehicles).replace(' ', 'X');
    }

    /** A vehicle with credentials of its own (§4.3: a registered car), connected over MQTT 5. */
    Vehicle vehicle(String vin) {
      return Vehicle.mqtt5(broker.port(), credentials.issueVehiclePassword(vin));
    }

    /** Records on a topic, summed over its partitions (its end offsets). */
    long records(org.aidcmp.schemas.topics.AidTopic topic) {
      try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(java.util.Map.of(
          "bootstrap.servers", kafka.bootstrapServers()),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        var partitions = consumer.partitionsFor(topic.topicName(), Duration.ofSeconds(30)).stream()
            .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
        return consumer.endOffsets(partitions, Duration.ofSeconds(30)).values().stream().mapToLong(Long::longValue).sum();
      }
    }

    @Override
    public void close() throws IOException {
      tap.close();
      bridge.close();
      broker.close();
      backbone.close();
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    stack(context);
  }

  static Stack stack(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(Stack.class, k -> {
      try {
        return new Stack();
      } catch (Exception e) {
        throw new IllegalStateException("test stack did not start", e);
      }
    }, Stack.class);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Stack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }
}
