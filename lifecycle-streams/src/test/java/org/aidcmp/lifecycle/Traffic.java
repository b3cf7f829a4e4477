package org.aidcmp.lifecycle;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.AcceptAidTerms;
import org.aidcmp.schemas.touchpoint.OnboardingStart;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RequestAccountId;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The inputs of a population of users, each with one vehicle, onto a real broker: the fleet registration,
 * the account id, the terms, the MSP's token, the vehicle's request for an AC. User i is "{prefix}-i".
 */
final class Traffic implements AutoCloseable {
  private final KafkaProducer<String, SpecificRecord> producer;
  private final String prefix;

  Traffic(String bootstrapServers, SchemaRegistryClient registry, String prefix) {
    this.prefix = prefix;
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
        new StringSerializer(), new AvroSerializer<>(registry, true));
  }

  String user(int i) {
    return prefix + "-" + i;
  }

  /** 17 characters, unique per user: V, the prefix's first 7 characters, 9 digits. */
  String vin(int i) {
    return String.format("V%-7.7s%09d", prefix.toUpperCase(), i).replace(' ', 'X');
  }

  static String eid(int i) {
    return String.format("89049032%024d", i);
  }

  /** The sid of user i's account id: derived, so the MSP's call can name it without a lookup. */
  String sid(int i) {
    return Envelopes.derivedId(prefix, "sid", Integer.toString(i));
  }

  void onboardingStart(int i) {
    send(AidTopic.TOUCHPOINT_COMMANDS, vin(i), new TouchpointCommand(header(), new RegisterVehicle(vin(i), eid(i), null, true)));
    send(AidTopic.TOUCHPOINT_COMMANDS, user(i), new TouchpointCommand(header(), new RequestAccountId(user(i), "msp-a",
        sid(i), Instant.now(), Instant.now().plusSeconds(3600), OnboardingStart.CMP_TOUCHPOINT)));
    send(AidTopic.TOUCHPOINT_COMMANDS, user(i), new TouchpointCommand(header(), new AcceptAidTerms(user(i), "v1")));
  }

  void sendMspToken(int i) {
    // As ingress writes it: keyed by the user the account id names.
    send(AidTopic.AID1_INBOUND, user(i), new Aid1Inbound(header(), SendMspToken.newBuilder().setMspId("msp-a")
        .setSid(sid(i)).setAccountIdExpiresAt(Instant.now().plusSeconds(3600)).setMspToken("token-" + user(i))
        .setSubscriptionType(SubscriptionType.PRIVATE).setCmpUserId(user(i)).build()));
  }

  void requestActivationCode(int i) {
    send(AidTopic.AID2_UPLINK, vin(i), new Aid2Uplink(header(), new RequestActivationCode(
        new VehicleRequestId(vin(i), Instant.now().getEpochSecond()), user(i), "", eid(i))));
  }

  private static EnvelopeHeader header() {
    return Envelopes.header("traffic", UUID.randomUUID().toString(), UUID.randomUUID().toString(), Instant.now());
  }

  private void send(AidTopic topic, String key, SpecificRecord value) {
    producer.send(new ProducerRecord<>(topic.topicName(), key, value));
  }

  void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
