package org.aidcmp.egress.downlink;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.aidcmp.egress.SharedKafka;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.Aid2Error;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfiles;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.aid2.wire.DownlinkMessage;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One downlink test's world on the shared stack: its own downlink and dead-letter topics on the shared Kafka,
 * records written as lifecycle-streams writes them (Aid2Downlink, key VIN, messageId = command id), publishers
 * against an MQTT broker, and vehicles subscribed to their own downlink.
 */
final class DownlinkHarness implements AutoCloseable {
  static final String EID = "89049032123451234512345678901235";
  static final String ICCID = "8944500102198304826";
  /** Test activation code: no letter or log line may ever show it. */
  static final String ACTIVATION_CODE = "1$smdp.example.com$SECRET-AC-0123456789";

  final SharedKafka.Endpoints endpoints;
  final EmbeddedMqttBroker broker;
  /** Null for a broker without authentication. */
  final SharedMqtt.Broker secured;
  final String downlink;
  final String dlq;
  final RestSchemaRegistryClient registry;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final KafkaProducer<String, byte[]> rawProducer;
  private final List<DownlinkPublisher> publishers = new ArrayList<>();
  private final List<TestVehicle> vehicles = new ArrayList<>();

  /** A record as written: where it went and what it carries. */
  record Sent(String vin, String commandId, SpecificRecord payload, int partition, long offset) {
    DownlinkMessage message() {
      return DownlinkMessage.of(payload);
    }
  }

  /** On the shared, authenticated broker: the publisher logs in as the downlink, each vehicle as itself. */
  DownlinkHarness(SharedKafka.Endpoints endpoints, SharedMqtt.Broker broker, String name, int partitions) throws Exception {
    this(endpoints, broker.mqtt(), broker, topicName("test.downlink.", name), topicName("test.dlq.", name), partitions);
  }

  /** On a broker of a test's own without authentication (its own extension decides). */
  DownlinkHarness(SharedKafka.Endpoints endpoints, EmbeddedMqttBroker broker, String name, int partitions) throws Exception {
    this(endpoints, broker, null, topicName("test.downlink.", name), topicName("test.dlq.", name), partitions);
  }

