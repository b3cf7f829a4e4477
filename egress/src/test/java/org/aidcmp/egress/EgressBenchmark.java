package org.aidcmp.egress;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Speed figures, not a test. In one run, against the same two simulated MSPs (mutual TLS, §7.1.11 Request
 * profile status), at the same concurrency per MSP ({@code concurrency}, egress's bulkhead):
 * <ul>
 *   <li>the raw limit: a plain JDK {@code HttpClient} per MSP (keep-alive, mutual TLS), {@code concurrency}
 *       blocking callers per MSP, with one MSP busy and with two;</li>
 *   <li>egress: a backlog of commands per MSP drained by one worker, with one MSP busy and with two; calls/s per
 *       MSP counted from the results' timestamps once the backlog is written (steady state, after a warm-up
 *       round);</li>
 *   <li>CPU per call from the threads' CPU time, split into the caller's side (egress, or the plain client) and
 *       the rest (simulators, Kafka broker, registry), and the whole process;</li>
 *   <li>latency: one call at a time, plain client round trip vs egress command record to result record, and the
 *       p50/p99 egress adds.</li>
 * </ul>
 * Run from the worktree root after {@code mvn -pl egress -am test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test}:
 * {@code java -cp egress/target/test-classes:egress/target/classes:$(cat egress/target/cp.txt)
 * org.aidcmp.egress.EgressBenchmark [commandsPerMsp] [concurrency] [rounds]} (rounds 0: the latency part only; the
 * plain consumer of the Kafka hop takes {@code -Dbench.hop.isolation} and {@code -Dbench.hop.fetch-max-wait-ms}).
 */
