package org.aidcmp.infra.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aidcmp.egress.EgressWorker;
import org.aidcmp.egress.downlink.DownlinkPublisher;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.ingress.aid1.IngressAid1;
import org.aidcmp.ingress.aid1.IngressServer;
import org.aidcmp.ingress.aid1.QueryRoutes;
import org.aidcmp.ingress.aid1.oidc.LocalOidcIssuer;
import org.aidcmp.projections.Projector;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's services in one JVM (the embedded default): lifecycle-streams, the AiD2 uplink bridge (when an
 * MQTT broker is there), the egress MSP client (when an MSP is configured), the vehicle downlink, the projections
 * and ingress-aid1 with the query API and, when no OIDC provider is configured, a local issuer for the touchpoint
 * API. Each starts by its {@link AidService} function, the same {@code aid run SERVICE} uses, after the
 * configuration is given the endpoints and the dev credentials; they stop in the reverse order, so nothing new
 * comes in while egress and the topology finish. One {@link Management} endpoint reports on all of them.
 */
public final class Services implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Services.class);
  private final Closer started = new Closer();
  private final Map<String, String> endpoints = new LinkedHashMap<>();
  private final Map<AidService, RunningService> running = new java.util.EnumMap<>(AidService.class);
  private Management management;
  private java.util.Set<AidService> elsewhere = java.util.Set.of();

  private Services() {}

  public static Services start(AidConfig config, Endpoints backing) {
    return start(config, backing, java.util.Set.of());
  }

  /** As {@link #start(AidConfig, Endpoints)}, without the services in {@code elsewhere} (run in a process of their own). */
  static Services start(AidConfig config, Endpoints backing, java.util.Set<AidService> elsewhere) {
    Services services = new Services();
    services.elsewhere = java.util.Set.copyOf(elsewhere);
    try {
      services.startAll(config, backing);
      return services;
    } catch (Exception e) {
      services.close();
      throw e instanceof RuntimeException r ? r : new IllegalStateException("services failed to start: " + e, e);
    }
  }

  /** The configuration the services of {@code aid up} start from: the endpoints given, the dev credentials. */
  static AidConfig forEndpoints(AidConfig base, Endpoints backing) {
    Path data = Path.of(base.get("aid.data.dir").orElse(".aid/data"));
    Map<String, String> where = new java.util.HashMap<>(Map.of(
        "kafka.bootstrap.servers", backing.kafkaBootstrapServers(),
        "schema.registry.url", backing.schemaRegistryUrl()));
    // The AiD2 services reach the broker by these, as the Kafka clients do by the two above.
    if (backing.mqttServerUri() != null) {
      where.put("mqtt.server.uri", backing.mqttServerUri());
    }
    if (backing.mqttTlsServerUri() != null) {
      where.put("mqtt.tls.server.uri", backing.mqttTlsServerUri());
    }
    if (backing.postgresJdbcUrl() != null) {
      where.put("postgres.jdbc.url", backing.postgresJdbcUrl());
      where.put("postgres.user", backing.postgresUser());
      where.put("postgres.password", backing.postgresPassword() == null ? "" : backing.postgresPassword());
    }
    return DevCredentials.fill(base, data).with(where);
  }

  private void startAll(AidConfig base, Endpoints backing) throws Exception {
    Path data = Path.of(base.get("aid.data.dir").orElse(".aid/data"));
    AidConfig config = forEndpoints(base, backing);
    management = started.add(Management.start(config, "aid-up"));
    SchemaRegistryClient registry = started.add(Aid.registryClient(config, backing));

    if (!elsewhere.contains(AidService.LIFECYCLE_STREAMS)) {
      start(AidService.LIFECYCLE_STREAMS, config, registry, "lifecycle-streams");
    }
    if (config.get("mqtt.server.uri").isPresent() || config.get("ingress.aid2.server.uri").isPresent()) {
      start(AidService.INGRESS_AID2, config, registry, "ingress-aid2 (AiD2 uplink bridge)");
    } else {
      endpoints.put("ingress-aid2 (AiD2 uplink bridge)", "not started: no MQTT broker (mqtt.server.uri)");
    }
    if (MspRegistry.from(config).all().isEmpty()) {
      endpoints.put("egress (MSP calls)", "not started: no MSP configured (msp.ids)");
    } else {
      start(AidService.EGRESS_MSP, config, registry, "egress (MSP calls)");
    }
    start(AidService.EGRESS_DOWNLINK, config, registry, "egress (vehicle downlink)");
    start(AidService.PROJECTIONS, config, registry, "projections");
    start(AidService.INGRESS_AID1, config, registry, "ingress-aid1");

    IngressServer server = ingress().server();
    if (issuer() != null) {
      endpoints.put("Local OIDC issuer", issuer().issuer() + " (POST /token with sub, roles)");
    }
    endpoints.put("AiD1 MSP API (mTLS)", "https://127.0.0.1:" + server.mspPort() + "/cesim/msp/v1");
    endpoints.put("Touchpoint API", "https://127.0.0.1:" + server.touchpointPort() + "/api/v1 (OpenAPI: "
        + IngressServer.OPENAPI_PATH + ")");
    endpoints.put("Customer-care page", "https://127.0.0.1:" + server.touchpointPort() + QueryRoutes.CARE_PAGE
        + " (a token with the " + config.get("oidc.care-role").orElse("care") + " role)");
    endpoints.put("Health and metrics", management.url() + "/health/ready, " + management.url() + "/metrics");
    if (base.get("ingress.aid1.tls.keystore").isEmpty()) {
      endpoints.put("Local CA (trust it)", DevCredentials.localCa(data).toString());
    }
    if (egress() != null && base.get("egress.tls.identity").isEmpty()) {
      endpoints.put("CMP client certificate", DevCredentials.cmpClient(data) + " (what MSPs must trust, §6)");
    }
  }

  private void start(AidService service, AidConfig config, SchemaRegistryClient registry, String label)
      throws Exception {
    RunningService s = service.start(config, registry);
    started.add(() -> LOG.info("{} stopped", service.id())); // runs after s closed: the closer runs in reverse
    started.add(s);
    running.put(service, s);
    management.add(s);
    endpoints.put(label, s.where());
    LOG.info("{} started: {}", service.id(), s.where());
  }

  /** What runs where, for the person who started it. */
  public Map<String, String> describe() {
    return Map.copyOf(endpoints);
  }

  public Map<String, String> endpoints() {
    return endpoints;
  }

  /** The operations endpoint: /health/live, /health/ready, /metrics. */
  Management management() {
    return management;
  }

  private <T> T instance(AidService service, Class<T> type) {
    RunningService s = running.get(service);
    return s == null ? null : type.cast(s.instance());
  }

  public LocalOidcIssuer issuer() {
    AidService.Ingress ingress = instance(AidService.INGRESS_AID1, AidService.Ingress.class);
    return ingress == null ? null : ingress.issuer();
  }

  public IngressAid1 ingress() {
    AidService.Ingress ingress = instance(AidService.INGRESS_AID1, AidService.Ingress.class);
    return ingress == null ? null : ingress.ingress();
  }

  public Projector projector() {
    return instance(AidService.PROJECTIONS, Projector.class);
  }

  /** The egress worker; null when no MSP is configured. */
  public EgressWorker egress() {
    return instance(AidService.EGRESS_MSP, EgressWorker.class);
  }

  /** The vehicle downlink publisher. */
  public DownlinkPublisher downlink() {
    return instance(AidService.EGRESS_DOWNLINK, DownlinkPublisher.class);
  }

  @Override
  public void close() {
    started.close();
  }
}
