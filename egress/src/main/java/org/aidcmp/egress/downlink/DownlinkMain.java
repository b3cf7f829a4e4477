package org.aidcmp.egress.downlink;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * Runs the vehicle downlink on its own, from {@code config/aid.properties} (or the file given) and the
 * environment: {@code kafka.bootstrap.servers}, {@code schema.registry.url}, {@code mqtt.server.uri} and the
 * {@code downlink.*} keys of {@link DownlinkSettings#from}. A process of its own rather than a mode of
 * {@code EgressMain}: it needs no MSP configuration, and it scales (one consumer group) and fails apart from
 * the MSP calls. {@code aid up} runs the same publisher in its JVM.
 */
public final class DownlinkMain {
  private DownlinkMain() {}

  public static void main(String[] args) throws InterruptedException {
    AidConfig config = AidConfig.load(args.length > 0 ? Path.of(args[0]) : AidConfig.DEFAULT_FILE, System.getenv());
    SchemaRegistryClient registry = RestSchemaRegistryClient.of(config.require("schema.registry.url"));
    DownlinkPublisher publisher = DownlinkPublisher.start(DownlinkSettings.from(config), registry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      publisher.close();
      registry.close();
      stopped.countDown();
    }, "downlink-shutdown"));
    // A publisher that stopped on an error (a dead letter it could not write) ends the process: a supervisor
    // restarts it, and the restart publishes again from the last committed offset.
    while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
      if (publisher.failure() != null) {
        System.err.println("downlink stopped: " + publisher.failure());
        System.exit(1);
      }
    }
  }
}
