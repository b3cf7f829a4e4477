package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;

/**
 * The whole platform in this JVM, as {@code aid up} runs it, on a fresh data directory and free loopback ports
 * (so it runs beside an {@code aid up}), with simulated MSPs configured and served as {@code aid msp serve} serves
 * them: the embedded stack, the contract's topics and schemas, every service, the MSP simulators. For
 * {@code aid bench}; closing it stops everything in reverse order.
 */
final class LocalPlatform implements AutoCloseable {

  /** A simulated MSP to configure and serve: its id, how it answers, its pool of profiles per subscription. */
  record SimulatedMsp(String id, MspSimulator.ResponseMode mode, int pool) {}

  private final Closer started = new Closer();
  private AidConfig config;
  private EmbeddedStack stack;
  private Services services;
  private final Map<String, MspCommands.Served> msps = new LinkedHashMap<>();

  private LocalPlatform() {}

  /**
   * {@code base}: the configuration as loaded (its service settings are kept; its endpoints, ports, data
   * directory and MSPs are replaced); {@code overrides} on top, e.g. Streams settings.
   */
  static LocalPlatform start(AidConfig base, Path data, List<SimulatedMsp> simulated, Map<String, String> overrides,
                             PrintStream out) {
    return start(base, data, simulated, overrides, Set.of(), out);
  }

  /** As above, without the services in {@code elsewhere}: a drill runs those in processes of their own. */
  static LocalPlatform start(AidConfig base, Path data, List<SimulatedMsp> simulated, Map<String, String> overrides,
                             Set<AidService> elsewhere, PrintStream out) {
    LocalPlatform platform = new LocalPlatform();
    try {
      platform.startAll(base, data, simulated, overrides, elsewhere, out);
      return platform;
    } catch (Exception e) {
      platform.close();
      throw e instanceof RuntimeException r ? r : new IllegalStateException("the platform failed to start: " + e, e);
    }
  }

  private void startAll(AidConfig base, Path data, List<SimulatedMsp> simulated, Map<String, String> overrides,
                        Set<AidService> elsewhere, PrintStream out) throws IOException {
    Map<String, String> c = new HashMap<>();
    c.put("aid.data.dir", data.toString());
    for (String port : List.of("kafka.embedded.port", "schema.registry.embedded.port", "postgres.embedded.port",
        "mqtt.embedded.port", "mqtt.embedded.tls.port", "ingress.aid1.msp.port", "ingress.aid1.touchpoint.port",
        "oidc.local.port", "management.port")) { // management too: aid.properties fixes it, an aid up holds it
      c.put(port, String.valueOf(SimulatedMsps.freePort()));
    }
    List<String> ids = new ArrayList<>();
    for (SimulatedMsp msp : simulated) {
      ids.add(msp.id());
      c.putAll(SimulatedMsps.config(msp.id(), msp.id().replace("-", ""), SimulatedMsps.freePort()));
    }
    c.put("msp.ids", String.join(",", ids));
    c.putAll(overrides);
    config = base.with(c);

    stack = started.add(EmbeddedStack.start(config));
    Endpoints endpoints = stack.endpoints();
    ContractSetup.ensureTopics(endpoints.kafkaBootstrapServers(),
        config.getInt("aid.topics.partitions", AidTopic.DEFAULT_PARTITIONS), (short) 1);
    try (SchemaRegistryClient registry = Aid.registryClient(config, endpoints)) {
      ContractSetup.registerSchemas(registry);
    }
    MspCommands mspCommands = new MspCommands(config, out);
    for (SimulatedMsp msp : simulated) {
      msps.put(msp.id(), started.add(mspCommands.serve(msp.id(), msp.mode(), msp.pool(), null, null)));
    }
    services = started.add(Services.start(config, endpoints, elsewhere));
  }

  /** The configuration the platform runs on (what {@link FleetRig} and the MSP commands need). */
  AidConfig config() {
    return config;
  }

  Endpoints endpoints() {
    return stack.endpoints();
  }

  /** The embedded stack under it (its brokers, for the fault drills). */
  EmbeddedStack stack() {
    return stack;
  }

  Services services() {
    return services;
  }

  MspSimulator msp(String id) {
    return msps.get(id).simulator();
  }

  @Override
  public void close() {
    started.close();
  }
}
