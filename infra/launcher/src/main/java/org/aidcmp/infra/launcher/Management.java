package org.aidcmp.infra.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.aidcmp.infra.config.AidConfig;

/**
 * A process's operations endpoint: {@code /health/live} (no service it runs has given up for good; 503 with
 * which have, so an orchestrator restarts the process), {@code /health/ready} (every service it runs is ready;
 * 503 with which are not) and {@code /metrics} (Prometheus text, from one
 * {@link PrometheusMeterRegistry} added to Micrometer's global registry, which the services count into). One per
 * process: {@code aid run} has one service behind it, {@code aid up} all of them (one port, one registry; the
 * Kafka figures are told apart by their {@code client_id}). A small JDK HTTP server on {@code management.host}
 * (default 127.0.0.1) and {@code management.port} (0: any free port).
 */
final class Management implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final List<RunningService> services = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService threads;

  private Management(PrometheusMeterRegistry registry, HttpServer server, ExecutorService threads) {
    this.registry = registry;
    this.server = server;
    this.threads = threads;
  }

  /** @param service the {@code service} tag on every figure: the service {@code aid run} runs, or "aid-up" */
  static Management start(AidConfig config, String service) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("service", service, "instance_id", config.get("aid.instance-id").orElse("local"));
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.get("management.host").orElse("127.0.0.1"),
          config.getInt("management.port", 0)), 16);
    } catch (IOException e) {
      registry.close();
      throw new UncheckedIOException("management.port " + config.getInt("management.port", 0) + ": " + e.getMessage(), e);
    }
    ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "aid-management");
      t.setDaemon(true);
      return t;
    });
    Management management = new Management(registry, server, threads);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    management.gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Metrics.addRegistry(registry);
    server.createContext("/health/live", ex -> management.health(ex, "live", management.liveness()));
    server.createContext("/health/ready", ex -> management.health(ex, "ready", management.readiness()));
    server.createContext("/metrics", ex -> answer(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.setExecutor(threads);
    server.start();
    return management;
  }

  /** A service this endpoint reports on. */
  void add(RunningService service) {
    services.add(service);
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    return "http://" + server.getAddress().getHostString() + ":" + port();
  }

  /** Each service's readiness, in start order. */
  Map<String, Boolean> readiness() {
    return each(RunningService::ready);
  }

  /** Each service's liveness, in start order: false once a fatal error stopped it. */
  Map<String, Boolean> liveness() {
    return each(RunningService::alive);
  }

  private Map<String, Boolean> each(java.util.function.Function<RunningService, java.util.function.BooleanSupplier> what) {
    Map<String, Boolean> each = new java.util.LinkedHashMap<>();
    for (RunningService s : services) {
      boolean r;
      try {
        r = what.apply(s).getAsBoolean();
      } catch (RuntimeException e) {
        r = false; // a client closed under us
      }
      each.put(s.service().id(), r);
    }
    return each;
  }

  /** 200 when every service holds, else 503; the body names each service's answer. */
  private void health(HttpExchange exchange, String what, Map<String, Boolean> each) throws IOException {
    boolean all = !each.containsValue(false) && (what.equals("live") || !each.isEmpty());
    StringBuilder body = new StringBuilder("{\"").append(what).append("\":").append(all).append(",\"services\":{");
    each.forEach((id, r) -> body.append('"').append(id).append("\":").append(r).append(','));
    if (!each.isEmpty()) {
      body.setLength(body.length() - 1);
    }
    answer(exchange, all ? 200 : 503, "application/json", body.append("}}\n").toString());
  }

  private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    Metrics.removeRegistry(registry);
    gc.close();
    registry.close();
  }
}
