package org.aidcmp.ingress.aid1;

import org.aidcmp.schemas.metrics.AidMeters;
import org.aidcmp.schemas.metrics.KafkaReadiness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerde;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request / reply over Kafka (DESIGN.md, Synchronous requests): write one record (idempotent producer,
 * acks=all), then wait, bounded, for the {@link Reply} with its requestId on aid.replies.v1, which this
 * instance reads whole (assigned, not grouped, read_committed, from the end at start-up: a reply is only
 * ever awaited by the instance that wrote the request since).
 *
 * <p>A requestId already answered is answered again from memory without writing; one still in flight waits
 * for the same reply. Either way the same request is written at most once by this instance (the topology
 * deduplicates across instances and restarts).
 */
public final class RequestReply implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RequestReply.class);
  private static final String SOURCE = "ingress-aid1";

  /** Who asked: an outcome is never shown to another caller that happens to reuse the id. */
  public record Caller(String id) {}

  /** The topology's answer. */
  public record Outcome(int httpStatus, String errorCode, String error, String body) {}

  private record Request(Caller caller, String correlationId, CompletableFuture<Outcome> outcome, long createdNanos) {}

  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<AidTopic, Serializer<SpecificRecord>> serializers = new HashMap<>();
  private final Deserializer<Reply> replies;
  private final Duration wait;
  private final int retryAfterSeconds;
  private final ConcurrentHashMap<String, Request> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Request> answered;
  private final Thread reader;
  private final List<io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics> clientMetrics;
  /** The consumer's metrics, a live view taken once: the consumer itself is for its reader thread only. */
  private final Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> consumerMetrics;
  private volatile boolean running = true;

  public RequestReply(String bootstrapServers, Map<String, Object> clientOverrides, SchemaRegistryClient registry,
      Duration wait, int retryAfterSeconds, int rememberedReplies) {
    this.wait = wait;
    this.retryAfterSeconds = retryAfterSeconds;
    this.answered = java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Request> eldest) {
        return size() > rememberedReplies;
      }
    });
    for (AidTopic topic : List.of(AidTopic.AID1_INBOUND, AidTopic.TOUCHPOINT_COMMANDS)) {
      serializers.put(topic, AvroSerde.<SpecificRecord>forTopic(topic, registry).serializer());
    }
    this.replies = AvroSerde.<Reply>forTopic(AidTopic.REPLIES, registry).deserializer();

    Map<String, Object> p = new HashMap<>(clientOverrides);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // Bounded: a request must not hang on a broker that is away longer than the reply bound.
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Math.max(1000, wait.toMillis()));
    p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, wait.toMillis()));
    p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(2000, wait.toMillis() * 2 + 1));
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "ingress-aid1");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());

    Map<String, Object> c = new HashMap<>(clientOverrides);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A reply waits on this consumer: don't let a read_committed fetch sit out its 500 ms default wait.
    c.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "ingress-aid1-replies");
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    // Kafka's own client figures (connections, lag, latencies) on the process's /metrics.
    consumerMetrics = consumer.metrics();
    clientMetrics = List.of(new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer),
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer));
    clientMetrics.forEach(m -> m.bindTo(io.micrometer.core.instrument.Metrics.globalRegistry));
    reader = new Thread(this::readReplies, "ingress-aid1-replies");
    reader.setDaemon(true);
  }

  /** Assigns every partition of aid.replies.v1 at its end, then starts reading. Bounded by {@code timeout}. */
  public RequestReply start(Duration timeout) {
    List<PartitionInfo> partitions = consumer.partitionsFor(AidTopic.REPLIES.topicName(), timeout);
    if (partitions == null || partitions.isEmpty()) {
      throw new IllegalStateException("topic " + AidTopic.REPLIES.topicName() + " not found");
    }
    List<TopicPartition> assigned = new ArrayList<>();
    partitions.forEach(pi -> assigned.add(new TopicPartition(pi.topic(), pi.partition())));
    consumer.assign(assigned);
    consumer.seekToEnd(assigned);
    // Resolve the end now: a lazy seek could otherwise skip a reply written before the first poll.
    assigned.forEach(tp -> consumer.position(tp, timeout));
    reader.start();
    return this;
  }

  /**
   * The outcome already recorded for this requestId, if this instance has one: answered before anything else
   * about the request is checked again, so an MSP's retry gets the same answer even when, say, its account id
   * has expired since.
   */
  public java.util.Optional<Outcome> recorded(Caller caller, String requestId, String correlationId, int mismatchStatus) {
    Request existing = answered.get(requestId);
    if (existing == null) {
      return java.util.Optional.empty();
    }
    checkRepeat(existing, caller, correlationId, mismatchStatus);
    return java.util.Optional.of(existing.outcome().join());
  }

  private static void checkRepeat(Request existing, Caller caller, String correlationId, int mismatchStatus) {
    if (!existing.caller().equals(caller)) {
      throw new ApiError(mismatchStatus, "39", "Other request ID error: the CMP-request-id is already in use");
    }
    if (!java.util.Objects.equals(existing.correlationId(), correlationId)) {
      throw new ApiError(mismatchStatus, "92", "The correlation-id does not match");
    }
  }

  /**
   * Writes {@code envelope} to {@code topic} under {@code key} unless this requestId was seen, and waits for
   * its outcome.
   *
   * @param mismatchStatus the status a reused requestId with another correlation-id gets (code 92)
   */
  public Outcome call(Caller caller, AidTopic topic, String key, SpecificRecord envelope, String requestId,
      String correlationId, int mismatchStatus) {
    Request mine = new Request(caller, correlationId, new CompletableFuture<>(), System.nanoTime());
    Request existing = answered.get(requestId);
    if (existing == null) {
      existing = inFlight.putIfAbsent(requestId, mine);
    }
    if (existing != null) {
      // A repeat: the outcome already recorded (or about to be), and nothing written again.
      checkRepeat(existing, caller, correlationId, mismatchStatus);
      return await(existing, requestId, false);
    }
    byte[] value = serializers.get(topic).serialize(topic.topicName(), envelope);
    try {
      producer.send(new ProducerRecord<>(topic.topicName(), key, value)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      inFlight.remove(requestId, mine);
      throw ApiError.unavailable(retryAfterSeconds, "The request could not be recorded; try again");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // Not recorded (or not known to be): forget it, so the MSP's retry with the same id writes again.
      inFlight.remove(requestId, mine);
      LOG.warn("could not write to {}: {}", topic.topicName(), e.toString());
      throw ApiError.unavailable(retryAfterSeconds, "The request could not be recorded; try again");
    }
    return await(mine, requestId, true);
  }

  private Outcome await(Request request, String requestId, boolean mine) {
    try {
      Outcome outcome = request.outcome().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      io.micrometer.core.instrument.Metrics.counter(AidMeters.INGRESS_REPLIES, "outcome", "replied").increment();
      return outcome;
    } catch (TimeoutException e) {
      io.micrometer.core.instrument.Metrics.counter(AidMeters.INGRESS_REPLIES, "outcome", "timed-out").increment();
      // Recorded, not yet decided: the retry with the same id waits for the same reply without writing again.
      throw ApiError.unavailable(retryAfterSeconds, "The request is recorded but not answered yet; try again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiError.unavailable(retryAfterSeconds, "Interrupted; try again");
    } catch (ExecutionException e) {
      throw ApiError.unavailable(retryAfterSeconds, "No answer; try again");
    }
  }

  private void readReplies() {
    long lastSweep = System.nanoTime();
    while (running) {
      if (System.nanoTime() - lastSweep > 10_000_000_000L) {
        sweep();
        lastSweep = System.nanoTime();
      }
      try {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          onReply(record);
        }
      } catch (WakeupException e) {
        if (!running) {
          break;
        }
      } catch (RuntimeException e) {
        LOG.warn("reading replies failed, retrying: {}", e.toString());
        sleep();
      }
    }
    consumer.close(Duration.ofSeconds(2));
  }

  /**
   * Forgets requests whose reply never came (the topology down longer than anyone waits): bounded memory. A
   * retry after that writes the request again, which the topology's own deduplication absorbs.
   */
  private void sweep() {
    long cutoff = System.nanoTime() - Math.max(Duration.ofMinutes(1).toNanos(), wait.toNanos() * 10);
    inFlight.entrySet().removeIf(e -> e.getValue().createdNanos() - cutoff < 0);
  }

  private void onReply(ConsumerRecord<String, byte[]> record) {
    Reply reply;
    try {
      reply = replies.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      LOG.warn("unreadable reply at {}-{}@{}", record.topic(), record.partition(), record.offset());
      return;
    }
    if (reply == null || reply.getHeader() == null) {
      return;
    }
    String requestId = reply.getHeader().getRequestId() != null ? reply.getHeader().getRequestId() : record.key();
    if (requestId == null) {
      return;
    }
    Request request = inFlight.get(requestId);
    if (request == null) {
      return; // another instance's request
    }
    RequestOutcome o = (RequestOutcome) reply.getPayload();
    Outcome outcome = new Outcome(o.getHttpStatus(),
        o.getError() == null ? null : o.getError().getCode(),
        o.getError() == null ? null : o.getError().getError(),
        o.getBody());
    // Recorded as answered before it leaves the in-flight map, so a repeat arriving meanwhile finds one of the two.
    answered.put(requestId, request);
    request.outcome().complete(outcome);
    inFlight.remove(requestId, request);
  }

  private static void sleep() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    if (!reader.isAlive()) {
      consumer.close(Duration.ofSeconds(2));
    }
    consumer.wakeup();
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(2));
    clientMetrics.forEach(io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics::close);
  }

  /** Ready: both Kafka clients have connected to a broker (the replies are assigned once started). */
  public boolean ready() {
    return reader.isAlive() && KafkaReadiness.connected(producer.metrics()) && KafkaReadiness.connected(consumerMetrics);
  }
}
