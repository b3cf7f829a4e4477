package org.aidcmp.ingress.aid2;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The bridge's uplink rate on this machine (not a test: a harness that prints figures), beside the broker alone in
 * the same run. Both on the same embedded, authenticated HiveMQ with the same vehicles publishing the same
 * csim-status messages (QoS 1, each vehicle with a window of unacknowledged PUBLISHes):
 * <ul>
 *   <li>raw: a subscriber on the bridges' shared subscription, acknowledging on receipt: publish to receipt;</li>
 *   <li>bridge: one {@link Aid2Bridge}; publish to the record read back from aid.aid2.uplink.v1 (after Kafka's
 *       acknowledgement, plus one fetch).</li>
 * </ul>
 * Each phase runs a warm-up first and measures after it: messages/s over the measured messages, and p50/p99 of
 * each message's latency.
 *
 * <p>Run (from the repository root): {@code mvn -q -pl ingress-aid2 -am test-compile -DskipTests && mvn -q -pl
 * ingress-aid2 exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.aidcmp.ingress.aid2.UplinkThroughputHarness
 * -Dexec.args="40000 20 50"} (messages measured, vehicles, window per vehicle). JFR: add
 * {@code -Dexec.jvmArgs=...} or run the class with {@code java -XX:StartFlightRecording=...}.
 */
public final class UplinkThroughputHarness {
  private static final Aid2Json JSON = new Aid2Json();
  private static final Pattern SEQUENCE = Pattern.compile("\"Timestamp\":(\\d+)");
  private static final long BASE = 1_700_000_000L;