  private static String topicName(String prefix, String name) {
    return prefix + name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  DownlinkHarness(SharedKafka.Endpoints endpoints, EmbeddedMqttBroker broker, SharedMqtt.Broker secured,
                  String downlink, String dlq, int partitions) throws Exception {
    this.endpoints = endpoints;
    this.broker = broker;
    this.secured = secured;
    this.downlink = downlink;
    this.dlq = dlq;
    try (Admin admin = admin()) {
      var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      if (!existing.contains(downlink)) {
        missing.add(new NewTopic(downlink, partitions, (short) 1));
      }
      if (!existing.contains(dlq)) {
        missing.add(new NewTopic(dlq, 1, (short) 1));
      }
      TopicSetup.create(admin, missing);
    }
    registry = RestSchemaRegistryClient.of(endpoints.registryUrl());
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 2),
        new StringSerializer(), new AvroSerializer<>(registry, true));
    rawProducer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
  }

  Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers()));
  }

  /** Settings for a test: its topics, its group, the broker's plain listener with the downlink's login. */
  DownlinkSettings settings(String group) {
    return settings(group, brokerEndpoint(MqttEndpoint.of(broker.serverUri())));
  }

  /** The downlink's login where the broker authenticates. */
  MqttEndpoint brokerEndpoint(MqttEndpoint where) {
    return secured == null ? where : where.withCredentials(secured.downlink().username(), secured.downlink().password());
  }

  /** A client id the downlink's identity may use (its name, or name-suffix). */
  static String clientId() {
    return "aid-downlink-test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  DownlinkSettings settings(String group, MqttEndpoint where) {
    return DownlinkSettings.of(endpoints.bootstrapServers(), where)
        .withGroupId(group)
        .withClientId(clientId())
        .withTopics(downlink, dlq)
        .withCommitInterval(Duration.ofMillis(100));
  }

  DownlinkPublisher start(DownlinkSettings settings) {
    DownlinkPublisher publisher = DownlinkPublisher.start(settings, registry);
    publishers.add(publisher);
    return publisher;
  }

  /** A vehicle with its own credentials (where the broker authenticates). */
  TestVehicle vehicle(String vin) {
    TestVehicle v = TestVehicle.mqtt5(vin, password(vin), "127.0.0.1", broker.port());
    vehicles.add(v);
    return v;
  }

  TestVehicle vehicle311(String vin) {
    TestVehicle v = TestVehicle.mqtt311(vin, password(vin), "127.0.0.1", broker.port());
    vehicles.add(v);
    return v;
  }

  private String password(String vin) {
    return secured == null ? null : secured.credentials().issueVehiclePassword(vin).password();
  }

  // ---- what lifecycle-streams writes ----

  static String newVin() {
    String alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    StringBuilder vin = new StringBuilder("WDL");
    for (int i = 0; i < 14; i++) {
      vin.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return vin.toString();
  }

  static VehicleRequestId requestId(String vin) {
    return new VehicleRequestId(vin, Instant.now().getEpochSecond());
  }

  /** One payload of each of the five downlink messages (§7.2.1, §7.2.2, §7.2.4, §7.2.7, §7.2.8) for {@code vin}. */
  static List<SpecificRecord> everyMessage(String vin) {
    return List.of(
        SendActivationCodeToVehicle.newBuilder().setRequestId(requestId(vin)).setCmpUserId("user-" + vin)
            .setProfileType("personal").setActivationCode(ACTIVATION_CODE).build(),
        VehicleRequestError.newBuilder().setRequestId(requestId(vin)).setCmpUserId("user-" + vin)
            .setError(Aid2Error.NO_ACTIVATION_CODE_AVAILALE).setDescription("the MSP gave no activation code").build(),
        RequestDeleteProfile.newBuilder().setRequestId(requestId(vin)).setCmpUserId("user-" + vin)
            .setIccid(ICCID).setEid(EID).build(),
        new RequestCsimInfo(requestId(vin)),
        new RequestDeleteAllProfiles(requestId(vin)));
  }

  /** The i-th of a mixed stream of messages for {@code vin}. */
  static SpecificRecord mixed(String vin, int i) {
    List<SpecificRecord> all = everyMessage(vin);
    return all.get(i % all.size());
  }

  Sent send(String vin, SpecificRecord payload) {
    String commandId = UUID.randomUUID().toString();
    Aid2Downlink record = Aid2Downlink.newBuilder()
        .setHeader(Envelopes.header(commandId, "lifecycle-streams", null, UUID.randomUUID().toString(), Instant.now()))
        .setPayload(payload).build();
    try {
      var metadata = producer.send(new ProducerRecord<>(downlink, vin, record)).get(10, TimeUnit.SECONDS);
      return new Sent(vin, commandId, payload, metadata.partition(), metadata.offset());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A record of raw bytes (null for a tombstone) on a given partition. */
  long sendRaw(Integer partition, String key, byte[] value) {
    try {
      return rawProducer.send(new ProducerRecord<>(downlink, partition, key, value)).get(10, TimeUnit.SECONDS).offset();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- what came out ----

  List<DeadLetterRecord> deadLetters() {
    try (KafkaConsumer<String, DeadLetterRecord> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
        new AvroDeserializer<>(registry, DeadLetterRecord.class))) {
      List<TopicPartition> tps = c.partitionsFor(dlq, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(dlq, p.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      List<DeadLetterRecord> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + dlq);
        }
        for (ConsumerRecord<String, DeadLetterRecord> r : c.poll(Duration.ofMillis(100))) {
          out.add(r.value());
        }
      }
      return out;
    }
  }

  /** The group's committed offset per partition of the downlink topic (absent: none committed). */
  Map<Integer, Long> committed(String group) {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      Map<Integer, Long> out = new HashMap<>();
      offsets.forEach((tp, o) -> {
        if (tp.topic().equals(downlink) && o != null) {
          out.put(tp.partition(), o.offset());
        }
      });
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The end offset of each partition of the downlink topic. */
  Map<Integer, Long> endOffsets() {
    try (Admin admin = admin()) {
      int count = admin.describeTopics(List.of(downlink)).allTopicNames().get(10, TimeUnit.SECONDS)
          .get(downlink).partitions().size();
      Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < count; p++) {
        latest.put(new TopicPartition(downlink, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      Map<Integer, Long> out = new HashMap<>();
      admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp.partition(), info.offset()));
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when the group committed every partition up to its end. */
  boolean committedToEnd(String group) {
    Map<Integer, Long> committed = committed(group);
    return endOffsets().entrySet().stream()
        .allMatch(e -> e.getValue() == 0 || committed.getOrDefault(e.getKey(), -1L).equals(e.getValue()));
  }

  static void await(Duration limit, String what, BooleanSupplier condition) {
    await(limit, () -> what, condition);
  }

  /** Polls until {@code condition} holds; fails after {@code limit}, saying what was awaited and where it stands. */
  static void await(Duration limit, Supplier<String> what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    publishers.forEach(DownlinkPublisher::close);
    vehicles.forEach(TestVehicle::close);
    producer.close(Duration.ofSeconds(5));
    rawProducer.close(Duration.ofSeconds(5));
    registry.close();
  }
}
