package org.aidcmp.ingress.aid2;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.DownlinkMessage;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uplink bridge (AID.02 §7.2, vehicle to CMP): one MQTT 5 connection reading the bridges' shared
 * subscriptions of every vehicle's uplink messages and presence at QoS 1, one idempotent Kafka producer
 * (acks=all) writing each as an {@code Aid2Uplink} record keyed by VIN to aid.aid2.uplink.v1.
 *
 * <p>Guarantee: a message is acknowledged to the broker (PUBACK, manual acknowledgement) only after Kafka
 * acknowledged what it became: its record, or for a refused message its dead letter together with the broker's
 * acknowledgement of the {@code error} downlink to the vehicle. So a message is never lost: whatever the bridge
 * has not acknowledged when it dies the broker delivers again, to another bridge of the group or to this one's
 * resumed session. Such a message may already have its record on the topic (Kafka took it, the PUBACK never reached
 * the broker: the bridge died, or its connection dropped, in between). Its identity is the broker's stamp
 * ({@value #STAMP_PROPERTY}: the record's messageId is derived from VIN and stamp), and a delivery the broker marks
 * {@value #DELIVERY_PROPERTY}={@value #FIRST_DELIVERY} (the stamp never handed out before) is written at once. Any
 * other stamped delivery waits until {@link UplinkTail} has read everything Kafka acknowledged before it arrived, and
 * is written only if its messageId is not among the topic's recent ones ({@link RecentMessageIds}); otherwise it is
 * acknowledged without a write (a repeat, counted in {@link Stats#repeats}). Presence, and any uplink without a stamp
 * (a broker without the plug-in), are always written: their content-derived ids repeat for real second reports.
 * What remains (ingress-aid2/README.md): a bridge cut off from the broker whose write lands after another bridge
 * checked.
 *
 * <p>Order: one thread reads and sends in the order the broker delivers, so one bridge keeps each vehicle's
 * messages in order on its partition; a record Kafka refused is sent again after {@link BridgeSettings#retryBackoff}
 * and may then land behind later ones. Two bridges split messages, not vehicles: two messages of one vehicle
 * published back to back may reach Kafka in either order (AiD2 messages of a vehicle are answers to the CMP, one
 * at a time, so this is rare and each is decided on its own content).
 *
 * <p>Payloads are never logged (an activation code travels in profile-download-install-info).
 */
public final class Aid2Bridge implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Aid2Bridge.class);
  /** The stage of the bridge's dead letters on aid.dlq.v1 (and header.source of everything it writes). */
  public static final String DEAD_LETTER_STAGE = "ingress-aid2";
  /**
   * Why the bridge's dead letters are not redriven: each holds an MQTT message, not a Kafka record, and one that
   * does not fit the contract; the vehicle got an error downlink naming what was wrong and sends a corrected one.
   */
  public static final String DEAD_LETTER_NOT_REDRIVEN = "an MQTT message the AiD2 bridge refused is not redriven: it"
      + " does not fit the contract, there is no Kafka record to put back, and the vehicle was told (error downlink,"
      + " INVALID_MESSAGE)";
  /** How a dead letter of the bridge names its origin: {@code sourceTopic} = this + the MQTT topic. */
  public static final String MQTT_ORIGIN = "mqtt:";
  /**
   * MQTT 5 user property in which the broker's plug-in (infra/embedded-mqtt {@code BrokerStamp}) gives each vehicle
   * uplink its id, replacing anything a client sent under that name; a redelivery of a stored message keeps it.
   */
  static final String STAMP_PROPERTY = "aid-broker-stamp";
  /** User property the plug-in sets to {@value #FIRST_DELIVERY} on a delivery of a stamp it never handed out before. */
  static final String DELIVERY_PROPERTY = "aid-delivery";
  static final String FIRST_DELIVERY = "first";
  /** The bridges' shared subscriptions, each its own SUBSCRIBE ({@link #connect}). */
  private static final java.util.List<String> SHARED_FILTERS = java.util.List.of(
      Aid2Topics.shared(Aid2Topics.UPLINK_FILTER), Aid2Topics.shared(Aid2Topics.PRESENCE_FILTER));
  /** How long a bridge that got no message waits before it SUBSCRIBEs again ({@link #subscribeAgainWhenIdle}). */
  static final Duration IDLE_RESUBSCRIBE = Duration.ofSeconds(10);
  /** Kafka record header carrying the broker's stamp a record's messageId was derived from: for operators, tests. */
  public static final String STAMP_HEADER = STAMP_PROPERTY;
  /** Kafka record header naming the bridge instance (its client id) that wrote the record: for operators. */
  public static final String WRITTEN_BY_HEADER = "aid-written-by";

  /**
   * What the bridge has done since it started: {@code repeats} are uplink messages the broker delivered again
   * whose record was already on the topic, acknowledged without writing it again.
   */
  public record Stats(long forwarded, long refused, long repeats, int inFlight) {}

  private final BridgeSettings settings;
  private final UplinkReader reader;
  private final Refusals refusals;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final Mqtt5AsyncClient mqtt;
  private final io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics producerMetrics;
  private final ExecutorService uplinkThread;
  private final ScheduledExecutorService retries;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong repeats = new AtomicLong();
  /** When the broker last delivered a message to this bridge (System.nanoTime). */
  private final AtomicLong lastDelivery = new AtomicLong(System.nanoTime());
  /** SUBSCRIBEs sent again because the bridge was idle ({@link #subscribeAgainWhenIdle}): for tests, operators. */
  private final AtomicLong idleSubscribes = new AtomicLong();
  /** Uplink records on the topic recently, by messageId: whoever wrote them (UplinkTail) and this bridge. */
  private final RecentMessageIds recent;
  private final UplinkTail tail;
  /** This bridge's uplink records not yet acknowledged by Kafka, by messageId. */
  private final Map<String, CompletableFuture<RecordMetadata>> writing = new ConcurrentHashMap<>();
  private final byte[] writtenBy;
  private volatile boolean accepting = true;
  private volatile boolean closed;

  private Aid2Bridge(BridgeSettings settings, SchemaRegistryClient registry) {
    this.settings = settings;
    Aid2Json json = new Aid2Json();
    this.reader = new UplinkReader(json);
    this.writtenBy = settings.clientId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    this.refusals = new Refusals(json);
    Map<String, Object> p = new HashMap<>(settings.producerOverrides());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 2);
    // A broker that is away blocks the uplink thread (backpressure: the broker queues), but not for long each time.
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, settings.clientId());
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new AvroSerializer<>(registry, true));
    this.producerMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer);
    producerMetrics.bindTo(io.micrometer.core.instrument.Metrics.globalRegistry);
    io.micrometer.core.instrument.Metrics.counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS,
        "stage", DEAD_LETTER_STAGE); // at 0 from the start
    this.uplinkThread = Executors.newSingleThreadExecutor(r -> daemon(r, settings.clientId() + "-uplink"));
    this.retries = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, settings.clientId() + "-retry"));
    this.recent = new RecentMessageIds(settings.repeatCheck().window(), settings.repeatCheck().tailRecords());
    this.tail = new UplinkTail(settings, recent).start();
    this.mqtt = client(settings, new java.util.concurrent.atomic.AtomicBoolean());
    // Before connecting: a resumed session's messages arrive before any subscribe. Every message is for us.
    mqtt.publishes(MqttGlobalPublishFilter.ALL, this::onPublish, uplinkThread, true);
  }

  /**
   * Connects (resuming the bridge's session when the broker has it), subscribes and starts forwarding.
   *
   * @throws IllegalStateException if the broker refuses or does not answer within {@code timeout}
   */
  public static Aid2Bridge start(BridgeSettings settings, SchemaRegistryClient registry, Duration timeout) {
    Aid2Bridge bridge = new Aid2Bridge(settings, registry);
    try {
      bridge.connect(timeout);
      return bridge;
    } catch (RuntimeException e) {
      bridge.close();
      throw e;
    }
  }

  private void connect(Duration timeout) {
    boolean resumed = await(mqtt.connectWith()
        .cleanStart(false)
        .sessionExpiryInterval(settings.sessionExpiry().getSeconds())
        .restrictions().receiveMaximum(settings.receiveMaximum()).applyRestrictions()
        .send(), timeout, "connect to " + settings.mqttHost() + ":" + settings.mqttPort()).isSessionPresent();
    // One filter per SUBSCRIBE, one after the other: HiveMQ CE (ClientSessionSubscriptionPersistenceImpl
    // .addBatchedTopics) handles a SUBSCRIBE of two or more filters by clearing the member's "no shared
    // subscription" flag before persisting them, and a poll of this connection in between sets that flag until the
    // next SUBSCRIBE: the bridge would not take the group's queue on its own. One filter: persisted first, flag
    // cleared after (a narrow race remains, hence subscribeAgainWhenIdle). The client keeps them apart on an
    // automatic resubscribe too (one SUBSCRIBE per subscription identifier).
    for (String filter : SHARED_FILTERS) {
      subscribe(filter, timeout);
    }
    retries.scheduleWithFixedDelay(this::subscribeAgainWhenIdle, IDLE_RESUBSCRIBE.toMillis(),
        IDLE_RESUBSCRIBE.toMillis(), TimeUnit.MILLISECONDS);
    retries.scheduleWithFixedDelay(this::logProgress, 10, 10, TimeUnit.SECONDS);
    LOG.info("AiD2 bridge {} on {}:{} ({}), session {}, receive maximum {}", settings.clientId(),
        settings.mqttHost(), settings.mqttPort(), settings.credentials(), resumed ? "resumed" : "new",
        settings.receiveMaximum());
  }

  /**
   * HiveMQ CE offers a share group's queue to a member only on a few events: a message came while the queue was
   * empty, a message in flight to a member came back (its connection ended), or the member's own in-flight messages
   * were all acknowledged, and then only unless the broker marked its connection as having no shared subscription.
   * That mark, set by a race in the broker between this connection's poll and its SUBSCRIBE, stays until the next
   * SUBSCRIBE; with it, and with the other bridges idle, the group's queue waits for nobody (infra/embedded-mqtt
   * SharedSubscriptionHandOutTest). A SUBSCRIBE of the same filter clears the mark and polls the queue for this
   * bridge, so a bridge that got nothing for {@link #IDLE_RESUBSCRIBE} sends one per filter: a stall lasts at most
   * that long. (Retained messages are not sent for shared subscriptions, so it brings nothing else.)
   */
  private void subscribeAgainWhenIdle() {
    if (!accepting || closed || !mqtt.getState().isConnected()
        || System.nanoTime() - lastDelivery.get() < IDLE_RESUBSCRIBE.toNanos()) {
      return;
    }
    idleSubscribes.incrementAndGet();
    for (String filter : SHARED_FILTERS) {
      mqtt.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().whenComplete((ack, error) -> {
        if (error != null) {
          LOG.debug("{}: SUBSCRIBE again to {}: {}", settings.clientId(), filter, error.toString());
        }
      });
    }
  }

  private void subscribe(String filter, Duration timeout) {
    Mqtt5SubAck subAck = await(mqtt.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send(), timeout,
        "subscribe to " + filter);
    for (Mqtt5SubAckReasonCode code : subAck.getReasonCodes()) {
      if (code != Mqtt5SubAckReasonCode.GRANTED_QOS_1) {
        throw new IllegalStateException("the broker granted " + code + " instead of QoS 1 on " + filter + " to "
            + settings.clientId() + " (its identity may not read the vehicles' topics)");
      }
    }
  }

  private static Mqtt5AsyncClient client(BridgeSettings s, java.util.concurrent.atomic.AtomicBoolean connectedOnce) {
    Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5()
        .identifier(s.clientId())
        .serverHost(s.mqttHost())
        .serverPort(s.mqttPort())
        // A dropped connection comes back with the same session: unacknowledged messages are delivered again.
        .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(10, TimeUnit.SECONDS)
        .applyAutomaticReconnect()
        .addConnectedListener(ctx -> connectedOnce.set(true))
        .addDisconnectedListener(ctx -> stopReconnectingIfRefusedAtStart(ctx, connectedOnce.get()));
    BridgeSettings.Credentials c = s.credentials();
    if (c.tls()) {
      try {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(Tls.trustStore(c.trustedCas()));
        var ssl = b.sslConfig().trustManagerFactory(trust);
        if (c.clientIdentity() != null) {
          char[] password = new char[0];
          KeyStore keys = c.clientIdentity().keyStore(password);
          KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
          kmf.init(keys, password);
          ssl = ssl.keyManagerFactory(kmf);
        }
        b = ssl.applySslConfig();
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("the bridge's TLS settings do not work: " + e.getMessage(), e);
      }
    } else if (c.clientIdentity() != null) {
      throw new IllegalArgumentException("a client certificate needs TLS (trusted CAs and an ssl:// broker)");
    }
    if (c.username() != null) {
      var auth = b.simpleAuth().username(c.username());
      if (c.password() != null) {
        auth = auth.password(c.password());
      }
      b = auth.applySimpleAuth();
    }
    return b.buildAsync();
  }

  /**
   * A broker that refuses the bridge's first CONNECT for good (wrong login, identity not allowed) is answered at
   * start: the connect fails with the broker's reason instead of retrying until the timeout. Once the bridge has
   * been connected, a refusal is retried (a broker being reconfigured may take it back).
   */
  private static void stopReconnectingIfRefusedAtStart(
      com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext ctx, boolean connectedOnce) {
    if (!connectedOnce
        && ctx.getCause() instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException refused) {
      LOG.warn("the MQTT broker refused the bridge's connect: {}", refused.getMqttMessage().getReasonCode());
      ctx.getReconnector().reconnect(false);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // One message: on the uplink thread, in the order the broker delivers

  private void onPublish(Mqtt5Publish publish) {
    lastDelivery.set(System.nanoTime());
    if (!accepting) {
      // Stopping: left unacknowledged, the broker hands it to another bridge or to this one's next session.
      return;
    }
    inFlight.incrementAndGet();
    String topic = publish.getTopic().toString();
    byte[] payload = publish.getPayloadAsBytes();
    Instant now = Instant.now();
    UplinkReader.Reading reading = reader.read(topic, payload, userProperty(publish, STAMP_PROPERTY), now);
    if (reading instanceof UplinkReader.Accepted a && (a.presence() || !a.stamped())) {
      // Presence repeats by design (every online of a vehicle is the same bytes, so the same messageId), and an
      // unstamped message's content-derived id cannot tell a redelivery from a second report of the same bytes
      // (AID.02 §5.2.1): neither is checked against earlier records; each is written (at-least-once).
      tail.now(() -> untilAcknowledged(() -> send(new ProducerRecord<>(settings.uplinkTopic(), a.vin(), a.record())),
          "record").thenRun(() -> done(publish, forwarded)));
    } else if (reading instanceof UplinkReader.Accepted a
        && FIRST_DELIVERY.equals(userProperty(publish, DELIVERY_PROPERTY))) {
      // The broker never handed this stamp out before: nothing of it can be on the topic, no catch-up needed.
      tail.now(() -> writeOnce(publish, a));
    } else if (reading instanceof UplinkReader.Accepted a) {
      // Perhaps a redelivery: decided once the tail has read everything Kafka acknowledged before it arrived, and
      // sent on the tail's thread (in arrival order, so each vehicle's order holds).
      tail.afterCatchingUp(() -> writeOnce(publish, a));
    } else {
      UplinkReader.Refused r = (UplinkReader.Refused) reading;
      // The reason is ours (never payload text); the VIN is the topic's.
      LOG.debug("refused a message on {}: {}", UplinkReader.shortTopic(topic), r.reason());
      CompletableFuture<?> told = r.vin()
          .map(vin -> untilAcknowledged(() -> publishError(vin, refusals.errorDownlink(r)), "error downlink"))
          .orElse(CompletableFuture.completedFuture(null));
      CompletableFuture<?> lettered = untilAcknowledged(() -> send(new ProducerRecord<>(settings.dlqTopic(),
          r.vin().orElse(null), refusals.deadLetter(topic, payload, r, now))), "dead letter");
      CompletableFuture.allOf(told, lettered).thenRun(() -> done(publish, refused));
    }
  }

  /**
   * An uplink message, once everything Kafka acknowledged before it arrived is in {@link #recent}: written unless its
   * record is already there (the broker delivered it again: another bridge, or this one's last connection, wrote it
   * and died or dropped before its PUBACK). On the tail's thread, in the order the messages arrived.
   */
  private void writeOnce(Mqtt5Publish publish, UplinkReader.Accepted a) {
    String id = a.record().getHeader().getMessageId();
    if (recent.contains(id)) {
      done(publish, repeats);
      return;
    }
    CompletableFuture<RecordMetadata> first = writing.get(id);
    if (first != null) {
      // Delivered again while this bridge is still writing it: acknowledged when that write is, never before.
      first.thenRun(() -> done(publish, repeats));
      return;
    }
    ProducerRecord<String, SpecificRecord> record = new ProducerRecord<>(settings.uplinkTopic(), a.vin(), a.record());
    record.headers().add(UplinkTail.MESSAGE_ID_HEADER, id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    record.headers().add(STAMP_HEADER, a.stamp().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    CompletableFuture<RecordMetadata> written = untilAcknowledged(() -> send(record), "record");
    writing.put(id, written);
    written.thenAccept(metadata -> { // attached after the put, so it runs after it even if already written
      recent.add(metadata.partition(), id, metadata.timestamp());
      tail.written(metadata.partition(), metadata.offset());
      writing.remove(id, written);
      done(publish, forwarded);
    });
  }

  /** The first value of a user property, null when the PUBLISH has none of that name. */
  private static String userProperty(Mqtt5Publish publish, String name) {
    for (var p : publish.getUserProperties().asList()) {
      if (p.getName().toString().equals(name)) {
        return p.getValue().toString();
      }
    }
    return null;
  }

  private void done(Mqtt5Publish publish, AtomicLong counter) {
    try {
      publish.acknowledge();
    } catch (IllegalStateException e) {
      // From a connection that dropped since: the broker delivers it again on the new one.
    }
    counter.incrementAndGet();
    inFlight.decrementAndGet();
  }

  /** Runs {@code attempt} until it succeeds, once per {@link BridgeSettings#retryBackoff}, while not closed. */
  private <T> CompletableFuture<T> untilAcknowledged(Supplier<CompletableFuture<T>> attempt, String what) {
    CompletableFuture<T> done = new CompletableFuture<>();
    tryOnce(attempt, what, done, 1);
    return done;
  }

  private <T> void tryOnce(Supplier<CompletableFuture<T>> attempt, String what, CompletableFuture<T> done, int n) {
    attempt.get().whenComplete((value, error) -> {
      if (error == null) {
        done.complete(value);
      } else if (closed) {
        done.completeExceptionally(error);
      } else {
        if (n == 1 || n % 30 == 0) {
          LOG.warn("{}: writing a {} failed (attempt {}), trying again in {}: {}", settings.clientId(), what, n,
              settings.retryBackoff(), error.toString());
        }
        try {
          retries.schedule(() -> tryOnce(attempt, what, done, n + 1), settings.retryBackoff().toMillis(),
              TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
          done.completeExceptionally(error);
        }
      }
    });
  }

  private CompletableFuture<RecordMetadata> send(ProducerRecord<String, SpecificRecord> record) {
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    if (record.headers().lastHeader(WRITTEN_BY_HEADER) == null) {
      record.headers().add(WRITTEN_BY_HEADER, writtenBy);
    }
    try {
      producer.send(record, (metadata, error) -> {
        if (error == null) {
          acked.complete(metadata);
        } else {
          acked.completeExceptionally(error);
        }
      });
    } catch (RuntimeException e) {
      acked.completeExceptionally(e); // the registry away, the producer's buffer full past max.block.ms, closed
    }
    return acked;
  }

  private CompletableFuture<Void> publishError(String vin, byte[] error) {
    return mqtt.publishWith().topic(Aid2Topics.downlink(vin, DownlinkMessage.ERROR)).qos(MqttQos.AT_LEAST_ONCE)
        .payload(error).send()
        .thenAccept(result -> result.getError().ifPresent(e -> {
          throw new java.util.concurrent.CompletionException(e);
        }));
  }

  // ---------------------------------------------------------------------------------------------------------

  private Stats logged = new Stats(0, 0, 0, 0);

  /** Every 10 s when something changed: what an operator looks at first (counts only, never payloads). */
  private void logProgress() {
    Stats now = stats();
    if (!now.equals(logged)) {
      LOG.info("{}: forwarded {}, refused {}, repeats not written again {}, in flight {}", settings.clientId(),
          now.forwarded(), now.refused(), now.repeats(), now.inFlight());
      logged = now;
    }
  }

  public Stats stats() {
    return new Stats(forwarded.get(), refused.get(), repeats.get(), inFlight.get());
  }

  /** How often this bridge SUBSCRIBEd again because it got nothing for {@link #IDLE_RESUBSCRIBE}. */
  public long idleSubscribes() {
    return idleSubscribes.get();
  }

  public String clientId() {
    return settings.clientId();
  }

  /** Ready: connected to the MQTT broker, and its producer to Kafka. */
  public boolean ready() {
    return !closed && mqtt.getState().isConnected()
        && org.aidcmp.schemas.metrics.KafkaReadiness.connected(producer.metrics());
  }

  /**
   * Stops: takes no new message, waits (bounded) for those in flight to be written and acknowledged, then
   * disconnects normally (the session stays for {@link BridgeSettings#sessionExpiry}) and closes the producer.
   * Whatever is still unacknowledged then the broker delivers again.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    accepting = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    closed = true;
    try {
      mqtt.disconnect().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.debug("{}: disconnect: {}", settings.clientId(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tail.close();
    retries.shutdownNow();
    uplinkThread.shutdown();
    producer.close(Duration.ofSeconds(10));
    producerMetrics.close();
    LOG.info("AiD2 bridge {} stopped: {}", settings.clientId(), stats());
  }

  private static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("MQTT " + what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("MQTT " + what + ": no answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during MQTT " + what, e);
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