  public static void main(String[] args) throws Exception {
    int measured = args.length > 0 ? Integer.parseInt(args[0]) : 40_000;
    int vehicles = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int warmup = Math.max(5_000, measured / 4);
    Path dir = Files.createTempDirectory("aid-bridge-harness-");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir.resolve("kafka")).port(0).build().start();
        SchemaRegistryServer registryServer = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build()
            .start()) {
      TopicSetup.ensureTopics(kafka.bootstrapServers(), AidTopic.DEFAULT_PARTITIONS, (short) 1);
      MqttCredentials credentials = MqttCredentials.open(dir.resolve("mqtt-auth"));
      ServiceCredentials bridgeLogin = credentials.issueService(MqttRole.BRIDGE);
      try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder(dir.resolve("mqtt")).port(0)
          .authentication(credentials).build().start()) {
        List<Publisher> fleet = new ArrayList<>();
        for (int i = 0; i < vehicles; i++) {
          fleet.add(new Publisher(broker.port(), credentials.issueVehiclePassword(String.format("HARN%013d", i)),
              window));
        }
        int size = fleet.get(0).payload(0).length;
        System.out.printf("ingress-aid2 uplink: %d vehicles, window %d each, csim-status of %d bytes, QoS 1;"
            + " warm-up %d, measured %d%n", vehicles, window, size, warmup, measured);

        long[] sent = new long[(warmup + measured) * 2 + 1];
        Result raw;
        try (RawSubscriber subscriber = new RawSubscriber(broker.port(), bridgeLogin, sent)) {
          run(fleet, 0, warmup, sent, subscriber.latch(warmup), null);
          CountDownLatch done = subscriber.latch(measured);
          raw = run(fleet, warmup, measured, sent, done, subscriber.received);
        }
        System.out.println(raw.line("broker alone (QoS 1 publish -> subscriber)"));

        RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(registryServer.url());
        BridgeSettings settings = BridgeSettings.of("127.0.0.1", broker.port(), kafka.bootstrapServers(),
            registryServer.url(), "harness")
            .withCredentials(BridgeSettings.Credentials.password(bridgeLogin.username(), bridgeLogin.password()));
        int offset = warmup + measured;
        Result bridged;
        try (Aid2Bridge bridge = Aid2Bridge.start(settings, registry, Duration.ofSeconds(30));
            UplinkReaderOfKafka records = new UplinkReaderOfKafka(kafka.bootstrapServers(), registry, sent)) {
          run(fleet, offset, warmup, sent, records.latch(warmup), null);
          CountDownLatch done = records.latch(measured);
          bridged = run(fleet, offset + warmup, measured, sent, done, records.received);
          System.out.println(bridged.line("bridge (MQTT publish -> record on Kafka)"));
          System.out.printf("bridge / broker alone: %.2f of the rate; p50 x%.1f, p99 x%.1f; bridge %s%n",
              bridged.perSecond() / raw.perSecond(), bridged.p50Ms() / raw.p50Ms(), bridged.p99Ms() / raw.p99Ms(),
              bridge.stats());
        }
        fleet.forEach(Publisher::close);
        System.out.printf("HiveMQ dropped %d messages%n", broker.droppedMessages());
      }
    } finally {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.exit(0);
  }

  record Result(int messages, long nanos, long[] latencies) {
    double perSecond() {
      return messages / (nanos / 1e9);
    }

    double p50Ms() {
      return latencies[latencies.length / 2] / 1e6;
    }

    double p99Ms() {
      return latencies[(int) (latencies.length * 0.99)] / 1e6;
    }

    String line(String what) {
      return String.format("%-45s %8.0f messages/s   p50 %6.1f ms   p99 %6.1f ms", what, perSecond(), p50Ms(),
          p99Ms());
    }
  }

  /** Sends messages {@code from .. from+count} over the fleet, round robin, and waits for {@code done}. */
  private static Result run(List<Publisher> fleet, int from, int count, long[] sent, CountDownLatch done,
      Map<Integer, Long> received) throws InterruptedException {
    long start = System.nanoTime();
    for (int n = from; n < from + count; n++) {
      fleet.get(n % fleet.size()).send(n, sent);
    }
    if (!done.await(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException("not all " + count + " messages arrived within 10 minutes");
    }
    long nanos = System.nanoTime() - start;
    if (received == null) {
      return null;
    }
    long[] latencies = new long[count];
    int i = 0;
    for (int n = from; n < from + count; n++) {
      Long at = received.get(n);
      latencies[i++] = at == null ? 0 : at - sent[n];
    }
    Arrays.sort(latencies);
    return new Result(count, nanos, latencies);
  }

  /** A vehicle publishing csim-status messages numbered by their RequestId timestamp, {@code window} at a time. */
  static final class Publisher implements AutoCloseable {
    final VehicleCredentials login;
    final Mqtt5AsyncClient client;
    final Semaphore window;

    Publisher(int port, VehicleCredentials login, int window) {
      this.login = login;
      this.window = new Semaphore(window);
      this.client = MqttClient.builder().useMqttVersion5().identifier(login.clientId()).serverHost("127.0.0.1")
          .serverPort(port).simpleAuth().username(login.username())
          .password(login.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
      Vehicle.join(client.connectWith().cleanStart(true).send());
    }

    byte[] payload(int n) {
      CsimStatus status = Uplinks.csimStatus(login.vin(), BASE + n);
      return JSON.writeUplink(status);
    }

    void send(int n, long[] sent) throws InterruptedException {
      byte[] payload = payload(n);
      window.acquire();
      sent[n] = System.nanoTime();
      client.publishWith().topic(Aid2Topics.uplink(login.vin(), UplinkMessage.CSIM_STATUS)).qos(MqttQos.AT_LEAST_ONCE)
          .payload(payload).send().whenComplete((r, e) -> window.release());
    }

    @Override
    public void close() {
      client.disconnect();
    }
  }

  /** Counts down latches as messages arrive; at most one latch at a time. */
  abstract static class Arrivals {
    final Map<Integer, Long> received = new ConcurrentHashMap<>();
    private volatile CountDownLatch latch = new CountDownLatch(0);

    CountDownLatch latch(int count) {
      latch = new CountDownLatch(count);
      return latch;
    }

    void arrived(int n) {
      if (received.putIfAbsent(n, System.nanoTime()) == null) {
        latch.countDown();
      }
    }
  }

  /** The broker alone: the bridges' shared subscription, acknowledged on receipt. */
  static final class RawSubscriber extends Arrivals implements AutoCloseable {
    private final Mqtt5AsyncClient client;

    RawSubscriber(int port, ServiceCredentials login, long[] sent) {
      client = MqttClient.builder().useMqttVersion5().identifier(login.clientId("raw")).serverHost("127.0.0.1")
          .serverPort(port).simpleAuth().username(login.username())
          .password(login.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
      IntConsumer onArrival = this::arrived;
      client.publishes(MqttGlobalPublishFilter.ALL, p -> {
        Matcher m = SEQUENCE.matcher(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
        if (m.find()) {
          onArrival.accept((int) (Long.parseLong(m.group(1)) - BASE));
        }
      });
      Vehicle.join(client.connectWith().cleanStart(true).restrictions()
          .receiveMaximum(BridgeSettings.DEFAULT_RECEIVE_MAXIMUM).applyRestrictions().send());
      Vehicle.join(client.subscribeWith().topicFilter(Aid2Topics.shared(Aid2Topics.UPLINK_FILTER))
          .qos(MqttQos.AT_LEAST_ONCE).send());
    }

    @Override
    public void close() {
      Vehicle.join(client.unsubscribeWith().topicFilter(Aid2Topics.shared(Aid2Topics.UPLINK_FILTER)).send());
      Vehicle.join(client.disconnect());
    }
  }

  /** The bridge's records read back from aid.aid2.uplink.v1. */
  static final class UplinkReaderOfKafka extends Arrivals implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    UplinkReaderOfKafka(String bootstrapServers, RestSchemaRegistryClient registry, long[] sent) {
      AvroDeserializer<Aid2Uplink> values = new AvroDeserializer<>(registry, Aid2Uplink.class);
      KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
          ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5),
          new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> partitions = consumer.partitionsFor(AidTopic.AID2_UPLINK.topicName(), Duration.ofSeconds(30))
          .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      thread = new Thread(() -> {
        try (consumer) {
          while (running) {
            consumer.poll(Duration.ofMillis(50)).forEach(r -> {
              CsimStatus status = (CsimStatus) values.deserialize(r.topic(), r.value()).getPayload();
              arrived((int) (status.getRequestId().getTimestamp() - BASE));
            });
          }
        }
      }, "harness-uplink-reader");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(5_000);
    }
  }
}
