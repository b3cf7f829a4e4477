package org.aidcmp.infra.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.lifecycle.ProfileReconciliation;
import org.aidcmp.schemas.lifecycle.ProfilesReconciled;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.RequestVehicleCsimInfo;
import org.aidcmp.schemas.touchpoint.SyncProfileStatus;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.aidcmp.schemas.vehicle.DownlinkCommandAnswered;
import org.aidcmp.schemas.vehicle.InventoryEntry;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.aidcmp.schemas.vehicle.VehicleInventoryChanged;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One run of {@code aid reconcile}: a touchpoint command per target onto {@code aid.touchpoint.commands.v1}, at
 * most {@code rate} a second (each §4.6 sync is an MSP call, each §4.10 request a downlink), as the touchpoint API
 * would write them; then what they changed, read back from the topics within a bounded wait: the
 * {@code ProfilesReconciled} of each sync (matched by its correlation id, which the topology and egress carry from
 * the command to the MSP call's result and to the fact), a refusal on {@code aid.replies.v1}, and for a vehicle
 * its answer ({@code DownlinkCommandAnswered}) with the inventory it reported ({@code VehicleInventoryChanged}).
 * lifecycle-streams decides everything; this only asks.
 */
final class Reconciliation {
  static final String SOURCE = "aid-reconcile";

  /** §4.6 for one federation: the changes the topology made (empty: none), or why there is no answer. */
  record ProfileOutcome(ReconcileTargets.Federation federation, List<ProfileReconciliation> changes,
      String refusal) {
    boolean answered() {
      return changes != null || refusal != null;
    }
  }

  /** §4.10 for one vehicle: the inventory before and as the vehicle reported it (null: no answer in the wait). */
  record VehicleOutcome(String vin, Map<String, String> before, Map<String, String> after, boolean answered,
      String refusal) {}

  record Result(List<ProfileOutcome> profiles, List<VehicleOutcome> vehicles, double seconds) {}

  private final String bootstrapServers;
  private final SchemaRegistryClient registry;

  Reconciliation(String bootstrapServers, SchemaRegistryClient registry) {
    this.bootstrapServers = bootstrapServers;
    this.registry = registry;
  }

  Result run(List<ReconcileTargets.Federation> federations, List<ReconcileTargets.Vehicle> vehicles,
      double ratePerSecond, Duration wait, Consumer<String> progress) {
    long begin = System.nanoTime();
    Map<String, ProfileOutcome> byCorrelation = new LinkedHashMap<>();
    Map<String, String> requestToCorrelation = new HashMap<>();
    Map<String, VehicleOutcome> byVin = new LinkedHashMap<>();
    Map<String, String> vinRequests = new HashMap<>();
    Map<String, Instant> vinAskedAt = new HashMap<>();
    try (KafkaConsumer<String, byte[]> reader = reader();
        KafkaProducer<String, TouchpointCommand> producer = producer();
        AvroDeserializer<LifecycleEvent> lifecycle = new AvroDeserializer<>(registry, LifecycleEvent.class);
        AvroDeserializer<VehicleEvent> vehicleEvents = new AvroDeserializer<>(registry, VehicleEvent.class);
        AvroDeserializer<Reply> replies = new AvroDeserializer<>(registry, Reply.class)) {
      long interval = (long) (1e9 / ratePerSecond);
      long next = System.nanoTime();
      int total = federations.size() + vehicles.size();
      int sent = 0;
      for (ReconcileTargets.Federation f : federations) {
        // A UUID: egress sends it to the MSP as the §5.1.1 correlation-id and carries it into the result.
        String correlation = UUID.randomUUID().toString();
        String request = UUID.randomUUID().toString();
        byCorrelation.put(correlation, new ProfileOutcome(f, null, null));
        requestToCorrelation.put(request, correlation);
        next = pace(next, interval);
        producer.send(new ProducerRecord<>(AidTopic.TOUCHPOINT_COMMANDS.topicName(), f.cmpUserId(),
            new TouchpointCommand(Envelopes.header(SOURCE, request, correlation, Instant.now()),
                new SyncProfileStatus(f.cmpUserId(), f.mspToken(), null))));
        progress.accept("sent " + ++sent + " of " + total);
        collect(reader, lifecycle, vehicleEvents, replies, byCorrelation, requestToCorrelation, byVin, vinRequests,
            vinAskedAt, Duration.ZERO);
      }
      for (ReconcileTargets.Vehicle v : vehicles) {
        String request = UUID.randomUUID().toString();
        byVin.put(v.vin(), new VehicleOutcome(v.vin(), v.inventory(), null, false, null));
        vinRequests.put(request, v.vin());
        next = pace(next, interval);
        vinAskedAt.put(v.vin(), Instant.now());
        producer.send(new ProducerRecord<>(AidTopic.TOUCHPOINT_COMMANDS.topicName(), v.vin(),
            new TouchpointCommand(Envelopes.header(SOURCE, request, UUID.randomUUID().toString(), Instant.now()),
                new RequestVehicleCsimInfo(v.vin()))));
        progress.accept("sent " + ++sent + " of " + total);
        collect(reader, lifecycle, vehicleEvents, replies, byCorrelation, requestToCorrelation, byVin, vinRequests,
            vinAskedAt, Duration.ZERO);
      }
      producer.flush();
      long deadline = System.nanoTime() + wait.toNanos();
      String said = null;
      while (System.nanoTime() < deadline && !(byCorrelation.values().stream().allMatch(ProfileOutcome::answered)
          && byVin.values().stream().allMatch(VehicleOutcome::answered))) {
        collect(reader, lifecycle, vehicleEvents, replies, byCorrelation, requestToCorrelation, byVin, vinRequests,
            vinAskedAt, Duration.ofMillis(200));
        long answered = byCorrelation.values().stream().filter(ProfileOutcome::answered).count()
            + byVin.values().stream().filter(VehicleOutcome::answered).count();
        String line = "sent " + sent + " of " + total + ", answered " + answered;
        if (!line.equals(said)) {
          progress.accept(line);
          said = line;
        }
      }
    }
    return new Result(List.copyOf(byCorrelation.values()), List.copyOf(byVin.values()),
        (System.nanoTime() - begin) / 1e9);
  }

  private static long pace(long next, long interval) {
    long now = System.nanoTime();
    if (next > now) {
      try {
        Thread.sleep((next - now) / 1_000_000, (int) ((next - now) % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    return Math.max(next, now) + interval;
  }

  private void collect(KafkaConsumer<String, byte[]> reader, AvroDeserializer<LifecycleEvent> lifecycle,
      AvroDeserializer<VehicleEvent> vehicleEvents, AvroDeserializer<Reply> replies,
      Map<String, ProfileOutcome> byCorrelation, Map<String, String> requestToCorrelation,
      Map<String, VehicleOutcome> byVin, Map<String, String> vinRequests, Map<String, Instant> vinAskedAt,
      Duration poll) {
    for (ConsumerRecord<String, byte[]> r : reader.poll(poll)) {
      if (r.value() == null) {
        continue;
      }
      try {
        if (r.topic().equals(AidTopic.LIFECYCLE_EVENTS.topicName())) {
          LifecycleEvent e = lifecycle.deserialize(r.topic(), r.value());
          ProfileOutcome o = byCorrelation.get(e.getHeader().getCorrelationId());
          if (o != null && e.getPayload() instanceof ProfilesReconciled reconciled) {
            byCorrelation.put(e.getHeader().getCorrelationId(),
                new ProfileOutcome(o.federation(), reconciled.getChanges(), null));
          }
        } else if (r.topic().equals(AidTopic.REPLIES.topicName())) {
          String correlation = requestToCorrelation.get(r.key());
          String vin = vinRequests.get(r.key());
          Reply reply = replies.deserialize(r.topic(), r.value());
          RequestOutcome outcome = (RequestOutcome) reply.getPayload();
          if (outcome.getHttpStatus() >= 300 && outcome.getError() != null) {
            String refusal = outcome.getHttpStatus() + " code " + outcome.getError().getCode() + ": "
                + outcome.getError().getError();
            if (correlation != null) {
              byCorrelation.put(correlation, new ProfileOutcome(byCorrelation.get(correlation).federation(), null,
                  refusal));
            } else if (vin != null) {
              VehicleOutcome o = byVin.get(vin);
              byVin.put(vin, new VehicleOutcome(vin, o.before(), null, true, refusal));
            }
          }
        } else {
          VehicleEvent e = vehicleEvents.deserialize(r.topic(), r.value());
          VehicleOutcome o = byVin.get(r.key());
          if (o == null || o.refusal() != null || e.getHeader().getOccurredAt().isBefore(vinAskedAt.get(r.key()))) {
            continue;
          }
          if (e.getPayload() instanceof VehicleInventoryChanged changed) {
            Map<String, String> after = new TreeMap<>();
            for (InventoryEntry entry : changed.getProfiles()) {
              after.put(entry.getIccid(), entry.getState().name());
            }
            byVin.put(r.key(), new VehicleOutcome(o.vin(), o.before(), after, o.answered(), null));
          } else if (e.getPayload() instanceof DownlinkCommandAnswered answered
              && answered.getCommand().contains("CsimInfo")) {
            byVin.put(r.key(), new VehicleOutcome(o.vin(), o.before(), o.after(), true, null));
          }
        }
      } catch (RuntimeException undecodable) {
        // not ours to judge: aid dlq and aid events show such records
      }
    }
  }

  private KafkaConsumer<String, byte[]> reader() {
    KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (AidTopic topic : List.of(AidTopic.LIFECYCLE_EVENTS, AidTopic.VEHICLE_EVENTS, AidTopic.REPLIES)) {
      for (PartitionInfo p : reader.partitionsFor(topic.topicName(), Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(p.topic(), p.partition()));
      }
    }
    reader.assign(partitions);
    reader.seekToEnd(partitions);
    partitions.forEach(tp -> reader.position(tp, Duration.ofSeconds(30))); // fixed now, before the first command
    return reader;
  }

  private KafkaProducer<String, TouchpointCommand> producer() {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new AvroSerializer<>(registry, false));
  }
}
