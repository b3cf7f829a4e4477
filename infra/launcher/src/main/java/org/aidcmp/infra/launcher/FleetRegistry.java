package org.aidcmp.infra.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.ref.VehicleReference;
import org.aidcmp.schemas.ref.VehicleRegistration;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The fleet registry as a fleet system writes it: one {@link VehicleReference} per VIN on the compacted
 * {@code aid.ref.vehicles.v1} (DESIGN.md's topic catalogue), which the Vehicle aggregate of lifecycle-streams
 * reads (AID.02 §7.2.1: a VIN it does not know gets UNKNOWN_VIN). A record with the same VIN replaces the one before.
 */
final class FleetRegistry {
  static final String SOURCE = "aid-fleet-registry";

  private FleetRegistry() {}

  /** The registry record of one vehicle: enabled for AiD. */
  static VehicleReference reference(String vin, String eid, String imei, Instant now) {
    return VehicleReference.newBuilder()
        .setHeader(Envelopes.header(SOURCE, null, null, now))
        .setPayload(VehicleRegistration.newBuilder().setVin(vin).setEid(eid).setImei(imei).setAidEnabled(true).build())
        .build();
  }

  /** Writes {@code reference} and waits for Kafka's acknowledgement (acks=all), at most {@code limit}. */
  static void register(String bootstrapServers, SchemaRegistryClient registry, VehicleReference reference,
      Duration limit) throws InterruptedException {
    int millis = (int) limit.toMillis();
    try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        // Bounded: a platform that is not running is said in one line, not waited for forever.
        ProducerConfig.MAX_BLOCK_MS_CONFIG, millis,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis / 2, // delivery.timeout must exceed it plus linger.ms
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis),
        new StringSerializer(), new AvroSerializer<>(registry, false))) {
      VehicleRegistration vehicle = (VehicleRegistration) reference.getPayload();
      producer.send(new ProducerRecord<>(AidTopic.REF_VEHICLES.topicName(), vehicle.getVin(), reference))
          .get(millis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no acknowledgement within " + limit, e);
    }
  }
}
