package org.aidcmp.egress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * Runs egress against configured endpoints (the launcher wires the embedded ones). Keys beside the shared ones
 * ({@code kafka.bootstrap.servers}, {@code schema.registry.url}, {@code cmp.id}, {@code msp.*}):
 * {@code egress.tls.identity} (PEM: the CMP's client key and certificate chain, §6),
 * {@code egress.tls.trusted} (PEM: the CAs of the MSPs' server certificates), {@code egress.group.id},
 * {@code egress.call.timeout.ms}, {@code egress.max.attempts}, {@code egress.state-dir} (the worker's own
 * directory for its executed-commands store; default {@code <aid.data.dir>/egress}).
 */
public final class EgressMain {
  private EgressMain() {}

  public static EgressSettings settings(AidConfig config, SSLContext tls) {
    return EgressSettings.of(config.require("kafka.bootstrap.servers"), MspRegistry.from(config), tls)
        .groupId(config.get("egress.group.id").orElse("aid-egress"))
        .stateDir(Path.of(config.get("egress.state-dir")
            .orElse(Path.of(config.get("aid.data.dir").orElse(".aid/data"), "egress").toString())))
        .callTimeout(Duration.ofMillis(config.getInt("egress.call.timeout.ms", 10_000)))
        .retryBudget(config.getInt("egress.max.attempts", 8), Duration.ofMillis(500), Duration.ofSeconds(30));
  }

  /** The client context of §6 from the configured PEM files. */
  public static SSLContext tls(AidConfig config) {
    Identity identity = Pem.readIdentity(Pem.read(Path.of(config.require("egress.tls.identity"))));
    List<java.security.cert.X509Certificate> trusted =
        Pem.readCertificates(Pem.read(Path.of(config.require("egress.tls.trusted"))));
    return Tls.clientContext(identity, trusted);
  }

  public static void main(String[] args) throws InterruptedException {
    AidConfig config = AidConfig.load(args.length > 0 ? Path.of(args[0]) : AidConfig.DEFAULT_FILE, System.getenv());
    SchemaRegistryClient registry = RestSchemaRegistryClient.of(config.require("schema.registry.url"));
    EgressWorker worker = EgressWorker.start(settings(config, tls(config)), registry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      registry.close();
      stopped.countDown();
    }, "egress-shutdown"));
    stopped.await();
  }
}
