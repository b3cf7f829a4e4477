package org.aidcmp.projections;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * The projections as a service of their own: configuration from config/aid.properties or AID_CONFIG (or the
 * file given as the first argument), with AID_* overrides; runs until stopped.
 */
public final class ProjectionsMain {
  private ProjectionsMain() {}

  public static void main(String[] args) throws Exception {
    Path file = args.length > 0 ? Path.of(args[0])
        : Path.of(System.getenv().getOrDefault("AID_CONFIG", AidConfig.DEFAULT_FILE.toString()));
    ProjectionsSettings settings = ProjectionsSettings.from(AidConfig.load(file, System.getenv()));
    SchemaRegistryClient registry = RestSchemaRegistryClient.of(settings.schemaRegistryUrl());
    Projector projector = new Projector(settings, Database.open(settings), registry).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      projector.close();
      registry.close();
      stopped.countDown();
    }, "aid-projections-stop"));
    stopped.await();
  }
}
