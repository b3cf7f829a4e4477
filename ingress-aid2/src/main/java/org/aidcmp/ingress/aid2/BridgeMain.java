package org.aidcmp.ingress.aid2;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * ingress-aid2 on its own: reads the configuration (config/aid.properties or AID_CONFIG, with AID_* overrides),
 * starts one {@link Aid2Bridge} and runs until stopped (Ctrl-C, SIGTERM: a clean stop).
 */
public final class BridgeMain {
  private BridgeMain() {}

  /** The registry client the settings name. */
  public static SchemaRegistryClient registry(BridgeSettings settings) {
    RestSchemaRegistryClient.Builder builder = RestSchemaRegistryClient.builder().urls(settings.registryUrl());
    if (settings.registryUserInfo() != null) {
      builder.basicAuthUserInfo(settings.registryUserInfo());
    }
    return builder.build();
  }

  public static void main(String[] args) throws Exception {
    Path file = Path.of(System.getenv().getOrDefault("AID_CONFIG", AidConfig.DEFAULT_FILE.toString()));
    BridgeSettings settings = BridgeSettings.from(AidConfig.load(file, System.getenv()));
    Aid2Bridge bridge = Aid2Bridge.start(settings, registry(settings), Duration.ofSeconds(30));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      bridge.close();
      stopped.countDown();
    }, "ingress-aid2-stop"));
    System.out.println("ingress-aid2 up: " + bridge.clientId());
    stopped.await();
  }
}
