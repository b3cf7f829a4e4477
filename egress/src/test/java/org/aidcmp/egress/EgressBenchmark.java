package org.aidcmp.egress;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Speed figures, not a test: calls per second per MSP through egress, and the p99 latency egress adds over
 * the simulator's own (a direct mutual-TLS call). Run with the test class path, e.g.
 * {@code java -cp egress/target/test-classes:egress/target/classes:<test deps> org.aidcmp.egress.EgressBenchmark [commandsPerMsp]}.
 */
public final class EgressBenchmark {
  private EgressBenchmark() {}

  public static void main(String[] args) throws Exception {
    int perMsp = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int latencySamples = 300;
    Path dir = Files.createTempDirectory("aid-egress-bench-");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir).port(0).build().start();
         SchemaRegistryServer registryServer = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start();
         Harness h = new Harness(new SharedKafka.Endpoints(kafka.bootstrapServers(), registryServer.url()), "bench")) {
      String tokenS = h.newUser(h.sync, 1);
      String tokenA = h.newUser(h.async, 1);

      // The simulator's own latency: sequential direct calls over the same mutual TLS.
      HttpClient direct = HttpClient.newBuilder()
          .sslContext(Tls.clientContext(h.cmpCa.issueClient(Harness.CMP_ID), List.of(h.mspCa.certificate()))).build();
      MspRequests requests = new MspRequests(Harness.CMP_ID, Duration.ofSeconds(10));
      List<Double> directMs = new ArrayList<>();
      for (int i = 0; i < latencySamples + 50; i++) {
        MspCommand c = MspCommand.of(command(tokenS));
        long t0 = System.nanoTime();
        direct.send(requests.build(h.msps.byId("mspS").orElseThrow(), c), HttpResponse.BodyHandlers.ofString());
        if (i >= 50) {
          directMs.add((System.nanoTime() - t0) / 1e6);
        }
      }

      // The simulator's own throughput: 32 concurrent direct callers, as many calls as egress makes to one MSP.
      java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(32);
      long directStart = System.nanoTime();
      List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < perMsp; i++) {
        calls.add(callers.submit(() -> direct.send(requests.build(h.msps.byId("mspS").orElseThrow(),
            MspCommand.of(command(tokenS))), HttpResponse.BodyHandlers.ofString())));
      }
      for (var call : calls) {
        call.get();
      }
      double directPerSecond = perMsp * 1e9 / (System.nanoTime() - directStart);
      callers.shutdown();

      // Throughput: a backlog per MSP over many users (one user's commands go one at a time), then one worker
      // drains it.
      List<String> usersS = new ArrayList<>();
      List<String> usersA = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        usersS.add(h.newUser(h.sync, 1));
        usersA.add(h.newUser(h.async, 1));
      }
      for (int i = 0; i < perMsp; i++) {
        String s = usersS.get(i % usersS.size());
        String a = usersA.get(i % usersA.size());
        h.send(s, new RequestProfileStatus("mspS", s, null));
        h.send(a, new RequestProfileStatus("mspA", a, null));
      }
      long start = System.nanoTime();
      EgressWorker worker = h.startWorker(h.settings("bench").perMsp(32, 10_000));
      Map<String, Long> lastResultMs = new HashMap<>();
      Map<String, Integer> count = new HashMap<>();
      try (KafkaConsumer<String, Aid1Result> results = consumer(h)) {
        while (count.getOrDefault("mspS", 0) < perMsp || count.getOrDefault("mspA", 0) < perMsp) {
          for (ConsumerRecord<String, Aid1Result> r : results.poll(Duration.ofMillis(100))) {
            String msp = mspOf(r.value());
            count.merge(msp, 1, Integer::sum);
            lastResultMs.put(msp, (System.nanoTime() - start) / 1_000_000);
          }
          if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
            throw new IllegalStateException("benchmark did not finish: " + count);
          }
        }

        // Latency: one command at a time, command record time to result record time.
        List<Double> egressMs = new ArrayList<>();
        for (int i = 0; i < latencySamples; i++) {
          long sent = System.currentTimeMillis();
          String id = h.send(tokenS, new RequestProfileStatus("mspS", tokenS, null));
          boolean seen = false;
          while (!seen) {
            for (ConsumerRecord<String, Aid1Result> r : results.poll(Duration.ofMillis(20))) {
              if (ExecutedCommands.commandId(r.value()).equals(id)) {
                egressMs.add((double) (r.timestamp() - sent));
                seen = true;
              }
            }
          }
        }
        worker.close();
        System.out.printf("calls/s through egress: mspS (sync, api-key) %.0f, mspA (async, basic) %.0f (%d calls each, both at once)%n",
            perMsp * 1000.0 / lastResultMs.get("mspS"), perMsp * 1000.0 / lastResultMs.get("mspA"), perMsp);
        System.out.printf("calls/s direct to one simulator (32 concurrent callers, no Kafka): %.0f%n", directPerSecond);
        System.out.printf("simulator direct call p50 %.1f ms p99 %.1f ms; egress command-to-result p50 %.1f ms p99 %.1f ms;"
                + " added p99 %.1f ms (%d samples)%n",
            pct(directMs, 50), pct(directMs, 99), pct(egressMs, 50), pct(egressMs, 99),
            pct(egressMs, 99) - pct(directMs, 99), latencySamples);
      }
    }
  }

  private static Aid1Outbound command(String token) {
    return Aid1Outbound.newBuilder()
        .setHeader(org.aidcmp.schemas.Envelopes.header(UUID.randomUUID().toString(), "bench", null, null, java.time.Instant.now()))
        .setPayload(new RequestProfileStatus("mspS", token, null)).build();
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

  private static String mspOf(Aid1Result result) {
    var payload = (org.apache.avro.specific.SpecificRecord) result.getPayload();
    return ((org.aidcmp.schemas.aid1.MspCallRef) payload.get(payload.getSchema().getField("command").pos())).getMspId();
  }

  private static double pct(List<Double> values, int percentile) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
  }
}
