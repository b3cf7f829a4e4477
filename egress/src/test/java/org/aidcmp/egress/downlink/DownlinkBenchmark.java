package org.aidcmp.egress.downlink;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.DownlinkMessage;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Speed figures, not a test: the vehicle downlink (a record on Kafka until a subscribed vehicle has the MQTT
 * message) beside the raw broker in the same run (one client publishing the same JSON at QoS 1, pipelined up to
 * the broker's receive maximum, to the same subscribed vehicles). Each side first drains a burst (messages/s),
 * then runs paced at a fixed rate (p50 / p99 latency); each is run once to warm up, then measured. Run with the
 * test class path (see egress/README.md): {@code ... org.aidcmp.egress.downlink.DownlinkBenchmark [burst] [rate/s]}.
 */
public final class DownlinkBenchmark {
  private static final int VEHICLES = 100;
  /** CommandId is the first field the mapping writes: {"CommandId":"<uuid>",... */
  private static final int ID_FROM = "{\"CommandId\":\"".length();

  private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
  private volatile long[] latencies = new long[0];
  private final AtomicInteger received = new AtomicInteger();
  private volatile long lastReceivedAt;

  private DownlinkBenchmark() {}

  public static void main(String[] args) throws Exception {
    int burst = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    new DownlinkBenchmark().run(burst, rate, rounds);
    System.exit(0);
  }

  private void run(int burst, int rate, int rounds) throws Exception {
    Path dir = Files.createTempDirectory("aid-downlink-bench-");
    Aid2Json json = new Aid2Json();
    MqttCredentials credentials = MqttCredentials.open(dir.resolve("credentials"));
    try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir.resolve("kafka")).port(0).build().start();
         SchemaRegistryServer registryServer = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start();
         EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder(dir.resolve("mqtt")).port(0)
             .authentication(credentials).build().start()) {
      // Both sides log in as the downlink service; vehicles as themselves (the broker as aid up runs it).
      ServiceCredentials login = credentials.issueService(MqttRole.DOWNLINK);
      String topic = "bench.downlink";
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        TopicSetup.create(admin, List.of(new NewTopic(topic, 6, (short) 1), new NewTopic("bench.dlq", 1, (short) 1)));
      }
      List<String> vins = new ArrayList<>();
      List<Mqtt5AsyncClient> vehicles = new ArrayList<>();
      for (int i = 0; i < VEHICLES; i++) {
        String vin = DownlinkHarness.newVin();
        vins.add(vin);
        byte[] password = credentials.issueVehiclePassword(vin).password().getBytes(StandardCharsets.UTF_8);
        Mqtt5AsyncClient v = MqttClient.builder().useMqttVersion5().identifier(vin).serverHost("127.0.0.1")
            .serverPort(broker.port()).simpleAuth().username(vin).password(password).applySimpleAuth().buildAsync();
        v.publishes(MqttGlobalPublishFilter.ALL, p -> arrived(p.getPayloadAsBytes()));
        v.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
        v.subscribeWith().topicFilter(Aid2Topics.downlinkFilter(vin)).qos(MqttQos.AT_LEAST_ONCE).send().get(30, TimeUnit.SECONDS);
        vehicles.add(v);
      }
      RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(registryServer.url());
      KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 2),
          new StringSerializer(), new AvroSerializer<>(registry, true));
      DownlinkPublisher publisher = DownlinkPublisher.start(
          DownlinkSettings.of(kafka.bootstrapServers(),
                  MqttEndpoint.of(broker.serverUri()).withCredentials(login.username(), login.password()))
              .withTopics(topic, "bench.dlq").withGroupId("bench-downlink").withClientId(login.clientId("bench")),
          registry);
      Mqtt5AsyncClient raw = MqttClient.builder().useMqttVersion5().identifier(login.clientId("bench-raw"))
          .serverHost("127.0.0.1").serverPort(broker.port())
          .simpleAuth().username(login.username()).password(login.password().getBytes(StandardCharsets.UTF_8))
          .applySimpleAuth().buildAsync();
      int receiveMaximum = raw.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS)
          .getRestrictions().getReceiveMaximum();
      Semaphore rawWindow = new Semaphore(Math.min(receiveMaximum, publisher.window()));

      Side downlinkSide = (i, paced) -> {
        String vin = vins.get(i % VEHICLES);
        String id = UUID.randomUUID().toString();
        Aid2Downlink record = Aid2Downlink.newBuilder()
            .setHeader(Envelopes.header(id, "bench", null, id, Instant.now()))
            .setPayload(payload(vin, i)).build();
        sentAt.put(id, System.nanoTime());
        producer.send(new ProducerRecord<>(topic, vin, record));
      };
      Side rawSide = (i, paced) -> {
        String vin = vins.get(i % VEHICLES);
        String id = UUID.randomUUID().toString();
        byte[] bytes = json.writeDownlink(id, payload(vin, i)); // the very JSON the downlink publishes
        rawWindow.acquireUninterruptibly();
        sentAt.put(id, System.nanoTime());
        raw.publishWith().topic(Aid2Topics.downlink(vin, DownlinkMessage.ACTIVATION_CODE)).qos(MqttQos.AT_LEAST_ONCE)
            .contentType("application/json").payload(bytes).send().whenComplete((r, e) -> rawWindow.release());
      };
      int size = json.writeDownlink(UUID.randomUUID().toString(), payload(vins.get(0), 0)).length;
      System.out.printf("downlink benchmark: %d vehicles, %d-byte JSON (activation-code), window %d (broker receive maximum %d)%n",
          VEHICLES, size, publisher.window(), receiveMaximum);

      List<String> phases = new ArrayList<>(List.of("warm-up"));
      for (int r = 1; r <= rounds; r++) {
        phases.add("measured " + r);
      }
      for (String phase : phases) {
        boolean warmUp = phase.equals("warm-up");
        int n = warmUp ? Math.max(2_000, burst / 4) : burst;
        int paced = warmUp ? Math.max(1_000, rate * 2) : rate * 10;
        // Alternate which side goes first, so neither always meets the other's leftovers (GC, broker flushes).
        boolean rawFirst = phases.indexOf(phase) % 2 == 0;
        Result rawBurst = null;
        Result downBurst;
        if (rawFirst) {
          rawBurst = burst("raw broker", rawSide, n);
        }
        downBurst = burst("downlink", downlinkSide, n);
        if (!rawFirst) {
          rawBurst = burst("raw broker", rawSide, n);
        }
        Result rawPaced = paced("raw broker", rawSide, paced, rate);
        Result downPaced = paced("downlink", downlinkSide, paced, rate);
        System.out.printf("%n[%s] burst of %d: raw broker %.0f msg/s, downlink %.0f msg/s (%.0f %% of raw)%n",
            phase, n, rawBurst.perSecond, downBurst.perSecond, 100 * downBurst.perSecond / rawBurst.perSecond);
        System.out.printf("[%s] paced %d at %d/s: raw broker p50 %.1f ms p99 %.1f ms; downlink p50 %.1f ms p99 %.1f ms%n",
            phase, paced, rate, rawPaced.p50, rawPaced.p99, downPaced.p50, downPaced.p99);
      }
      System.out.printf("%nbroker dropped %d messages; publisher failure %s%n", broker.droppedMessages(), publisher.failure());
      publisher.close();
      producer.close(Duration.ofSeconds(5));
      raw.disconnect();
      vehicles.forEach(Mqtt5AsyncClient::disconnect);
    } finally {
      SharedMqtt.deleteTree(dir);
    }
  }

  private static SpecificRecord payload(String vin, int i) {
    return SendActivationCodeToVehicle.newBuilder().setRequestId(DownlinkHarness.requestId(vin))
        .setCmpUserId("bench-user-" + (i % 1000)).setProfileType("personal")
        .setActivationCode("1$smdp.example.com$BENCH-" + (100_000 + i)).build();
  }

  private void arrived(byte[] payload) {
    long now = System.nanoTime();
    String id = new String(payload, ID_FROM, 36, StandardCharsets.US_ASCII);
    Long sent = sentAt.remove(id);
    if (sent != null) {
      int k = received.getAndIncrement();
      long[] l = latencies;
      if (k < l.length) {
        l[k] = now - sent;
      }
      lastReceivedAt = now;
    }
  }

  @FunctionalInterface
  private interface Side {
    void send(int i, boolean paced) throws Exception;
  }

  private record Result(double perSecond, double p50, double p99) {}

  /** As fast as the side takes them; the rate is messages over first send to last arrival. */
  private Result burst(String name, Side side, int n) throws Exception {
    reset(n);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      side.send(i, false);
    }
    awaitAll(name, n);
    return summary(n, start);
  }

  /** One message every 1/rate s; latency is what matters here. */
  private Result paced(String name, Side side, int n, int rate) throws Exception {
    reset(n);
    long start = System.nanoTime();
    long interval = 1_000_000_000L / rate;
    for (int i = 0; i < n; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      side.send(i, true);
    }
    awaitAll(name, n);
    return summary(n, start);
  }

  private void reset(int n) {
    sentAt.clear();
    latencies = new long[n];
    received.set(0);
  }

  private void awaitAll(String name, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (received.get() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + ": " + received.get() + " of " + n + " arrived in 5 minutes");
      }
      Thread.sleep(5);
    }
  }

  private Result summary(int n, long start) {
    long[] l = Arrays.copyOf(latencies, n);
    Arrays.sort(l);
    return new Result(n * 1e9 / (lastReceivedAt - start), l[n / 2] / 1e6, l[(int) (n * 0.99)] / 1e6);
  }
}
