package org.aidcmp.ingress.aid1;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.SendActivationCode;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.aid1.SendProfileInformation;
import org.aidcmp.schemas.aid1.UpdateSubscriptionInfo;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.serde.AvroSerde;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.AcceptAidTerms;
import org.aidcmp.schemas.touchpoint.ChooseSubscription;
import org.aidcmp.schemas.touchpoint.RequestAccountId;
import org.aidcmp.schemas.touchpoint.RetireVehicle;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.aidcmp.schemas.touchpoint.WithdrawOnboarding;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * TEST ONLY: a stand-in for lifecycle-streams, which does not exist yet. It reads what ingress writes and
 * answers on aid.replies.v1 with a few rules of state (sessions, tokens, activation-code requests) so the
 * ingress can be tested end to end. It decides nothing for production; the real topology replaces it.
 */
final class TopologyStandIn implements AutoCloseable {
  record Session(String cmpUserId, String mspId, boolean used) {}

  record Token(String mspId, String cmpUserId) {}

  /** Every record received, in order, with its key. */
  record Received(String topic, String key, SpecificRecord value) {}

  final Map<String, Session> sessions = new ConcurrentHashMap<>();
  final Map<String, Token> tokens = new ConcurrentHashMap<>();
  final Map<String, String> activationCodeRequests = new ConcurrentHashMap<>();
  final Set<String> vehicles = ConcurrentHashMap.newKeySet();
  final List<Received> received = new CopyOnWriteArrayList<>();
  /** Requests it must not answer (to test the wait bound): identified by customerGroup "no-reply". */
  private final Map<String, Reply> answered = new HashMap<>();

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final Deserializer<Aid1Inbound> inbound;
  private final Deserializer<TouchpointCommand> commands;
  private final Serializer<Reply> replies;
  private final Thread thread;
  private volatile boolean running = true;

  TopologyStandIn(String bootstrap, SchemaRegistryClient registry) {
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "test-topology-stand-in",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
    producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
    inbound = AvroSerde.<Aid1Inbound>forTopic(AidTopic.AID1_INBOUND, registry).deserializer();
    commands = AvroSerde.<TouchpointCommand>forTopic(AidTopic.TOUCHPOINT_COMMANDS, registry).deserializer();
    replies = AvroSerde.<Reply>forTopic(AidTopic.REPLIES, registry).serializer();
    thread = new Thread(this::run, "topology-stand-in");
    thread.setDaemon(true);
  }

