package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.serde.SerdeConfig;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Avro records through the embedded broker and registry, with serdes instantiated by Kafka from config. */
@ExtendWith(SharedEmbeddedStack.class)
class AvroThroughBrokerAndRegistryTest {

  @Test
  void theContractsTopicsExistWithTheirConfiguration(Endpoints endpoints) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      for (AidTopic topic : AidTopic.values()) {
        assertThat(names).contains(topic.topicName());
      }
      ConfigResource ref = new ConfigResource(ConfigResource.Type.TOPIC, AidTopic.REF_VEHICLES.topicName());
      ConfigResource uplink = new ConfigResource(ConfigResource.Type.TOPIC, AidTopic.AID2_UPLINK.topicName());
      Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(ref, uplink)).all().get(30, TimeUnit.SECONDS);
      assertThat(configs.get(ref).get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(configs.get(uplink).get("retention.ms").value()).isEqualTo("-1");
    }
  }

  @Test
  void producedAvroIsConsumedByOurSerdeAndByPlainAvroWithTheSchemaFetchedById(Endpoints endpoints) {
    String topic = AidTopic.AID1_INBOUND.topicName();
    String key = UUID.randomUUID().toString();
    Aid1Inbound sent = Samples.notifyMspTokenInvalid(key);

    try (KafkaProducer<String, Aid1Inbound> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class,
        SerdeConfig.SCHEMA_REGISTRY_URL, endpoints.schemaRegistryUrl()))) {
      producer.send(new ProducerRecord<>(topic, key, sent)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    ConsumerRecord<String, byte[]> raw = consumeOne(endpoints, topic, key);

    try (AvroDeserializer<Aid1Inbound> ours = new AvroDeserializer<>()) {
      ours.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, endpoints.schemaRegistryUrl(),
          SerdeConfig.SPECIFIC_VALUE_TYPE, Aid1Inbound.class.getName()), false);
      assertThat(ours.deserialize(topic, raw.value())).isEqualTo(sent);
    }

    byte[] bytes = raw.value();
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    try (RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(endpoints.schemaRegistryUrl())) {
      Schema writer = registry.schemaById(id);
      assertThat(registry.lookup(AidTopic.AID1_INBOUND.valueSubject(), Aid1Inbound.getClassSchema()).orElseThrow().id())
          .isEqualTo(id);
      GenericRecord generic = new GenericDatumReader<GenericRecord>(writer)
          .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
      GenericRecord payload = (GenericRecord) generic.get("payload");
      assertThat(payload.getSchema().getName()).isEqualTo("NotifyMspTokenInvalid");
      assertThat(payload.get("mspToken").toString()).isEqualTo(key);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static ConsumerRecord<String, byte[]> consumeOne(Endpoints endpoints, String topic, String key) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        for (ConsumerRecord<String, byte[]> record : seen) {
          if (key.equals(record.key())) {
            return record;
          }
        }
      }
      throw new AssertionError("no record with key " + key + " on " + topic + " within 60 s");
    }
  }
}
