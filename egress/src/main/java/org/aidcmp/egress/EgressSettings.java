package org.aidcmp.egress;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What an {@link EgressWorker} needs: where Kafka and the registry are, the MSPs, the mutual-TLS context it
 * calls each of them with, and the retry budget. Topic names are settable so tests can isolate themselves.
 */
public final class EgressSettings {
  String bootstrapServers;
  String groupId = "aid-egress";
  /** Static membership of the group ({@code group.instance.id}); null: dynamic. */
  String groupInstanceId;
  String outboundTopic = AidTopic.AID1_OUTBOUND.topicName();
  String resultsTopic = AidTopic.AID1_RESULTS.topicName();
  String dlqTopic = AidTopic.DLQ.topicName();
  MspRegistry msps;
  MspTls tls;
  /** A new connection's TCP connect and mutual-TLS handshake, on our side of the call. */
  Duration connectTimeout = Duration.ofSeconds(5);
  /** The MSP's time to answer an attempt (response headers). §7.1.8.1 gives a synchronous MSP 3 s; leave it room. */
  Duration callTimeout = Duration.ofSeconds(10);
  int maxAttempts = 8;
  Duration initialBackoff = Duration.ofMillis(500);
  Duration maxBackoff = Duration.ofSeconds(30);
  /** A Retry-After longer than this is cut to it, so one MSP cannot park a command for hours. */
  Duration maxRetryAfter = Duration.ofSeconds(60);
  int maxConcurrentCallsPerMsp = 16;
  int queuedCommandsPerMsp = 1_000;
  /** Commands deferred (as positions) while their MSP's queue is full, over all MSPs, before every partition waits. */
  int maxDeferredCommands = 1_000_000;
  Duration circuitOpenFor = Duration.ofSeconds(10);
  Duration commitInterval = Duration.ofMillis(200);
  /** Where the executed-commands store lives across restarts; null: a temporary one per worker. */
  java.nio.file.Path stateDir;
  io.micrometer.core.instrument.MeterRegistry meterRegistry = io.micrometer.core.instrument.Metrics.globalRegistry;

  /**
   * A consumer outside the group that reads positions it is given, read_committed, and never commits: for the
   * executed-commands log and the deferred commands.
   */
  <V> KafkaConsumer<String, V> groupLessReader(String purpose, Deserializer<V> values, int maxPollRecords) {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords,
        ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + purpose),
        new StringDeserializer(), values);
  }

  /** Every MSP called with the same context: one client certificate, one set of trusted CAs. */
  public static EgressSettings of(String bootstrapServers, MspRegistry msps, SSLContext tls) {
    return of(bootstrapServers, msps, MspTls.same(Objects.requireNonNull(tls)));
  }

  /** Each MSP called with its own context (§6: trust and client certificate are agreed per MSP). */
  public static EgressSettings of(String bootstrapServers, MspRegistry msps, MspTls tls) {
    EgressSettings s = new EgressSettings();
    s.bootstrapServers = Objects.requireNonNull(bootstrapServers);
    s.msps = Objects.requireNonNull(msps);
    s.tls = Objects.requireNonNull(tls);
    return s;
  }

  public EgressSettings groupId(String groupId) {
    this.groupId = groupId;
    return this;
  }

  /** A stable id per instance, for static membership of the group; null for dynamic membership. */
  public EgressSettings groupInstanceId(String groupInstanceId) {
    this.groupInstanceId = groupInstanceId;
    return this;
  }

  public EgressSettings topics(String outbound, String results, String dlq) {
    this.outboundTopic = outbound;
    this.resultsTopic = results;
    this.dlqTopic = dlq;
    return this;
  }

  public EgressSettings callTimeout(Duration callTimeout) {
    this.callTimeout = callTimeout;
    return this;
  }

  /**
   * One attempt's whole budget, the JDK request timeout: {@code connectTimeout + callTimeout}. That timer starts
   * when the request is handed to the client, before a new connection is made, so the TLS handshake would
   * otherwise eat the MSP's time: on a loaded machine the timer fired while the lane was still connecting, or
   * just after the request left, and the retry reached an MSP that had already answered (issue 12).
   */
  Duration attemptTimeout() {
    return connectTimeout.plus(callTimeout);
  }

  /** How many HTTP attempts a command gets, and the exponential backoff between them (jittered ±50 %). */
  public EgressSettings retryBudget(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    return this;
  }

  public EgressSettings maxRetryAfter(Duration maxRetryAfter) {
    this.maxRetryAfter = maxRetryAfter;
    return this;
  }

  /** The bulkhead (calls in flight) and the queue in front of it, per MSP. */
  public EgressSettings perMsp(int maxConcurrentCalls, int queuedCommands) {
    this.maxConcurrentCallsPerMsp = maxConcurrentCalls;
    this.queuedCommandsPerMsp = queuedCommands;
    return this;
  }

  /** How many commands may wait as positions for MSPs with a full queue before the worker takes no more. */
  public EgressSettings maxDeferredCommands(int maxDeferredCommands) {
    this.maxDeferredCommands = maxDeferredCommands;
    return this;
  }

  public EgressSettings circuitOpenFor(Duration circuitOpenFor) {
    this.circuitOpenFor = circuitOpenFor;
    return this;
  }

  /** Where metrics go (Micrometer's global registry unless set). */
  public EgressSettings meterRegistry(io.micrometer.core.instrument.MeterRegistry meterRegistry) {
    this.meterRegistry = meterRegistry;
    return this;
  }

  /**
   * The worker's own directory (one per worker: RocksDB locks it). With it, a restart reads only the results
   * written since it stopped; without, every start reads the whole results topic.
   */
  public EgressSettings stateDir(java.nio.file.Path stateDir) {
    this.stateDir = stateDir;
    return this;
  }

  public EgressSettings commitInterval(Duration commitInterval) {
    this.commitInterval = commitInterval;
    return this;
  }
}
