package org.aidcmp.egress;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.msp.AsyncActivationCodeSink.SendActivationCode;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.CsimStatusValue;
import org.aidcmp.schemas.aid1.RequestInvalidateMspToken;
import org.aidcmp.schemas.aid1.RequestProfileStatus;
import org.aidcmp.schemas.aid1.SendCsimStatus;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One test's world: its own topics on the shared Kafka, a CA for each side, a synchronous MSP with api-key auth
 * ("mspS") and an asynchronous one with basic auth ("mspA"), both over mutual TLS, and egress workers.
 */
final class Harness implements AutoCloseable {
  static final String CMP_ID = "aidcmpTest";
  static final String EID = "89049032123451234512345678901235";

  final SharedKafka.Endpoints endpoints;
  final String outbound;
  final String results;
  final String dlq;
  final RestSchemaRegistryClient registry;
  final CertificateAuthority mspCa = CertificateAuthority.create("msp-ca");
  final CertificateAuthority cmpCa = CertificateAuthority.create("cmp-ca");
  final List<SendActivationCode> delivered = new CopyOnWriteArrayList<>();
  final MspSimulator sync;
  final MspSimulator async;
  final MspRegistry msps;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final List<EgressWorker> workers = new ArrayList<>();

  Harness(SharedKafka.Endpoints endpoints, String name) throws Exception {
    this.endpoints = endpoints;
    String suffix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    outbound = "test.outbound." + suffix;
    results = "test.results." + suffix;
    dlq = "test.dlq." + suffix;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers()))) {
      TopicSetup.create(admin, List.of(new NewTopic(outbound, 2, (short) 1), new NewTopic(results, 2, (short) 1),
          new NewTopic(dlq, 1, (short) 1)));
    }
    registry = RestSchemaRegistryClient.of(endpoints.registryUrl());
    sync = MspSimulator.builder().mspId("mspS").cmpId(CMP_ID).apiKey("syncKey123")
        .tls(mspCa.issueServer("mspS", List.of(), List.of()), List.of(cmpCa.certificate()))
        .build().start();
    async = MspSimulator.builder().mspId("mspA").cmpId(CMP_ID).basicAuth("cmpUser", "s3cret")
        .mode(MspSimulator.ResponseMode.ASYNC)
        .tls(mspCa.issueServer("mspA", List.of(), List.of()), List.of(cmpCa.certificate()))
        .asyncSink(delivered::add).build().start();
    msps = MspRegistry.of(CMP_ID, List.of(
        msp("mspS", sync.baseUrl(), MspRegistry.OutboundAuth.API_KEY, "syncKey123", null, null),
        msp("mspA", async.baseUrl(), MspRegistry.OutboundAuth.BASIC, null, "cmpUser", "s3cret")));
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new AvroSerializer<>(registry, true));
  }

  static MspRegistry.Msp msp(String id, URI base, MspRegistry.OutboundAuth auth, String apiKey,
                                     String user, String password) {
    return new MspRegistry.Msp(id, id, base, auth, apiKey, user, password, "inbound" + id, null,
        new byte[32], new byte[16], MspRegistry.PhoneCipher.AES_GCM, List.of(), null, null, Set.of("DELETED"));
  }

  /** Settings for a test: a small retry budget with short backoff, so give-ups come within seconds. */
  EgressSettings settings(String group) {
    return settings(group, msps, MspTls.same(Tls.clientContext(cmpCa.issueClient(CMP_ID), List.of(mspCa.certificate()))));
  }

  /** The same, for other MSPs (e.g. ones with their own CA) and their own TLS contexts. */
  EgressSettings settings(String group, MspRegistry msps, MspTls tls) {
    return EgressSettings.of(endpoints.bootstrapServers(), msps, tls)
        .groupId(group)
        .topics(outbound, results, dlq)
        .callTimeout(Duration.ofSeconds(2))
        .retryBudget(6, Duration.ofMillis(100), Duration.ofMillis(800))
        .maxRetryAfter(Duration.ofSeconds(2))
        .circuitOpenFor(Duration.ofMillis(500))
        .commitInterval(Duration.ofMillis(100));
  }

  EgressWorker startWorker(EgressSettings settings) {
    EgressWorker worker = EgressWorker.start(settings, registry);
    workers.add(worker);
    return worker;
  }

  EgressWorker startWorker(String group) {
    return startWorker(settings(group));
  }

  String newUser(MspSimulator msp, int poolSize) {
    String token = UUID.randomUUID().toString();
    msp.createUser(token, poolSize);
    return token;
  }

  // Commands, as lifecycle-streams would write them.

  String requestActivationCode(String mspId, String token, String replaceIccid) {
    return send(token, new ActivationCodeRequest(mspId, token, "personal", "tcu", "", EID,
        UUID.randomUUID().toString(), replaceIccid));
  }

  String sendCsimStatus(String mspId, String token, String iccid, CsimStatusValue status) {
    return send(token, new SendCsimStatus(mspId, token, iccid, EID, status));
  }

  String invalidate(String mspId, String token) {
    return send(token, new RequestInvalidateMspToken(mspId, token));
  }

  String profileStatus(String mspId, String token, String iccid) {
    return send(token, new RequestProfileStatus(mspId, token, iccid));
  }

  String send(String token, Object payload) {
    String commandId = UUID.randomUUID().toString();
    sendWithId(commandId, token, payload);
    return commandId;
  }

  void sendWithId(String commandId, String token, Object payload) {
    Aid1Outbound command = Aid1Outbound.newBuilder()
        .setHeader(Envelopes.header(commandId, "lifecycle-streams", null, UUID.randomUUID().toString(), Instant.now()))
        .setPayload(payload).build();
    try {
      producer.send(new ProducerRecord<>(outbound, token, command)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every result written so far, read from the start. */
  List<Aid1Result> results() {
    return readAll(results, Aid1Result.class);
  }

  List<DeadLetterRecord> deadLetters() {
    return readAll(dlq, DeadLetterRecord.class);
  }

  /** Waits until {@code commandIds} all have a result; returns the results, by command. */
  Map<String, List<Aid1Result>> awaitResults(Duration limit, Set<String> commandIds) {
    Map<String, List<Aid1Result>>[] byCommand = new Map[1];
    try {
      await(limit, () -> {
        byCommand[0] = byCommand(results());
        return byCommand[0].keySet().containsAll(commandIds);
      });
    } catch (AssertionError e) {
      // Say where things stand, so a timeout on a busy machine can be told from a bug.
      StringBuilder state = new StringBuilder(e.getMessage());
      for (EgressWorker w : workers) {
        state.append("; worker in flight ").append(w.inFlight()).append(", failure ").append(w.failure());
      }
      state.append("; requests mspS ").append(sync.requests().size()).append(", mspA ").append(async.requests().size())
          .append("; results ").append(byCommand[0] == null ? 0 : byCommand[0].size());
      throw new AssertionError(state.toString(), e);
    }
    return byCommand[0];
  }

  static Map<String, List<Aid1Result>> byCommand(List<Aid1Result> results) {
    Map<String, List<Aid1Result>> out = new java.util.HashMap<>();
    results.forEach(r -> out.computeIfAbsent(ExecutedCommands.commandId(r), k -> new ArrayList<>()).add(r));
    return out;
  }

  private <T extends SpecificRecord> List<T> readAll(String topic, Class<T> type) {
    try (KafkaConsumer<String, T> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
        new AvroDeserializer<>(registry, type))) {
      List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      List<T> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic);
        }
        for (ConsumerRecord<String, T> r : c.poll(Duration.ofMillis(100))) {
          out.add(r.value());
        }
      }
      return out;
    }
  }

  static void await(Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + limit);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    workers.forEach(EgressWorker::close);
    producer.close(Duration.ofSeconds(5));
    sync.close();
    async.close();
    registry.close();
  }
}
