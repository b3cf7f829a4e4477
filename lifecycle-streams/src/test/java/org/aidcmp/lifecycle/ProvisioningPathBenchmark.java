package org.aidcmp.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Car provisioning's critical path at the topology level (a harness that prints figures, not a test): a
 * vehicle's Request activation code on aid.aid2.uplink.v1 -> the topology's command on aid.aid1.outbound.v1 ->
 * an MSP stub that answers at once on aid.aid1.results.v1 (as egress would write it: keyed by the command's
 * user when it names one, by msp_token otherwise) -> the activation code on aid.aid2.downlink.v1. Flows are
 * offered at a fixed rate (open loop); the first fifth is warm-up. Beside it, in the same run, the raw figure:
 * one plain exactly-once stage (one RocksDB get and put per record) at the same rate.
 *
 * <p>Run (from the repository root): {@code mvn -q -DskipTests -pl lifecycle-streams -am test-compile
 * dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt} then
 * {@code java -cp lifecycle-streams/target/test-classes:lifecycle-streams/target/classes:$(cat
 * lifecycle-streams/target/bench-classpath.txt) org.aidcmp.lifecycle.ProvisioningPathBenchmark 5000 1000 6}
 * (flows, flows per second, partitions); {@code -Dstreams.<setting>=...} replaces a Kafka Streams setting.
 */