public final class EgressBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int LATENCY_SAMPLES = 400;
  private static final int USERS_PER_MSP = 200;

  private EgressBenchmark() {}

  public static void main(String[] args) throws Exception {
    int perMsp = args.length > 0 ? Integer.parseInt(args[0]) : 6_000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    THREADS.setThreadCpuTimeEnabled(true);
    Path dir = Files.createTempDirectory("aid-egress-bench-");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir).port(0).build().start();
         SchemaRegistryServer registryServer = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start();
         Harness h = new Harness(new SharedKafka.Endpoints(kafka.bootstrapServers(), registryServer.url()), "bench");
         KafkaProducer<String, SpecificRecord> commands = new KafkaProducer<>(Map.of(
             "bootstrap.servers", kafka.bootstrapServers(), "acks", "all", "linger.ms", 0),
             new StringSerializer(), new AvroSerializer<>(h.registry, true))) {
      Map<String, List<String>> users = new HashMap<>();
      users.put("mspS", new ArrayList<>());
      users.put("mspA", new ArrayList<>());
      for (int i = 0; i < USERS_PER_MSP; i++) {
        users.get("mspS").add(h.newUser(h.sync, 1));
        users.get("mspA").add(h.newUser(h.async, 1));
      }
      Plain plain = new Plain(h, concurrency);
      // The plain client's timeout (10 s, egress's default), not the tests' 2 s: on a loaded machine a 2 s
      // timeout cuts connections (a new TLS handshake each) and retries calls the plain client just waits for.
      io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      EgressWorker worker = h.startWorker(h.settings("bench").perMsp(concurrency, 10_000)
          .callTimeout(Duration.ofSeconds(10)).meterRegistry(meters));
      try (KafkaConsumer<String, Aid1Result> results = consumer(h)) {
        Bench bench = new Bench(h, commands, results, users);
        bench.drain(List.of("mspS", "mspA"), 500); // the worker has joined its group and is warm enough to start
        Figures plain1 = null;
        Figures plain2 = null;
        Figures egress1 = null;
        Figures egress2 = null;
        for (int round = 1; round <= rounds; round++) {
          plain1 = plain.run(List.of("mspS"), perMsp, users);
          plain2 = plain.run(List.of("mspS", "mspA"), perMsp, users);
          egress1 = bench.drain(List.of("mspS"), perMsp);
          egress2 = bench.drain(List.of("mspS", "mspA"), perMsp);
          System.out.printf("round %d of %d%s%n", round, rounds, round < rounds ? " (warm-up)" : "");
          print("plain HttpClient, one MSP busy ", plain1);
          print("plain HttpClient, two MSPs busy", plain2);
          print("egress, one MSP busy           ", egress1);
          print("egress, two MSPs busy          ", egress2);
        }
        List<Double> plainMs = plain.latency(users.get("mspS").get(0), LATENCY_SAMPLES + 50);
        List<Double> hopMs = new ArrayList<>();
        List<Double> ackMs = new ArrayList<>();
        List<Double> egressMs = bench.latency(users.get("mspS").get(0), LATENCY_SAMPLES + 50, hopMs, ackMs);
        plainMs = plainMs.subList(50, plainMs.size());
        egressMs = egressMs.subList(50, egressMs.size());
        hopMs = hopMs.subList(50, hopMs.size());
        ackMs = ackMs.subList(50, ackMs.size());
        System.out.printf("the command's produce alone (acks=all, linger 0): p50 %.2f ms p99 %.2f ms%n", pct(ackMs, 50),
            pct(ackMs, 99));
        System.out.printf("the Kafka hop alone, same commands: sent to seen by a plain read_committed consumer"
            + " p50 %.2f ms p99 %.2f ms%n", pct(hopMs, 50), pct(hopMs, 99));
        if (rounds == 0) {
          System.out.printf("latency only (rounds 0): egress command record to result record p50 %.2f ms p99 %.2f ms%n",
              pct(egressMs, 50), pct(egressMs, 99));
          worker.close();
          plain.close();
          return;
        }
        System.out.printf("latency, one call at a time (%d samples): plain p50 %.2f ms p99 %.2f ms; egress command"
                + " record to result record p50 %.2f ms p99 %.2f ms; egress adds p50 %.2f ms p99 %.2f ms%n",
            LATENCY_SAMPLES, pct(plainMs, 50), pct(plainMs, 99), pct(egressMs, 50), pct(egressMs, 99),
            pct(egressMs, 50) - pct(plainMs, 50), pct(egressMs, 99) - pct(plainMs, 99));
        System.out.printf("ratios (egress / plain, same run): calls/s per MSP one busy %.2f, two busy %.2f;"
                + " caller-side CPU per call one busy %.2f, two busy %.2f; whole-process CPU per call two busy %.2f%n",
            egress1.perMsp() / plain1.perMsp(), egress2.perMsp() / plain2.perMsp(),
            egress1.callerCpuMs() / plain1.callerCpuMs(), egress2.callerCpuMs() / plain2.callerCpuMs(),
            egress2.totalCpuMs() / plain2.totalCpuMs());
        System.out.println("CPU by thread, egress two MSPs busy (ms per call): " + egress2.byThread());
        System.out.println("CPU by thread, plain two MSPs busy (ms per call): " + plain2.byThread());
        double attempts = meters.find("aid.egress.attempts").counters().stream().mapToDouble(c -> c.count()).sum();
        double done = meters.find("aid.egress.results").counters().stream().mapToDouble(c -> c.count()).sum();
        System.out.printf("egress attempts per command %.3f (%.0f attempts, %.0f results)%n", attempts / done, attempts, done);
        worker.close();
      }
      plain.close();
    }
  }

  /** What one phase measured: calls/s per busy MSP, CPU per call (caller side, the rest, whole process). */
  record Figures(double perMsp, double callerCpuMs, double otherCpuMs, double totalCpuMs, Map<String, String> byThread) {}

  private static void print(String what, Figures f) {
    System.out.printf("  %s: %6.0f calls/s per MSP; CPU per call: caller %.3f ms, simulators+Kafka %.3f ms,"
        + " whole process %.3f ms%n", what, f.perMsp(), f.callerCpuMs(), f.otherCpuMs(), f.totalCpuMs());
  }

  /** The raw limit: one keep-alive mutual-TLS HttpClient per MSP, {@code concurrency} blocking callers each. */
  private static final class Plain implements AutoCloseable {
    private final Harness h;
    private final int concurrency;
    private final Map<String, HttpClient> clients = new HashMap<>();
    private final MspRequests requests = new MspRequests(Harness.CMP_ID, Duration.ofSeconds(10));
    private final ExecutorService callers;

    Plain(Harness h, int concurrency) {
      this.h = h;
      this.concurrency = concurrency;
      this.callers = Executors.newFixedThreadPool(2 * concurrency, named("plain-caller"));
      for (String msp : List.of("mspS", "mspA")) {
        clients.put(msp, HttpClient.newBuilder()
            .sslContext(Tls.clientContext(h.cmpCa.issueClient(Harness.CMP_ID), List.of(h.mspCa.certificate())))
            .build());
      }
    }

    Figures run(List<String> msps, int perMsp, Map<String, List<String>> users) throws Exception {
      Map<Thread, Long> cpuBefore = threadCpu();
      long processBefore = processCpu();
      long start = System.nanoTime();
      List<Future<?>> calls = new ArrayList<>();
      for (String mspId : msps) {
        MspRegistry.Msp msp = h.msps.byId(mspId).orElseThrow();
        AtomicInteger next = new AtomicInteger();
        for (int c = 0; c < concurrency; c++) {
          calls.add(callers.submit(() -> {
            for (int i = next.getAndIncrement(); i < perMsp; i = next.getAndIncrement()) {
              List<String> tokens = users.get(mspId);
              MspCommand command = MspCommand.of(command(mspId, tokens.get(i % tokens.size()), UUID.randomUUID().toString()));
              HttpResponse<String> r = clients.get(mspId).send(requests.build(msp, command), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("simulator answered " + r.statusCode() + ": " + r.body());
              }
            }
            return null;
          }));
        }
      }
      for (Future<?> call : calls) {
        call.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      int total = perMsp * msps.size();
      return figures(perMsp / seconds, total, cpuBefore, threadCpu(), processCpu() - processBefore,
          name -> name.startsWith("plain-caller") || name.startsWith("HttpClient-"));
    }

    List<Double> latency(String token, int samples) throws Exception {
      MspRegistry.Msp msp = h.msps.byId("mspS").orElseThrow();
      List<Double> ms = new ArrayList<>();
      for (int i = 0; i < samples; i++) {
        MspCommand command = MspCommand.of(command("mspS", token, UUID.randomUUID().toString()));
        var request = requests.build(msp, command);
        long t0 = System.nanoTime();
        clients.get("mspS").send(request, HttpResponse.BodyHandlers.ofString());
        ms.add((System.nanoTime() - t0) / 1e6);
      }
      return ms;
    }

    @Override
    public void close() {
      callers.shutdownNow();
    }
  }

  /** Egress: backlogs written to the outbound topic, drained by the worker, counted from the results topic. */
  private static final class Bench {
    private final Harness h;
    private final KafkaProducer<String, SpecificRecord> commands;
    private final KafkaConsumer<String, Aid1Result> results;
    private final Map<String, List<String>> users;

    Bench(Harness h, KafkaProducer<String, SpecificRecord> commands, KafkaConsumer<String, Aid1Result> results,
          Map<String, List<String>> users) {
      this.h = h;
      this.commands = commands;
      this.results = results;
      this.users = users;
    }

    /** Writes {@code perMsp} commands per MSP, then counts their results until all are there. */
    Figures drain(List<String> msps, int perMsp) {
      for (int i = 0; i < perMsp; i++) {
        for (String msp : msps) {
          String token = users.get(msp).get(i % USERS_PER_MSP);
          commands.send(new ProducerRecord<>(h.outbound, token, command(msp, token, UUID.randomUUID().toString())));
        }
      }
      commands.flush();
      // Steady state: count only results written after the backlog is in the log (its writing costs CPU too).
      long from = System.currentTimeMillis();
      Map<Thread, Long> cpuBefore = threadCpu();
      long processBefore = processCpu();
      int total = perMsp * msps.size();
      int seen = 0;
      int counted = 0;
      long firstCounted = Long.MAX_VALUE;
      long last = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (seen < total) {
        for (ConsumerRecord<String, Aid1Result> r : results.poll(Duration.ofMillis(50))) {
          seen++;
          if (r.timestamp() > from) {
            counted++;
            firstCounted = Math.min(firstCounted, r.timestamp());
            last = Math.max(last, r.timestamp());
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("egress did not finish: " + seen + " of " + total + " results");
        }
      }
      Map<Thread, Long> cpuAfter = threadCpu();
      long process = processCpu() - processBefore;
      // Per MSP: the MSPs share the worker, so each did counted/msps calls in the span.
      double seconds = Math.max(1, last - from) / 1e3;
      return figures(counted / (double) msps.size() / seconds, counted, cpuBefore, cpuAfter, process,
          name -> name.startsWith("egress-") || name.startsWith("HttpClient-") || name.startsWith("Thread-")
              || name.endsWith("| bench-results") || name.endsWith("| bench")
              || name.contains("executed-log") || name.contains("deferred"));
    }

    /**
     * One command at a time: its record's time to its result's record time; and, as the raw limit of the Kafka hop
     * in the same run, the time a plain consumer configured as egress's (read_committed, its own fetch settings)
     * first sees the same command, in {@code hop}; the producer's acknowledgement of the command (acks=all) in
     * {@code acked}.
     */
    List<Double> latency(String token, int samples, List<Double> hop, List<Double> acked) throws InterruptedException {
      List<Double> ms = new ArrayList<>();
      Map<String, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
      java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread watcher = new Thread(() -> {
        try (KafkaConsumer<String, byte[]> plain = new KafkaConsumer<>(Map.of(
            "bootstrap.servers", h.endpoints.bootstrapServers(),
            "isolation.level", System.getProperty("bench.hop.isolation", "read_committed"),
            "enable.auto.commit", false, "fetch.max.wait.ms", Integer.getInteger("bench.hop.fetch-max-wait-ms", 500)),
            new StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
          List<TopicPartition> partitions = plain.partitionsFor(h.outbound).stream()
              .map(p -> new TopicPartition(h.outbound, p.partition())).toList();
          plain.assign(partitions);
          plain.seekToEnd(partitions);
          partitions.forEach(plain::position);
          seen.put("ready", System.currentTimeMillis());
          while (watching.get()) {
            for (ConsumerRecord<String, byte[]> r : plain.poll(Duration.ofMillis(50))) {
              seen.putIfAbsent(r.partition() + ":" + r.offset(), System.currentTimeMillis());
            }
          }
        }
      }, "bench-hop-watcher");
      watcher.start();
      long ready = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!seen.containsKey("ready") && System.nanoTime() < ready) {
        Thread.sleep(10);
      }
      for (int i = 0; i < samples; i++) {
        String id = UUID.randomUUID().toString();
        long sent = System.currentTimeMillis();
        org.apache.kafka.clients.producer.RecordMetadata at;
        try {
          at = commands.send(new ProducerRecord<>(h.outbound, token, command("mspS", token, id))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        acked.add((double) (System.currentTimeMillis() - sent));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        boolean done = false;
        while (!done) {
          for (ConsumerRecord<String, Aid1Result> r : results.poll(Duration.ofMillis(5))) {
            if (ExecutedCommands.commandId(r.value()).equals(id)) {
              ms.add((double) (r.timestamp() - sent));
              done = true;
            }
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("no result for " + id);
          }
        }
        Long watched = null;
        long waitHop = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((watched = seen.get(at.partition() + ":" + at.offset())) == null && System.nanoTime() < waitHop) {
          Thread.sleep(1);
        }
        hop.add(watched == null ? Double.NaN : (double) (watched - sent));
      }
      watching.set(false);
      watcher.join(5_000);
      return ms;
    }
  }

  private static Figures figures(double perMsp, int calls, Map<Thread, Long> before, Map<Thread, Long> after,
                                 long processNanos, java.util.function.Predicate<String> callerSide) {
    long caller = 0;
    long other = 0;
    Map<String, Long> byGroup = new TreeMap<>();
    for (Map.Entry<Thread, Long> e : after.entrySet()) {
      long used = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      String name = e.getKey().getName();
      if (name.equals("main")) {
        continue; // the benchmark itself
      }
      if (callerSide.test(name)) {
        caller += used;
      } else {
        other += used;
      }
      byGroup.merge(name.replaceAll("[0-9]+", "#"), used, Long::sum);
    }
    Map<String, String> top = new java.util.LinkedHashMap<>();
    byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
        .forEach(e -> top.put(e.getKey(), String.format("%.3f", e.getValue() / 1e6 / calls)));
    return new Figures(perMsp, caller / 1e6 / calls, other / 1e6 / calls, processNanos / 1e6 / calls, top);
  }

  private static Map<Thread, Long> threadCpu() {
    Map<Thread, Long> out = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long cpu = THREADS.getThreadCpuTime(t.getId());
      if (cpu >= 0) {
        out.put(t, cpu);
      }
    }
    return out;
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static Aid1Outbound command(String mspId, String token, String commandId) {
    return Aid1Outbound.newBuilder()
        .setHeader(Envelopes.header(commandId, "bench", null, null, Instant.now()))
        .setPayload(new RequestProfileStatus(mspId, token, null)).build();
  }

  private static KafkaConsumer<String, Aid1Result> consumer(Harness h) {
    KafkaConsumer<String, Aid1Result> c = new KafkaConsumer<>(Map.of("bootstrap.servers", h.endpoints.bootstrapServers(),
        "enable.auto.commit", false), new StringDeserializer(), new AvroDeserializer<>(h.registry, Aid1Result.class));
    List<TopicPartition> partitions = c.partitionsFor(h.results).stream()
        .map(p -> new TopicPartition(h.results, p.partition())).toList();
    c.assign(partitions);
    c.seekToBeginning(partitions);
    return c;
  }

  private static double pct(List<Double> values, int percentile) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
  }
}