  TopologyStandIn start() {
    consumer.subscribe(List.of(AidTopic.AID1_INBOUND.topicName(), AidTopic.TOUCHPOINT_COMMANDS.topicName()));
    thread.start();
    return this;
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(AidTopic.AID1_INBOUND.topicName())) {
            Aid1Inbound value = inbound.deserialize(r.topic(), r.value());
            received.add(new Received(r.topic(), r.key(), value));
            handle(value.getHeader(), value.getPayload());
          } else {
            TouchpointCommand value = commands.deserialize(r.topic(), r.value());
            received.add(new Received(r.topic(), r.key(), value));
            handle(value.getHeader(), value.getPayload());
          }
        }
        producer.flush();
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(1));
    }
  }

  private void handle(EnvelopeHeader header, Object payload) {
    String requestId = header.getRequestId();
    Reply earlier = answered.get(requestId);
    if (earlier != null) {
      // The topology deduplicates too: the same outcome again.
      send(requestId, earlier);
      return;
    }
    RequestOutcome outcome = decide(payload);
    if (outcome == null) {
      return;
    }
    Reply reply = Reply.newBuilder()
        .setHeader(Envelopes.header("test-topology-stand-in", requestId, header.getCorrelationId(), Instant.now()))
        .setPayload(outcome).build();
    answered.put(requestId, reply);
    send(requestId, reply);
  }

  private void send(String requestId, Reply reply) {
    producer.send(new ProducerRecord<>(AidTopic.REPLIES.topicName(), requestId,
        replies.serialize(AidTopic.REPLIES.topicName(), reply)));
  }

  private RequestOutcome decide(Object payload) {
    if (payload instanceof SendMspToken p) {
      if ("no-reply".equals(p.getCustomerGroup())) {
        return null;
      }
      if (p.getCustomerGroup() != null && p.getCustomerGroup().startsWith("outcome-")) {
        return scripted(p.getCustomerGroup());
      }
      Session s = sessions.get(p.getSid());
      if (s == null || !s.mspId().equals(p.getMspId())) {
        return error(422, "10", "The account ID was not found");
      }
      if (s.used()) {
        return error(422, "11", "The account ID was found but is no longer valid");
      }
      if (p.getMspToken() != null && tokens.containsKey(p.getMspToken())) {
        return error(422, "23", "The msp_token is already assigned to a user");
      }
      sessions.put(p.getSid(), new Session(s.cmpUserId(), s.mspId(), true));
      if (p.getMspToken() != null) {
        tokens.put(p.getMspToken(), new Token(p.getMspId(), s.cmpUserId()));
      }
      return ok(201, null);
    }
    if (payload instanceof NotifyMspTokenInvalid p) {
      return own(p.getMspToken(), p.getMspId()) ? ok(204, null) : error(404, "20", "The msp_token was not found");
    }
    if (payload instanceof SendProfileInformation p) {
      return own(p.getMspToken(), p.getMspId()) ? ok(200, null) : error(404, "20", "The msp_token was not found");
    }
    if (payload instanceof UpdateSubscriptionInfo p) {
      if (p.getCustomerGroup() != null && p.getCustomerGroup().startsWith("outcome-")) {
        return scripted(p.getCustomerGroup());
      }
      return own(p.getMspToken(), p.getMspId()) ? ok(201, null) : error(404, "20", "The msp_token was not found");
    }
    if (payload instanceof SendActivationCode p) {
      if (!own(p.getMspToken(), p.getMspId())) {
        return error(404, "20", "The msp_token was not found");
      }
      return p.getMspToken().equals(activationCodeRequests.get(p.getActivationCodeRequestId()))
          ? ok(200, null) : error(422, "30", "The specified request ID was not found");
    }
    if (payload instanceof RequestAccountId p) {
      sessions.put(p.getSid(), new Session(p.getCmpUserId(), p.getMspId(), false));
      return ok(201, null);
    }
    if (payload instanceof ChooseSubscription p) {
      Token t = tokens.get(p.getMspToken());
      return t != null && t.cmpUserId().equals(p.getCmpUserId()) ? ok(204, null) : error(404, "20", "not found");
    }
    if (payload instanceof WithdrawOnboarding p) {
      Token t = tokens.get(p.getMspToken());
      return t != null && t.cmpUserId().equals(p.getCmpUserId())
          ? ok(202, "{\"mspId\":\"" + t.mspId() + "\"}") : error(404, "20", "The msp_token was not found");
    }
    if (payload instanceof AcceptAidTerms) {
      return ok(204, null);
    }
    if (payload instanceof RegisterVehicle p) {
      vehicles.add(p.getVin());
      return ok(201, null);
    }
    if (payload instanceof RetireVehicle p) {
      return vehicles.remove(p.getVin()) ? ok(204, null) : error(404, "91", "unknown vehicle");
    }
    return ok(202, null);
  }

  /** "outcome-<status>-<code>": the outcome a test asks for, to see ingress pass any decided status through. */
  private static RequestOutcome scripted(String spec) {
    String[] parts = spec.split("-");
    if (parts[2].equals("none")) {
      return ok(Integer.parseInt(parts[1]), null); // a refusal without an AID.02 code
    }
    return error(Integer.parseInt(parts[1]), parts[2], "scripted by the test");
  }

  private boolean own(String token, String mspId) {
    Token t = tokens.get(token);
    return t != null && t.mspId().equals(mspId);
  }

  private static RequestOutcome ok(int status, String body) {
    return RequestOutcome.newBuilder().setHttpStatus(status).setBody(body).build();
  }

  private static RequestOutcome error(int status, String code, String text) {
    return RequestOutcome.newBuilder().setHttpStatus(status)
        .setError(ErrorInfo.newBuilder().setCode(code).setError(text).build()).build();
  }

  /** How many records carry this requestId. */
  long count(String requestId) {
    return received.stream().filter(r -> requestId.equals(header(r.value()).getRequestId())).count();
  }

  static EnvelopeHeader header(SpecificRecord value) {
    return value instanceof Aid1Inbound a ? a.getHeader() : ((TouchpointCommand) value).getHeader();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(2));
  }
}
