package org.aidcmp.ingress.aid1;

import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.aidcmp.schemas.aid2.wire.Aid2AsyncApi;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Javalin (Jetty 12) server with two HTTPS connectors on the same routes: the MSP port, which needs a
 * pinned client certificate (§6, two-way TLS) before a single byte of HTTP is read, and the touchpoint port,
 * server-authenticated only (touchpoints present bearer tokens). The MSP API answers 401 on the touchpoint
 * port, since no client certificate arrives there.
 */
public final class IngressServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngressServer.class);
  public static final String OPENAPI_PATH = "/openapi.json";
  /** The AiD2 (vehicle, MQTT) interface's AsyncAPI document, and beside it the JSON Schemas it refers to. */
  public static final String ASYNCAPI_PATH = "/aid2/asyncapi.yaml";
  public static final String AID2_SCHEMA_PATH = "/aid2/json/{schema}";

  private final Javalin app;
  private final RouteTable[] table = new RouteTable[1];
  private final ServerConnector[] connectors = new ServerConnector[2];

  public IngressServer(String host, int mspPort, SSLContext mspTls, int touchpointPort, SSLContext touchpointTls,
      long maxBodyBytes, MspRoutes mspRoutes, TouchpointRoutes touchpointRoutes, QueryRoutes queryRoutes) {
    byte[] openapi = openapi();
    byte[] asyncapi = Aid2AsyncApi.load().yaml();
    Map<String, byte[]> aid2Schemas = Aid2AsyncApi.schemaFiles();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.http.maxRequestSize = maxBodyBytes;
      config.http.prefer405over404 = true;
      // HTTP server metrics: every answer by API, route (the AiD1 function or touchpoint resource) and status.
      config.requestLogger.http((ctx, ms) -> countAnswer(ctx, ms));
      config.jetty.modifyHttpConfiguration(http -> {
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Bounded headers: an oversize header is a 431 from Jetty, before any of our code runs.
        http.setRequestHeaderSize(16 * 1024);
        // RFC 3986 strictly (Javalin sets LEGACY): no path of this API needs %u escapes, bad UTF-8, ambiguous
        // segments (..;/, %2e%2e) or encoded separators, so Jetty refuses them with a 400 before any route;
        // under LEGACY a %uXXXX reached the route and failed its path parameter's decoding with a 500.
        http.setUriCompliance(UriCompliance.DEFAULT);
      });
      config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      config.jetty.addConnector((server, http) ->
          connectors[0] = connector(server, http, mspTls, true, host, mspPort));
      config.jetty.addConnector((server, http) ->
          connectors[1] = connector(server, http, touchpointTls, false, host, touchpointPort));

      RouteTable routes = new RouteTable(config.routes);
      mspRoutes.install(routes);
      touchpointRoutes.install(routes);
      queryRoutes.install(routes);
      routes.get(OPENAPI_PATH, ctx -> ctx.contentType("application/json").result(openapi));
      routes.get(ASYNCAPI_PATH, ctx -> ctx.contentType("application/yaml; charset=utf-8").result(asyncapi));
      routes.get(AID2_SCHEMA_PATH, ctx -> {
        byte[] schema = aid2Schemas.get(ctx.pathParam("schema"));
        if (schema == null) {
          throw new ApiError(404, "91", "No such AiD2 schema");
        }
        ctx.contentType("application/schema+json").result(schema);
      });
      table[0] = routes;

      config.routes.exception(ApiError.class, (e, ctx) -> Responses.error(ctx, e));
      config.routes.exception(HttpResponseException.class, (e, ctx) -> refuse(ctx, e.getStatus()));
      config.routes.exception(Exception.class, (e, ctx) -> {
        // Never the exception's message: it may quote the request.
        // Never the path either: it holds account ids and msp_tokens.
        LOG.error("unexpected {} on {}", e.getClass().getName(), ctx.method());
        Responses.error(ctx, 500, "90", "Internal Server Error");
      });
      // Statuses Jetty or Javalin set without an exception still get the §5.1.5 body.
      for (int status : List.of(400, 404, 405, 413, 415, 431, 500)) {
        config.routes.error(status, "*", ctx -> {
          if (ctx.resultInputStream() == null) {
            refuse(ctx, status);
          }
        });
      }
      // A java.lang.Error (say, a StackOverflowError) bypasses the exception mappers; it too gets the body.
      config.router.javaLangErrorHandler((response, error) -> {
        LOG.error("unexpected {}", error.getClass().getName());
        JsonErrorHandler.Refusal refusal = JsonErrorHandler.refusal(500);
        response.setStatus(refusal.status());
        response.setContentType("application/json; charset=utf-8");
        try {
          response.getOutputStream().write(refusal.body());
        } catch (IOException e) {
          // The connection is gone: nobody to answer.
        }
      });
    });
  }

  private static void refuse(io.javalin.http.Context ctx, int status) {
    JsonErrorHandler.Refusal refusal = JsonErrorHandler.refusal(status);
    Responses.error(ctx, refusal.status(), refusal.code(), refusal.error());
  }

  private static ServerConnector connector(Server server, HttpConfiguration http, SSLContext tls, boolean needClientAuth,
      String host, int port) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(tls);
    ssl.setNeedClientAuth(needClientAuth);
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    HttpConfiguration https = new HttpConfiguration(http);
    // Puts the client certificate on the request; no SNI host check: clients reach us by IP on loopback too.
    https.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector = new ServerConnector(server,
        new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(30_000);
    return connector;
  }

  private static byte[] openapi() {
    try (InputStream in = IngressServer.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public IngressServer start() {
    app.start();
    LOG.info("ingress-aid1 serving MSPs on https port {}, touchpoints on https port {}", mspPort(), touchpointPort());
    return this;
  }

  private void countAnswer(io.javalin.http.Context ctx, Float ms) {
    String function;
    try {
      function = ctx.endpoint().path;
    } catch (RuntimeException e) {
      function = "unmatched"; // never the raw path: it would carry ids, and grow without bound
    }
    io.micrometer.core.instrument.Timer.builder(org.aidcmp.schemas.metrics.AidMeters.INGRESS_REQUESTS)
        .tag("api", ctx.port() == mspPort() ? "msp" : "touchpoint")
        .tag("method", ctx.method().name())
        .tag("function", function)
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(io.micrometer.core.instrument.Metrics.globalRegistry)
        .record(java.time.Duration.ofNanos((long) (ms * 1_000_000L)));
  }

  public int mspPort() {
    return connectors[0].getLocalPort();
  }

  public int touchpointPort() {
    return connectors[1].getLocalPort();
  }

  /** Every route this server declares, for the OpenAPI test. */
  public List<RouteTable.Route> routes() {
    return table[0].declared();
  }

  @Override
  public void close() {
    app.stop();
  }
}
