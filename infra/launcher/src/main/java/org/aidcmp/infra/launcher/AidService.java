package org.aidcmp.infra.launcher;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.aidcmp.egress.EgressMain;
import org.aidcmp.egress.EgressSettings;
import org.aidcmp.egress.EgressWorker;
import org.aidcmp.egress.downlink.DownlinkPublisher;
import org.aidcmp.egress.downlink.DownlinkSettings;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.ingress.aid1.IngressAid1;
import org.aidcmp.ingress.aid1.IngressServer;
import org.aidcmp.ingress.aid1.QueryRoutes;
import org.aidcmp.ingress.aid1.oidc.LocalOidcIssuer;
import org.aidcmp.ingress.aid2.Aid2Bridge;
import org.aidcmp.ingress.aid2.BridgeSettings;
import org.aidcmp.lifecycle.LifecycleStreams;
import org.aidcmp.lifecycle.LifecycleStreamsSettings;
import org.aidcmp.projections.Database;
import org.aidcmp.projections.ProjectionsSettings;
import org.aidcmp.projections.Projector;
import org.aidcmp.projections.read.ProjectionReads;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * The platform's services, each started from the configuration by one function that {@code aid up} (all of them,
 * in one JVM) and {@code aid run SERVICE} (one per process) share. Each builds its typed settings record with
 * the module's own {@code from(AidConfig)} (keys and defaults named there once, checked by
 * {@link org.aidcmp.infra.config.ConfigKeys}), starts, and says how to tell it is ready.
 */
enum AidService {
  LIFECYCLE_STREAMS("lifecycle-streams") {
    @Override
    RunningService start(AidConfig config, SchemaRegistryClient registry) {
      LifecycleStreamsSettings settings = LifecycleStreamsSettings.from(config);
      LifecycleStreams lifecycle = LifecycleStreams.start(settings, registry);
      KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(lifecycle.streams());
      metrics.bindTo(Metrics.globalRegistry);
      return new RunningService(this, lifecycle, "running (exactly_once_v2) as " + settings.applicationId()
          + (settings.instanceId() == null ? "" : ", instance " + settings.instanceId()), lifecycle::ready, lifecycle::alive, () -> {
            lifecycle.close();
            metrics.close();
          });
    }
  },
  INGRESS_AID1("ingress-aid1") {
    @Override
    RunningService start(AidConfig config, SchemaRegistryClient registry) throws Exception {
      // No OIDC provider configured: a local issuer for the touchpoint API (the embedded default).
      LocalOidcIssuer issuer = config.get("oidc.jwks-url").isPresent() ? null
          : new LocalOidcIssuer(config.getInt("oidc.local.port", 18090),
              config.get("oidc.audience").orElse(LocalOidcIssuer.DEFAULT_AUDIENCE), Clock.systemUTC()).start();
      try {
        // The query API reads the projections' tables when a PostgreSQL is configured; else its routes answer 503.
        QueryRoutes.Mount queries = config.get("postgres.jdbc.url").isPresent()
            ? QueryRoutes.Mount.from(config, ProjectionReads.connect(ProjectionsSettings.from(config)))
            : QueryRoutes.Mount.unmounted();
        IngressAid1 ingress = IngressAid1.start(IngressAid1.options(config, issuer), queries);
        IngressServer server = ingress.server();
        return new RunningService(this, new Ingress(ingress, issuer), "MSP API https://" + host(config) + ":"
            + server.mspPort() + "/cesim/msp/v1, touchpoint API https://" + host(config) + ":"
            + server.touchpointPort() + "/api/v1", ingress::ready, () -> true, () -> {
              ingress.close();
              if (issuer != null) {
                issuer.close();
              }
            });
      } catch (Exception | Error e) {
        if (issuer != null) {
          issuer.close();
        }
        throw e;
      }
    }
  },
  INGRESS_AID2("ingress-aid2") {
    @Override
    RunningService start(AidConfig config, SchemaRegistryClient registry) {
      BridgeSettings settings = BridgeSettings.from(config);
      Aid2Bridge bridge = Aid2Bridge.start(settings, registry, Duration.ofSeconds(30));
      return new RunningService(this, bridge, "running as " + bridge.clientId() + " on " + settings.mqttHost() + ":"
          + settings.mqttPort(), bridge::ready, () -> true, bridge); // it reconnects to both brokers by itself
    }
  },
  EGRESS_MSP("egress-msp") {
    @Override
    RunningService start(AidConfig config, SchemaRegistryClient registry) {
      MspRegistry msps = MspRegistry.from(config);
      if (msps.all().isEmpty()) {
        throw new IllegalArgumentException("egress-msp calls MSPs, and none is configured (msp.ids)");
      }
      EgressSettings settings = EgressMain.settings(config);
      EgressWorker egress = EgressWorker.start(settings, registry);
      return new RunningService(this, egress, "running for " + String.join(", ", msps.all().stream()
          .map(m -> m.id() + " at " + m.baseUrl()).toList()), egress::ready, () -> egress.failure() == null, egress);
    }
  },
  EGRESS_DOWNLINK("egress-downlink") {
    @Override
    RunningService start(AidConfig config, SchemaRegistryClient registry) {
      DownlinkSettings settings = DownlinkSettings.from(config); // its login: downlink.mqtt.* (DevCredentials)
      DownlinkPublisher downlink = DownlinkPublisher.start(settings, registry);
      return new RunningService(this, downlink, settings.downlinkTopic() + " -> " + settings.broker()
          + " aid2/v1/vehicles/{vin}/down/{message}", downlink::ready, () -> downlink.failure() == null,
          downlink);
    }
  },
  PROJECTIONS("projections") {
    @Override
    RunningService start(AidConfig config, SchemaRegistryClient registry) {
      ProjectionsSettings settings = ProjectionsSettings.from(config);
      Projector projector = new Projector(settings, Database.open(settings), registry).start();
      return new RunningService(this, projector, "running into PostgreSQL schema " + settings.schema(),
          projector::ready, projector::alive, projector);
    }
  };

  /** ingress-aid1 with the local OIDC issuer it started, if it did. */
  record Ingress(IngressAid1 ingress, LocalOidcIssuer issuer) {}

  private final String id;

  AidService(String id) {
    this.id = id;
  }

  /** The name {@code aid run} takes and the metrics and logs use. */
  String id() {
    return id;
  }

  abstract RunningService start(AidConfig config, SchemaRegistryClient registry) throws Exception;

  static Optional<AidService> byId(String id) {
    return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
  }

  static String ids() {
    return String.join(", ", Arrays.stream(values()).map(AidService::id).toList());
  }

  private static String host(AidConfig config) {
    return config.get("ingress.aid1.host").orElse("127.0.0.1");
  }
}
