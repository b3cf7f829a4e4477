package org.aidcmp.ingress.aid2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the tail of aid.aid2.uplink.v1 (every partition, only the {@value #MESSAGE_ID_HEADER} header of each record)
 * into {@link RecentMessageIds}, and holds an uplink message that may be a redelivery ({@link #afterCatchingUp})
 * until it has read everything Kafka acknowledged before the message arrived: then whether its record is already on
 * the topic is a lookup. A message the broker marked a first delivery needs no catch-up ({@link #now}): it only
 * keeps its place behind those waiting.
 *
 * <p>Why not the MQTT DUP flag: a shared-subscription message HiveMQ CE hands to another member after one died comes
 * without it (the broker only drops its in-flight marker; {@code RedeliveryDupFlagTest}), so only the broker's own
 * first-delivery mark tells. A redelivered message's first record was acknowledged before
 * the dead bridge could PUBACK, so before the broker gave the message to this bridge: one catch-up after arrival
 * (the topic's end offsets, then fetch up to them) is enough. Cost: one ListOffsets round trip and the fetch of what
 * the other bridges wrote, shared by every message that arrived meanwhile; no decoding (the id is a header).
 *
 * <p>One thread, its own consumer (no group: it reads, never commits). On start it reaches back {@code window} and
 * at least {@code tailRecords} records per partition. Kafka away: messages keep waiting (the broker queues behind
 * them, as when the producer is blocked).
 */
final class UplinkTail implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UplinkTail.class);
  /** Kafka record header carrying the record's header.messageId, so the tail need not decode Avro. */
  static final String MESSAGE_ID_HEADER = "aid-message-id";
  private static final Duration IDLE_POLL = Duration.ofMillis(20);
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

  /** A message waiting its turn; {@code catchUp} false: it needs no catch-up, only the ones before it released. */
  private record Waiting(long arrivedNanos, boolean catchUp, Runnable then) {}

  private final String topic;
  private final RecentMessageIds ids;
  private final BridgeSettings.RepeatCheck check;
  private final Duration retryBackoff;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  /** Held while messages are handed over, so one run at once ({@link #now}) cannot overtake waiting ones. */
  private final Object handOver = new Object();
  /** Offsets this bridge's own records got, per partition, not yet read: a catch-up need not fetch them. */
  private final Map<Integer, java.util.concurrent.ConcurrentSkipListSet<Long>> ownOffsets =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  UplinkTail(BridgeSettings settings, RecentMessageIds ids) {
    this.topic = settings.uplinkTopic();
    this.ids = ids;
    this.check = settings.repeatCheck();
    this.retryBackoff = settings.retryBackoff();
    Map<String, Object> c = new HashMap<>(check.consumerOverrides());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-tail");
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, settings.clientId() + "-tail");
    thread.setDaemon(true);
  }

  UplinkTail start() {
    thread.start();
    return this;
  }

  /**
   * Runs {@code then} (on the tail's thread: it must not block) once everything Kafka acknowledged on the
   * topic before this call has been read into the ids. In the order of the calls.
   */
  void afterCatchingUp(Runnable then) {
    synchronized (waiting) {
      waiting.addLast(new Waiting(System.nanoTime(), true, then));
      waiting.notifyAll();
    }
  }

  /**
   * Runs {@code then} at once on the caller's thread (a first delivery: nothing of it can be on the topic yet), unless
   * messages are waiting for a catch-up: then behind them, on the tail's thread, so the bridge's order holds.
   */
  void now(Runnable then) {
    synchronized (handOver) {
      synchronized (waiting) {
        if (!waiting.isEmpty()) {
          waiting.addLast(new Waiting(System.nanoTime(), false, then));
          waiting.notifyAll();
          return;
        }
      }
      then.run();
    }
  }

  /** This bridge wrote a record there (Kafka acknowledged it; its id is already in the ids). */
  void written(int partition, long offset) {
    ownOffsets.computeIfAbsent(partition, p -> new java.util.concurrent.ConcurrentSkipListSet<>()).add(offset);
  }

  private void run() {
    long failures = 0;
    List<TopicPartition> partitions = null;
    while (running) {
      try {
        if (partitions == null) {
          partitions = seekToTail();
        }
        if (idle()) {
          read(Duration.ZERO); // keep up with the other bridges, so a catch-up has little left to fetch
          continue;
        }
        if (release(Long.MIN_VALUE)) {
          continue; // only messages that need no catch-up were first in line
        }
        long cycle = System.nanoTime();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, KAFKA_TIMEOUT);
        while (running && behind(ends)) {
          read(Duration.ofMillis(100));
        }
        release(cycle);
        read(Duration.ZERO); // what was skipped as this bridge's own: read on, without waiting for it
        failures = 0;
      } catch (WakeupException e) {
        // closing
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (KafkaException e) {
        if (failures++ % 30 == 0) {
          LOG.warn("reading the tail of {} failed (uplinks wait meanwhile), again in {}: {}", topic, retryBackoff,
              e.toString());
        }
        pause(retryBackoff);
      }
    }
    consumer.close(Duration.ofSeconds(5));
  }

  /** Assigns every partition at {@code window} back, and at least {@code tailRecords} back, from its end. */
  private List<TopicPartition> seekToTail() {
    List<TopicPartition> partitions = consumer.partitionsFor(topic, KAFKA_TIMEOUT).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    long since = System.currentTimeMillis() - check.window().toMillis();
    Map<TopicPartition, Long> times = new HashMap<>();
    partitions.forEach(p -> times.put(p, since));
    Map<TopicPartition, OffsetAndTimestamp> atTime = consumer.offsetsForTimes(times, KAFKA_TIMEOUT);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, KAFKA_TIMEOUT);
    Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, KAFKA_TIMEOUT);
    for (TopicPartition p : partitions) {
      long end = ends.get(p);
      OffsetAndTimestamp t = atTime.get(p);
      long from = Math.min(t == null ? end : t.offset(), end - check.tailRecords());
      consumer.seek(p, Math.max(begins.get(p), from));
    }
    return partitions;
  }

  private void read(Duration timeout) {
    var records = consumer.poll(timeout);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Header id = r.headers().lastHeader(MESSAGE_ID_HEADER);
      if (id != null) {
        ids.add(r.partition(), new String(id.value(), StandardCharsets.UTF_8), r.timestamp());
      }
    }
    if (!records.isEmpty()) {
      // Own offsets read past are of no use any more (catch-ups are rare: without this they would pile up).
      for (TopicPartition p : records.partitions()) {
        var own = ownOffsets.get(p.partition());
        if (own != null) {
          own.headSet(consumer.position(p, KAFKA_TIMEOUT)).clear();
        }
      }
    }
  }

  /**
   * Whether some partition has records not read yet, other than this bridge's own (their ids are known already):
   * with one bridge writing, a catch-up is one ListOffsets round trip and no fetch.
   */
  private boolean behind(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      long position = consumer.position(e.getKey(), KAFKA_TIMEOUT);
      long end = e.getValue();
      if (position >= end) {
        continue;
      }
      var own = ownOffsets.get(e.getKey().partition());
      if (own == null) {
        return true;
      }
      own.headSet(position).clear();
      if (own.subSet(position, end).size() < end - position) {
        return true;
      }
    }
    return false;
  }

  /** Waits (at most {@link #IDLE_POLL}) for a message; true if none came. Woken at once by one (no added latency). */
  private boolean idle() throws InterruptedException {
    synchronized (waiting) {
      if (waiting.isEmpty()) {
        waiting.wait(IDLE_POLL.toMillis());
      }
      return waiting.isEmpty();
    }
  }

  /**
   * Hands over, in order, every message at the head of the line that arrived before the catch-up that started at
   * {@code cycle} or needs none ({@code Long.MIN_VALUE}: only those); true if any.
   */
  private boolean release(long cycle) {
    List<Runnable> due = new ArrayList<>();
    synchronized (handOver) {
      synchronized (waiting) {
        while (!waiting.isEmpty() && (!waiting.peekFirst().catchUp()
            || (cycle != Long.MIN_VALUE && waiting.peekFirst().arrivedNanos() - cycle <= 0))) {
          due.add(waiting.removeFirst().then());
        }
      }
      due.forEach(Runnable::run);
    }
    return !due.isEmpty();
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
