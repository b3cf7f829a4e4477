package org.aidcmp.infra.launcher;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aidcmp.egress.EgressMain;
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
import org.aidcmp.projections.Database;
import org.aidcmp.projections.ProjectionsSettings;
import org.aidcmp.projections.Projector;
import org.aidcmp.projections.read.ProjectionReads;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * The platform's services in one JVM (the embedded default): lifecycle-streams, the egress MSP client (when an
 * MSP is configured), the vehicle downlink (to the MQTT broker), the projections (event topics into PostgreSQL),
 * ingress-aid1 with the query API mounted on the projections' read side and, when no OIDC provider is configured,
 * a local issuer for the touchpoint API. Each is wired here by hand, as its own {@code main} would, against the
 * endpoints given; they stop in the reverse order, so nothing new comes in while egress and the topology finish.
 */
public final class Services implements AutoCloseable {
  private final Closer started = new Closer();
  private final Map<String, String> endpoints = new LinkedHashMap<>();
  private LocalOidcIssuer issuer;
  private IngressAid1 ingress;
  private EgressWorker egress;
  private DownlinkPublisher downlink;
  private Projector projector;

  private Services() {}

  public static Services start(AidConfig config, Endpoints backing) {
    Services services = new Services();
    try {
      services.startAll(config, backing);
      return services;
    } catch (Exception e) {
      services.close();
      throw e instanceof RuntimeException r ? r : new IllegalStateException("services failed to start: " + e, e);
    }
  }

  private void startAll(AidConfig base, Endpoints backing) throws Exception {
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
    AidConfig config = DevCredentials.fill(base, data).with(where);
    MspRegistry msps = MspRegistry.from(config);
    SchemaRegistryClient registry = Aid.registryClient(config, backing);

    LifecycleStreams lifecycle = LifecycleStreams.start(backing.kafkaBootstrapServers(), registry,
        LifecycleStreams.settings(config, msps),
        config.get("lifecycle.application-id").orElse("aid-lifecycle"),
        config.get("lifecycle.state-dir").orElse(data.resolve("lifecycle-streams").toString()),
        config.get("lifecycle.instance-id").orElse("local"),
        config.withPrefix(LifecycleStreams.STREAMS_PREFIX));
    started.add(lifecycle);
    endpoints.put("lifecycle-streams", "running (exactly_once_v2)");

    if (config.get("mqtt.server.uri").isPresent() || config.get("ingress.aid2.server.uri").isPresent()) {
      BridgeSettings bridgeSettings = BridgeSettings.from(config);
      Aid2Bridge bridge = started.add(Aid2Bridge.start(bridgeSettings, registry, Duration.ofSeconds(30)));
      endpoints.put("ingress-aid2 (AiD2 uplink bridge)", "running as " + bridge.clientId() + " on "
          + bridgeSettings.mqttHost() + ":" + bridgeSettings.mqttPort());
    } else {
      endpoints.put("ingress-aid2 (AiD2 uplink bridge)", "not started: no MQTT broker (mqtt.server.uri)");
    }

    if (msps.all().isEmpty()) {
      endpoints.put("egress (MSP calls)", "not started: no MSP configured (msp.ids)");
    } else {
      egress = started.add(EgressWorker.start(EgressMain.settings(config), registry));
      endpoints.put("egress (MSP calls)", "running for " + String.join(", ", msps.all().stream()
          .map(m -> m.id() + " at " + m.baseUrl()).toList()));
    }

    DownlinkSettings downlinkSettings = DownlinkSettings.from(config); // its login: downlink.mqtt.* (DevCredentials)
    downlink = started.add(DownlinkPublisher.start(downlinkSettings, registry));
    endpoints.put("egress (vehicle downlink)", downlinkSettings.downlinkTopic() + " -> " + downlinkSettings.broker()
        + " aid2/v1/vehicles/{vin}/down/{message}");
    ProjectionsSettings projections = ProjectionsSettings.from(config.with(Map.of(
        "postgres.jdbc.url", backing.postgresJdbcUrl(),
        "postgres.user", backing.postgresUser(),
        "postgres.password", backing.postgresPassword() == null ? "" : backing.postgresPassword())));
    org.jdbi.v3.core.Jdbi readModels = Database.open(projections);
    projector = started.add(new Projector(projections, readModels, registry).start());
    endpoints.put("projections", "running into PostgreSQL schema " + projections.schema());

    if (config.get("oidc.jwks-url").isEmpty()) {
      issuer = new LocalOidcIssuer(config.getInt("oidc.local.port", 18090),
          config.get("oidc.audience").orElse(LocalOidcIssuer.DEFAULT_AUDIENCE), Clock.systemUTC()).start();
      started.add(issuer);
      endpoints.put("Local OIDC issuer", issuer.issuer() + " (POST /token with sub, roles)");
    }
    ingress = IngressAid1.start(IngressAid1.options(config, issuer),
        QueryRoutes.Mount.from(config, ProjectionReads.on(readModels)));
    started.add(ingress);
    IngressServer server = ingress.server();
    endpoints.put("AiD1 MSP API (mTLS)", "https://127.0.0.1:" + server.mspPort() + "/cesim/msp/v1");
    endpoints.put("Touchpoint API", "https://127.0.0.1:" + server.touchpointPort() + "/api/v1 (OpenAPI: "
        + IngressServer.OPENAPI_PATH + ")");
    endpoints.put("Customer-care page", "https://127.0.0.1:" + server.touchpointPort() + QueryRoutes.CARE_PAGE
        + " (a token with the " + config.get("oidc.care-role").orElse("care") + " role)");
    if (base.get("ingress.aid1.tls.keystore").isEmpty()) {
      endpoints.put("Local CA (trust it)", DevCredentials.localCa(data).toString());
    }
    if (egress != null && base.get("egress.tls.identity").isEmpty()) {
      endpoints.put("CMP client certificate", DevCredentials.cmpClient(data) + " (what MSPs must trust, §6)");
    }
  }

  /** What runs where, for the person who started it. */
  public Map<String, String> describe() {
    return Map.copyOf(endpoints);
  }

  public Map<String, String> endpoints() {
    return endpoints;
  }

  public LocalOidcIssuer issuer() {
    return issuer;
  }

  public IngressAid1 ingress() {
    return ingress;
  }

  public Projector projector() {
    return projector;
  }

  /** The egress worker; null when no MSP is configured. */
  public EgressWorker egress() {
    return egress;
  }

  /** The vehicle downlink publisher. */
  public DownlinkPublisher downlink() {
    return downlink;
  }

  @Override
  public void close() {
    started.close();
  }
}
