package org.aidcmp.egress;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.aidcmp.schemas.aid1.MspCallGaveUp;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.aidcmp.schemas.metrics.AidMeters;
import org.aidcmp.schemas.metrics.KafkaReadiness;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a command's result to aid.aid1.results.v1, after its dead letter on aid.dlq.v1 when it gave up; the
 * returned future completes when Kafka acknowledged the result (idempotent producer, acks=all).
 */
final class ResultWriter implements AutoCloseable {
  private final EgressSettings settings;
  private final KafkaProducer<String, SpecificRecord> producer;
  /** A producer callback must never send (it runs on the producer's own I/O thread): the result goes from here. */
  private final ExecutorService completions = Executors.newSingleThreadExecutor(MspLane.daemon("egress-completions"));
  private final KafkaClientMetrics producerBinder;
  private final Counter deadLetters;

  ResultWriter(EgressSettings settings, SchemaRegistryClient registry) {
    this.settings = settings;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 2,
        ProducerConfig.CLIENT_ID_CONFIG, settings.groupId + "-results"),
        new StringSerializer(), new AvroSerializer<>(registry, true));
    this.producerBinder = new KafkaClientMetrics(producer);
    producerBinder.bindTo(settings.meterRegistry);
    // At 0 from the start, so a dashboard sees the series before the first letter.
    this.deadLetters = settings.meterRegistry.counter(AidMeters.DEAD_LETTERS, "stage", CommandDeadLetters.STAGE);
  }

  /** The producer has connected to the cluster. */
  boolean connected() {
    return KafkaReadiness.connected(producer.metrics());
  }

  /**
   * Fetches the metadata of the topics written before the first result: a missing topic stops the worker at
   * start, not a command halfway, and no result waits for a metadata round trip.
   */
  void checkTopics() {
    producer.partitionsFor(settings.resultsTopic);
    producer.partitionsFor(settings.dlqTopic);
  }

  /** The result (after the dead letter, if it gave up); done when Kafka has the result. */
  CompletableFuture<RecordMetadata> result(ConsumerRecord<String, byte[]> record, MspCommand command,
                                           ResultMapper.Mapped mapped) {
    CompletableFuture<RecordMetadata> before = mapped.gaveUpReason() == null
        ? CompletableFuture.completedFuture(null)
        : deadLetter(record, command, mapped.gaveUpReason(), null,
            mapped.result().getPayload() instanceof MspCallGaveUp g ? g.getCommand().getAttempts() : 0);
    // The result goes to its command's partition number whatever its key: the executed log reads a command
    // partition's results there (ExecutedCommands). lifecycle-streams keys commands by the user, so that is also
    // the partition of the result's key, the user's.
    return before.thenComposeAsync(unused -> send(new ProducerRecord<>(settings.resultsTopic, record.partition(),
        command.resultKey(), mapped.result())), completions);
  }

  CompletableFuture<RecordMetadata> deadLetter(ConsumerRecord<String, byte[]> record, MspCommand command,
                                               String reason, String errorClass, int attempts) {
    deadLetters.increment();
    return send(new ProducerRecord<>(settings.dlqTopic, record.key(),
        CommandDeadLetters.letter(record, command, reason, errorClass, attempts)));
  }

  private CompletableFuture<RecordMetadata> send(ProducerRecord<String, SpecificRecord> record) {
    CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
    try {
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          done.completeExceptionally(error);
        } else {
          done.complete(metadata);
        }
      });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /** Lets what was sent be acknowledged for up to {@code grace} (zero: a crash, nothing more written). */
  void close(Duration grace) {
    completions.shutdown();
    producer.close(grace);
    producerBinder.close();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
