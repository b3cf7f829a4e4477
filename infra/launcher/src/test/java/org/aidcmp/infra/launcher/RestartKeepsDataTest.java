package org.aidcmp.infra.launcher;

import org.aidcmp.infra.config.AidConfig;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stopping the stack and starting it again on the same data directory keeps every topic and record, every
 * schema id, every row and every retained message. This class runs its own stack, since it stops it.
 */
class RestartKeepsDataTest {
  private static Path dir;
  private static AidConfig config;

  @BeforeAll
  static void prepare() throws Exception {
    dir = Files.createTempDirectory("aid-restart-");
    config = SharedEmbeddedStack.testConfig(dir, SharedEmbeddedStack.freePorts());
  }

  @AfterAll
  static void cleanUp() throws Exception {
    SharedEmbeddedStack.deleteRecursively(dir);
  }

  @Test
  void aRestartOnTheSameDataDirectoryKeepsTopicsSchemaIdsRowsAndRetainedMessages() throws Exception {
    String key = UUID.randomUUID().toString();
    Aid1Inbound sent = Samples.notifyMspTokenInvalid(key);
    String retainedTopic = "aid2/v1/vehicles/WBAUX11030A334483/presence";
    int schemaId;

    try (EmbeddedStack stack = EmbeddedStack.start(config)) {
      Endpoints endpoints = stack.endpoints();
      ContractSetup.ensureTopics(endpoints.kafkaBootstrapServers(), 1, (short) 1);
      try (SchemaRegistryClient registry = RestSchemaRegistryClient.of(endpoints.schemaRegistryUrl())) {
        schemaId = ContractSetup.registerSchemas(registry).get(AidTopic.AID1_INBOUND.valueSubject());
        try (KafkaProducer<String, Aid1Inbound> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
            new StringSerializer(), new AvroSerializer<>(registry, false))) {
          producer.send(new ProducerRecord<>(AidTopic.AID1_INBOUND.topicName(), key, sent)).get(30, TimeUnit.SECONDS);
        }
      }
      try (Connection db = connect(endpoints); Statement sql = db.createStatement()) {
        sql.execute("CREATE TABLE federations (msp_token text PRIMARY KEY)");
        sql.execute("INSERT INTO federations VALUES ('" + key + "')");
      }
      try (MqttTestClient vehicle = MqttTestClient.vehicle(endpoints.mqttServerUri(),
          DevCredentials.mqttCredentials(dir).issueVehiclePassword("WBAUX11030A334483"))) {
        vehicle.publish(retainedTopic, "online", true);
      }
    }

    try (EmbeddedStack stack = EmbeddedStack.start(config)) {
      Endpoints endpoints = stack.endpoints();
      assertThat(ContractSetup.ensureTopics(endpoints.kafkaBootstrapServers(), 1, (short) 1))
          .as("every topic is still there").isEmpty();
      try (SchemaRegistryClient registry = RestSchemaRegistryClient.of(endpoints.schemaRegistryUrl())) {
        assertThat(registry.lookup(AidTopic.AID1_INBOUND.valueSubject(), Aid1Inbound.getClassSchema()).orElseThrow().id())
            .isEqualTo(schemaId);
        assertThat(readAll(endpoints, registry)).extracting(ConsumerRecord::value).containsExactly(sent);
      }
      try (Connection db = connect(endpoints); Statement sql = db.createStatement();
          ResultSet rows = sql.executeQuery("SELECT msp_token FROM federations")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1)).isEqualTo(key);
      }
      try (MqttTestClient bridge = MqttTestClient.service(endpoints.mqttServerUri(),
          DevCredentials.mqttService(dir, MqttRole.BRIDGE))) {
        bridge.subscribe(retainedTopic);
        var retained = bridge.receive(30).orElseThrow(() -> new AssertionError("retained message lost"));
        assertThat(new String(retained.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("online");
        assertThat(retained.isRetain()).isTrue();
      }
    }
  }

  private static Connection connect(Endpoints endpoints) throws Exception {
    return DriverManager.getConnection(endpoints.postgresJdbcUrl(), endpoints.postgresUser(), endpoints.postgresPassword());
  }

  private static List<ConsumerRecord<String, Aid1Inbound>> readAll(Endpoints endpoints, SchemaRegistryClient registry) {
    try (KafkaConsumer<String, Aid1Inbound> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "restart-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new AvroDeserializer<>(registry, Aid1Inbound.class))) {
      consumer.subscribe(List.of(AidTopic.AID1_INBOUND.topicName()));
      List<ConsumerRecord<String, Aid1Inbound>> records = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (records.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }
}
