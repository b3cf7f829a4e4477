package org.aidcmp.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On the real embedded broker with exactly_once_v2: the lifecycle-streams service runs in its own JVM and is
 * killed (SIGKILL) in the middle of a stream of inputs, three times, and started again each time. Every
 * output appears exactly once, nothing is lost.
 */
@ExtendWith(ExactlyOnceCrashTest.Broker.class)
class ExactlyOnceCrashTest {
  private static final int USERS = 150;
  private static EmbeddedBroker broker;

  static final class Broker implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      broker = EmbeddedBroker.shared(context);
    }
  }

  @Test
  void killedMidStreamAndStartedAgainEveryOutputAppearsExactlyOnce() throws Exception {
    Path work = Files.createTempDirectory(broker.dir, "crash-");
    Path config = work.resolve("aid.properties");
    Files.writeString(config, String.join("\n",
        "kafka.bootstrap.servers=" + broker.kafka.bootstrapServers(),
        "schema.registry.url=" + broker.registry.url(),
        "lifecycle.application-id=aid-lifecycle-crash-" + UUID.randomUUID(),
        "lifecycle.state-dir=" + work.resolve("state"),
        "lifecycle.instance-id=crash-test-instance", ""));
    RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(broker.registry.url());
    String runId = "cr" + UUID.randomUUID().toString().substring(0, 6);
    List<String> users = new ArrayList<>();

    try (Traffic traffic = new Traffic(broker.kafka.bootstrapServers(), registry, runId);
        Outputs outputs = new Outputs(registry)) {
      for (int i = 0; i < USERS; i++) {
        users.add(traffic.user(i));
      }
      Process service = start(config, work, 1);
      // Phase 1: vehicles, account ids and terms; killed once a quarter of the account ids are out.
      for (int i = 0; i < USERS; i++) {
        traffic.onboardingStart(i);
      }
      traffic.flush();
      await(() -> outputs.count("AccountIdIssued", runId) >= USERS / 4, "a quarter of the account ids");
      service = kill(service).andStart(config, work, 2);
      await(() -> outputs.count("AccountIdIssued", runId) >= USERS && outputs.count("AidTermsAccepted", runId) >= USERS,
          "every account id and terms");

      // Phase 2: the MSP sends the tokens; killed mid-way.
      for (int i = 0; i < USERS; i++) {
        traffic.sendMspToken(i);
      }
      traffic.flush();
      await(() -> outputs.count("FederationEstablished", runId) >= USERS / 3, "a third of the federations");
      service = kill(service).andStart(config, work, 3);
      await(() -> outputs.count("FederationEstablished", runId) >= USERS, "every federation");

      // Phase 3: every vehicle asks for an AC for its user; killed mid-way.
      for (int i = 0; i < USERS; i++) {
        traffic.requestActivationCode(i);
      }
      traffic.flush();
      await(() -> outputs.count("ActivationCodeRequested", runId) >= USERS / 2, "half of the AC requests");
      service = kill(service).andStart(config, work, 4);
      await(() -> outputs.count("ActivationCodeRequested", runId) >= USERS, "every AC request");
      Thread.sleep(2_000); // anything doubled would show up now
      service.destroy();
      service.waitFor(30, TimeUnit.SECONDS);

      Map<String, Integer> events = outputs.perUserAndType(runId);
      for (String user : users) {
        for (String type : List.of("AccountIdIssued", "AidTermsAccepted", "FederationEstablished", "ActivationCodeRequested")) {
          assertThat(events.getOrDefault(user + " " + type, 0)).as("%s %s", user, type).isEqualTo(1);
        }
      }
      assertThat(outputs.outboundCommands(runId)).as("one Request activation code per user, none twice")
          .hasSize(USERS).doesNotHaveDuplicates();
      assertThat(outputs.replyCounts().values()).as("one reply per request").containsOnly(1);
      assertThat(outputs.replyCounts()).hasSizeGreaterThanOrEqualTo(3 * USERS);
    }
  }

  // --------------------------------------------------------------------------------------------------

  private static Process start(Path config, Path work, int run) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        LifecycleStreams.class.getName(), config.toString());
    File log = work.resolve("service-" + run + ".log").toFile();
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }

  private interface Restart {
    Process andStart(Path config, Path work, int run) throws Exception;
  }

  /** SIGKILL: no shutdown hook, no commit, no clean close. */
  private static Restart kill(Process service) throws InterruptedException {
    service.destroyForcibly();
    assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return ExactlyOnceCrashTest::start;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long begin = System.nanoTime();
    try {
      awaitBounded(condition, what);
    } finally {
      System.out.printf("crash test: %s after %d ms%n", what, (System.nanoTime() - begin) / 1_000_000);
    }
  }

  private static void awaitBounded(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not within 180 s: " + what);
  }

  /** Reads the outputs as a downstream consumer would (read_committed), accumulating across polls. */
  private static final class Outputs implements AutoCloseable {
    private final KafkaConsumer<String, LifecycleEvent> events;
    private final KafkaConsumer<String, Aid1Outbound> outbound;
    private final KafkaConsumer<String, Reply> replies;
    private final List<LifecycleEvent> eventLog = new ArrayList<>();
    private final List<Aid1Outbound> outboundLog = new ArrayList<>();
    private final Map<String, Integer> repliesPerRequest = new HashMap<>();

    Outputs(RestSchemaRegistryClient registry) {
      events = consumer(AidTopic.LIFECYCLE_EVENTS, new AvroDeserializer<>(registry, LifecycleEvent.class));
      outbound = consumer(AidTopic.AID1_OUTBOUND, new AvroDeserializer<>(registry, Aid1Outbound.class));
      replies = consumer(AidTopic.REPLIES, new AvroDeserializer<>(registry, Reply.class));
    }

    private static <V> KafkaConsumer<String, V> consumer(AidTopic topic,
        org.apache.kafka.common.serialization.Deserializer<V> values) {
      KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.kafka.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, "crash-reader-" + UUID.randomUUID(),
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), values);
      consumer.subscribe(List.of(topic.topicName()));
      return consumer;
    }

    private void poll() {
      events.poll(Duration.ofMillis(50)).forEach(r -> eventLog.add(r.value()));
      outbound.poll(Duration.ofMillis(50)).forEach(r -> outboundLog.add(r.value()));
      replies.poll(Duration.ofMillis(50)).forEach(r -> repliesPerRequest.merge(r.key(), 1, Integer::sum));
    }

    long count(String type, String runId) {
      poll();
      return eventLog.stream().filter(e -> e.getPayload().getClass().getSimpleName().equals(type))
          .filter(e -> userOf(e).contains(runId)).count();
    }

    Map<String, Integer> perUserAndType(String runId) {
      poll();
      Map<String, Integer> counts = new HashMap<>();
      eventLog.stream().filter(e -> userOf(e).contains(runId))
          .forEach(e -> counts.merge(userOf(e) + " " + e.getPayload().getClass().getSimpleName(), 1, Integer::sum));
      return counts;
    }

    List<String> outboundCommands(String runId) {
      poll();
      return outboundLog.stream().filter(o -> ((SpecificRecord) o.getPayload()).toString().contains(runId))
          .map(o -> o.getHeader().getMessageId()).toList();
    }

    Map<String, Integer> replyCounts() {
      poll();
      return repliesPerRequest;
    }

    private static String userOf(LifecycleEvent e) {
      SpecificRecord payload = (SpecificRecord) e.getPayload();
      var field = payload.getSchema().getField("cmpUserId");
      return field == null ? "" : String.valueOf(payload.get(field.pos()));
    }

    @Override
    public void close() {
      events.close();
      outbound.close();
      replies.close();
    }
  }
}