public final class ProvisioningPathBenchmark {
  public static void main(String[] args) throws Exception {
    int flows = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 6;
    Map<String, String> overrides = LifecycleThroughputBenchmark.streamsOverrides();
    Path dir = Files.createTempDirectory("aid-provisioning-bench-");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir.resolve("kafka")).port(0).build().start();
        SchemaRegistryServer registryServer = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start()) {
      String bootstrap = kafka.bootstrapServers();
      TopicSetup.ensureTopics(bootstrap, partitions, (short) 1);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        TopicSetup.create(admin, List.of(new NewTopic(PassThroughStage.IN, partitions, (short) 1),
            new NewTopic(PassThroughStage.OUT, partitions, (short) 1)));
      }
      RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(registryServer.url());
      String prefix = "p" + UUID.randomUUID().toString().substring(0, 6);
      System.out.printf("car provisioning path: %d flows at %d/s, %d partitions, exactly_once_v2; %s%n", flows, rate,
          partitions, overrides.isEmpty() ? "the lifecycle's Streams settings" : "settings replaced: " + overrides);
      try (LifecycleStreams service = LifecycleStreams.start(bootstrap, registry, LifecycleSettings.defaults(),
              "aid-lifecycle-provisioning-bench", dir.resolve("state").toString(), "bench", overrides);
          Traffic traffic = new Traffic(bootstrap, registry, prefix);
          MspStub msp = new MspStub(bootstrap, registry);
          Arrivals acs = new Arrivals(bootstrap, AidTopic.AID2_DOWNLINK.topicName(),
              new AvroDeserializer<>(registry, Aid2Downlink.class), ProvisioningPathBenchmark::vinOfAc)) {
        List<Integer> ready = onboard(flows, traffic, bootstrap, registry);
        int n = ready.size();
        long[] sent = new long[n];
        long cpuBefore = LifecycleThroughputBenchmark.streamThreadCpuNanos();
        offer(n, rate, j -> {
          sent[j] = System.nanoTime();
          traffic.requestActivationCode(ready.get(j));
        }, traffic::flush);
        acs.awaitAll(n, Duration.ofMinutes(3));
        long cpu = LifecycleThroughputBenchmark.streamThreadCpuNanos() - cpuBefore;
        List<Long> latencies = new ArrayList<>();
        long last = 0;
        for (int j = n / 5; j < n; j++) {
          long at = acs.at(traffic.vin(ready.get(j)));
          latencies.add(at - sent[j]);
          last = Math.max(last, at);
        }
        print("vehicle request -> AC on the downlink", latencies, n - n / 5, last - sent[n / 5]);
        System.out.printf("    stream-thread CPU per flow (all stages): %.0f us; MSP stub answered %d%n",
            cpu / 1e3 / n, msp.answered());
      }
      // The raw figure: one plain exactly-once stage, same broker, same JVM, same settings, same rate.
      try (PassThroughStage stage = new PassThroughStage(bootstrap, registry, dir.resolve("passthrough"), overrides);
          KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5,
              ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new StringSerializer());
          Arrivals out = new Arrivals(bootstrap, PassThroughStage.OUT, new StringDeserializer(), v -> v)) {
        long[] sent = new long[flows];
        offer(flows, rate, i -> {
          sent[i] = System.nanoTime();
          producer.send(new ProducerRecord<>(PassThroughStage.IN, "k" + i, "k" + i));
        }, producer::flush);
        out.awaitAll(flows, Duration.ofMinutes(3));
        List<Long> latencies = new ArrayList<>();
        long last = 0;
        for (int i = flows / 5; i < flows; i++) {
          latencies.add(out.at("k" + i) - sent[i]);
          last = Math.max(last, out.at("k" + i));
        }
        print("raw: one plain EOS stage (RocksDB get+put)", latencies, flows - flows / 5, last - sent[flows / 5]);
      }
    }
  }

  private static void print(String what, List<Long> latencies, int count, long spanNanos) {
    Collections.sort(latencies);
    System.out.printf("  %-45s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  %6.0f flows/s (%d measured)%n", what,
        latencies.get(latencies.size() / 2) / 1e6, latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1) / 1e6,
        latencies.get(latencies.size() - 1) / 1e6, count / (spanNanos / 1e9), count);
  }

  /** Sends at a fixed rate (open loop): flow i is due at begin + i / rate. */
  private static void offer(int flows, int rate, java.util.function.IntConsumer send, Runnable flush) {
    long begin = System.nanoTime();
    for (int i = 0; i < flows; i++) {
      long due = begin + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      send.accept(i);
      if (i % 10 == 0) {
        flush.run();
      }
    }
    flush.run();
  }

  /** Every user onboarded (vehicle registered, account id, terms, token), not timed. */
  private static List<Integer> onboard(int users, Traffic traffic, String bootstrap,
      RestSchemaRegistryClient registry) throws InterruptedException {
    try (Arrivals accountIds = new Arrivals(bootstrap, AidTopic.LIFECYCLE_EVENTS.topicName(),
        new AvroDeserializer<>(registry, LifecycleEvent.class), ProvisioningPathBenchmark::userOfAccountId)) {
      for (int i = 0; i < users; i++) {
        traffic.onboardingStart(i);
      }
      traffic.flush();
      accountIds.awaitAll(users, Duration.ofMinutes(3));
    }
    try (Arrivals federated = new Arrivals(bootstrap, AidTopic.LIFECYCLE_EVENTS.topicName(),
        new AvroDeserializer<>(registry, LifecycleEvent.class), ProvisioningPathBenchmark::federatedUser)) {
      for (int i = 0; i < users; i++) {
        traffic.sendMspToken(i);
      }
      traffic.flush();
      try {
        federated.awaitAll(users, Duration.ofMinutes(1));
      } catch (IllegalStateException notAll) {
        System.out.println("  onboarding: " + notAll.getMessage() + " (the flows go on with those federated)");
      }
      List<Integer> ready = new ArrayList<>();
      for (int i = 0; i < users; i++) {
        if (federated.has(traffic.user(i))) {
          ready.add(i);
        }
      }
      return ready;
    }
  }

  private static String userOfAccountId(LifecycleEvent e) {
    return e.getPayload() instanceof org.aidcmp.schemas.lifecycle.AccountIdIssued a ? a.getCmpUserId() : null;
  }

  private static String federatedUser(LifecycleEvent e) {
    return e.getPayload() instanceof org.aidcmp.schemas.lifecycle.FederationEstablished f ? f.getCmpUserId() : null;
  }

  private static String vinOfAc(Aid2Downlink d) {
    return d.getPayload() instanceof SendActivationCodeToVehicle ac ? ac.getRequestId().getVehicleId() : null;
  }

  /** When each key first arrived on a topic, read as a downstream consumer reads (read_committed). */
  private static final class Arrivals implements AutoCloseable {
    private final Map<String, Long> first = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread reader;

    <V> Arrivals(String bootstrap, String topic, Deserializer<V> values, java.util.function.Function<V, String> keyOf) {
      KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5),
          new StringDeserializer(), values);
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(50));
      }
      reader = new Thread(() -> {
        try (consumer) {
          while (running.get()) {
            for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(20))) {
              long now = System.nanoTime();
              String key = keyOf.apply(r.value());
              if (key != null) {
                first.putIfAbsent(key, now);
              }
            }
          }
        }
      }, "arrivals-" + topic);
      reader.start();
    }

    boolean has(String key) {
      return first.containsKey(key);
    }

    long at(String key) {
      Long at = first.get(key);
      if (at == null) {
        throw new IllegalStateException("never arrived: " + key);
      }
      return at;
    }

    void awaitAll(int count, Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (first.size() < count) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + first.size() + " of " + count + " arrived within " + within);
        }
        Thread.sleep(20);
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      reader.join(10_000);
    }
  }

  /**
   * The MSP, answered at once: for every Request activation code the synchronous 200 of §7.1.8.1, written as
   * egress writes it (the user's key and name when the command names one). Also the MSP of ReplayTest.
   */
  static final class MspStub implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile int answered;

    MspStub(String bootstrap, RestSchemaRegistryClient registry) {
      KafkaConsumer<String, Aid1Outbound> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "msp-stub",
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
          ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5),
          new StringDeserializer(), new AvroDeserializer<>(registry, Aid1Outbound.class));
      KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 1,
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new AvroSerializer<>(registry, true));
      consumer.subscribe(List.of(AidTopic.AID1_OUTBOUND.topicName()));
      thread = new Thread(() -> {
        try (consumer; producer) {
          while (running.get()) {
            for (ConsumerRecord<String, Aid1Outbound> r : consumer.poll(Duration.ofMillis(20))) {
              if (r.value().getPayload() instanceof ActivationCodeRequest request) {
                answer(producer, r.value(), request);
              }
            }
            producer.flush();
          }
        }
      }, "msp-stub");
      thread.start();
    }

    private void answer(KafkaProducer<String, SpecificRecord> producer, Aid1Outbound command,
        ActivationCodeRequest request) {
      String commandId = command.getHeader().getMessageId();
      String cmpUserId = field(command, "cmpUserId");
      MspCallRef ref = new MspCallRef();
      ref.put("commandId", commandId);
      ref.put("mspId", request.getMspId());
      ref.put("mspToken", request.getMspToken());
      ref.put("call", MspCall.REQUEST_ACTIVATION_CODE);
      ref.put("attempts", 1);
      if (ref.getSchema().getField("cmpUserId") != null) {
        ref.put("cmpUserId", cmpUserId);
      }
      String iccid = "8988" + Math.abs(commandId.hashCode());
      Aid1Result result = new Aid1Result(Envelopes.header(Envelopes.derivedId(commandId, "result"), "egress",
          commandId, command.getHeader().getCorrelationId(), Instant.now()),
          new ActivationCodeIssued(ref, request.getActivationCodeRequestId(), iccid, "1$SMDP$" + iccid, "personal", null));
      producer.send(new ProducerRecord<>(AidTopic.AID1_RESULTS.topicName(),
          cmpUserId != null ? cmpUserId : request.getMspToken(), result));
      answered++;
    }

    private static String field(SpecificRecordBase record, String name) {
      return record.getSchema().getField(name) == null ? null : (String) record.get(name);
    }

    int answered() {
      return answered;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }
}
