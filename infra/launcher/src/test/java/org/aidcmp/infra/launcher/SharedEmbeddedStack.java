package org.aidcmp.infra.launcher;

import org.aidcmp.infra.config.AidConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded stack for every test class of this module that asks for {@link Endpoints}: started once, in
 * a temporary directory on free loopback ports, with the contract's topics and schemas set up, and closed
 * when the test run ends.
 */
public final class SharedEmbeddedStack implements BeforeAllCallback, ParameterResolver {
  /** Few partitions: tests make little traffic, and every partition costs start-up time on 2 cores. */
  static final int TEST_PARTITIONS = 2;

  private record Running(EmbeddedStack stack, Path dir) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() throws IOException {
      stack.close();
      deleteRecursively(dir);
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
      Path dir = Files.createTempDirectory("aid-stack-");
      EmbeddedStack stack = EmbeddedStack.start(testConfig(dir, freePorts()));
      ContractSetup.ensureTopics(stack.endpoints().kafkaBootstrapServers(), TEST_PARTITIONS, (short) 1);
      try (var registry = Aid.registryClient(AidConfig.of(Map.of()), stack.endpoints())) {
        ContractSetup.registerSchemas(registry);
      }
      return new Running(stack, dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A configuration with every endpoint embedded, its data in dir, on the given ports. */
  static AidConfig testConfig(Path dir, Map<String, String> ports) {
    return AidConfig.of(Map.of("aid.data.dir", dir.toString(), "postgres.database", "aid")).with(ports);
  }

  /** Five free loopback ports, fixed for the life of a stack so a restart finds the same ones. */
  static Map<String, String> freePorts() throws IOException {
    return Map.of(
        "kafka.embedded.port", String.valueOf(freePort()),
        "schema.registry.embedded.port", String.valueOf(freePort()),
        "postgres.embedded.port", String.valueOf(freePort()),
        "mqtt.embedded.port", String.valueOf(freePort()),
        "mqtt.embedded.tls.port", String.valueOf(freePort()));
  }


  /** The shared stack's data directory (its local CA, the broker's credentials store), for tests that issue. */
  public record DataDir(Path path) {}

  /**
   * The embedded broker's logins for the bridge and the downlink publisher (kept in the stack's data directory),
   * for platforms whose own {@code aid.data.dir} is another: without them their AiD2 services could not connect.
   */
  static Map<String, String> brokerLogins(Path stackData) {
    Map<String, String> logins = new java.util.HashMap<>();
    Map.of(org.aidcmp.infra.pki.mqtt.MqttRole.BRIDGE, "ingress.aid2.",
        org.aidcmp.infra.pki.mqtt.MqttRole.DOWNLINK, "downlink.mqtt.").forEach((role, prefix) -> {
          var login = DevCredentials.mqttService(stackData, role);
          logins.put(prefix + "username", login.username());
          logins.put(prefix + "password", login.password());
        });
    return logins;
  }


  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Endpoints.class || parameter.getParameter().getType() == DataDir.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (parameter.getParameter().getType() == DataDir.class) {
      return new DataDir(running(context).dir());
    }
    return running(context).stack().endpoints();
  }
}
