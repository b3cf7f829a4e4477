package org.aidcmp.egress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * Runs egress against configured endpoints (the launcher wires the embedded ones). Keys beside the shared ones
 * ({@code kafka.bootstrap.servers}, {@code schema.registry.url}, {@code cmp.id}, {@code msp.*}):
 * {@code egress.tls.identity} (PEM: the CMP's client key and certificate chain, §6),
 * {@code egress.tls.trusted} (PEM: the CAs of the MSPs' server certificates), each overridable per MSP by
 * {@code msp.<id>.client-identity} and {@code msp.<id>.server-ca} ({@link MspTls}), {@code egress.group.id},
 * {@code egress.call.timeout.ms}, {@code egress.max.attempts}, {@code egress.state-dir} (the worker's own
 * directory for its executed-commands store; default {@code <aid.data.dir>/egress}), and {@code aid.instance-id}
 * (static group membership as {@code egress-msp-<id>}).
 */
public final class EgressMain {
  private EgressMain() {}

  public static EgressSettings settings(AidConfig config) {
    MspRegistry msps = MspRegistry.from(config);
    return EgressSettings.of(config.require("kafka.bootstrap.servers"), msps, MspTls.from(config, msps))
        .groupId(config.get("egress.group.id").orElse("aid-egress"))
        .groupInstanceId(config.get("aid.instance-id").map(id -> "egress-msp-" + id).orElse(null))
        .stateDir(Path.of(config.get("egress.state-dir")
            .orElse(Path.of(config.get("aid.data.dir").orElse(".aid/data"),
                "egress" + config.get("aid.instance-id").map(id -> "-" + id).orElse("")).toString())))
        .callTimeout(Duration.ofMillis(config.getInt("egress.call.timeout.ms", 10_000)))
        .retryBudget(config.getInt("egress.max.attempts", 8), Duration.ofMillis(500), Duration.ofSeconds(30));
  }

  public static void main(String[] args) throws InterruptedException {
    AidConfig config = AidConfig.load(args.length > 0 ? Path.of(args[0]) : AidConfig.DEFAULT_FILE, System.getenv());
    SchemaRegistryClient registry = RestSchemaRegistryClient.of(config.require("schema.registry.url"));
    EgressWorker worker = EgressWorker.start(settings(config), registry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      registry.close();
      stopped.countDown();
    }, "egress-shutdown"));
    stopped.await();
  }
}
