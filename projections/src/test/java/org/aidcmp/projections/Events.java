package org.aidcmp.projections;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.common.EncryptedValue;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.lifecycle.ProfileRef;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes events onto a test's topics as lifecycle-streams would: the envelope, keyed by cmpUserId or VIN. */
final class Events implements AutoCloseable {
  private final ProjectionsSettings settings;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final KafkaProducer<byte[], byte[]> raw;
  private final List<RecordMetadata> written = new ArrayList<>();
  private Instant clock = Instant.parse("2026-11-30T08:00:00Z");

  Events(ProjectionsStack.Stack stack, ProjectionsSettings settings) {
    this.settings = settings;
    Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(config, new StringSerializer(), new AvroSerializer<>(stack.registry, true));
    raw = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A lifecycle event keyed by its user. */
  RecordMetadata user(String cmpUserId, Object payload) {
    LifecycleEvent event = LifecycleEvent.newBuilder().setHeader(header()).setPayload(payload).build();
    return send(new ProducerRecord<>(settings.lifecycleEventsTopic(), cmpUserId, event));
  }

  /** Without waiting for the broker: a stream of events; {@link #flush} waits for them all. */
  void userNoWait(String cmpUserId, Object payload) {
    LifecycleEvent event = LifecycleEvent.newBuilder().setHeader(header()).setPayload(payload).build();
    producer.send(new ProducerRecord<>(settings.lifecycleEventsTopic(), cmpUserId, event));
  }

  void flush() {
    producer.flush();
  }

  RecordMetadata vehicle(String vin, Object payload) {
    VehicleEvent event = VehicleEvent.newBuilder().setHeader(header()).setPayload(payload).build();
    return send(new ProducerRecord<>(settings.vehicleEventsTopic(), vin, event));
  }

  /** An envelope as it is (a sample's header and payload). */
  RecordMetadata envelope(String topic, String key, SpecificRecord envelope) {
    return send(new ProducerRecord<>(topic, key, envelope));
  }

  /** Bytes that are no record at all, on the lifecycle topic. */
  RecordMetadata garbage(String key, byte[] value) {
    try {
      RecordMetadata m = raw.send(new ProducerRecord<>(settings.lifecycleEventsTopic(), key.getBytes(), value)).get();
      written.add(m);
      return m;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private RecordMetadata send(ProducerRecord<String, SpecificRecord> record) {
    try {
      RecordMetadata m = producer.send(record).get();
      written.add(m);
      return m;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private org.aidcmp.schemas.common.EnvelopeHeader header() {
    clock = clock.plusSeconds(1);
    return Envelopes.header("lifecycle-streams", null, null, clock);
  }

  int count() {
    return written.size();
  }

  static ProfileRef ref(String user, String token, String iccid, String vin, String eid) {
    return ProfileRef.newBuilder().setCmpUserId(user).setMspToken(token).setIccid(iccid).setVin(vin).setEid(eid).build();
  }

  static EncryptedValue phone(String keyId, byte... ciphertext) {
    return EncryptedValue.newBuilder().setKeyId(keyId).setIv(ByteBuffer.wrap(new byte[12]))
        .setCiphertext(ByteBuffer.wrap(ciphertext)).build();
  }

  @Override
  public void close() {
    producer.close();
    raw.close();
  }
}
