package org.aidcmp.egress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The log of executed command ids is the results topic itself: a command has run when its result is there.
 * Read back to the end before any command is taken (and again at every partition assignment), so a command
 * runs once across restarts, crashes and a full replay of the outbound topic. Results are kept forever, so the
 * log is complete.
 *
 * <p>The ids read are kept in a local RocksDB beside the position read up to in each results partition, as a
 * Kafka Streams store keeps its changelog's: a restart on the same state directory reads only the results
 * written since, and millions of ids live on disk, not on the heap. The store is a cache of the topic; losing
 * it costs one full read, never a doubled call. Without a state directory it lives in a temporary one for the
 * worker's lifetime.
 */
final class ExecutedCommands implements AutoCloseable {
  /** Catching up fails only when it stops moving for this long, however long the whole read takes. */
  private static final Duration NO_PROGRESS_LIMIT = Duration.ofSeconds(60);
  private static final byte[] EXECUTED = new byte[0];
  /** Positions live under this prefix; command ids never start with a NUL byte. */
  private static final byte POSITION_PREFIX = 0;

  static {
    RocksDB.loadLibrary();
  }

  private final KafkaConsumer<String, Aid1Result> reader;
  private final String topic;
  private final Path directory;
  private final boolean temporary;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;
  private volatile long lastCatchUpRecords;

  ExecutedCommands(EgressSettings settings, SchemaRegistryClient registry) {
    this.topic = settings.resultsTopic;
    try {
      this.temporary = settings.stateDir == null;
      this.directory = temporary ? Files.createTempDirectory("aid-egress-executed-")
          : Files.createDirectories(settings.stateDir.resolve("executed-commands"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.options = new Options().setCreateIfMissing(true)
        .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10)));
    // The topic is the durable copy: losing the last writes on a crash only means reading them again.
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    try {
      this.db = RocksDB.open(options, directory.toString());
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot open the executed-commands store in " + directory
          + " (is another egress worker using this state directory?)", e);
    }
    this.reader = settings.groupLessReader("executed-log", new AvroDeserializer<>(registry, Aid1Result.class), 2_000);
  }

  /** Reads every result written since the position stored (by this or any other worker); polling thread only. */
  void catchUp() {
    List<TopicPartition> partitions = reader.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    if (!reader.assignment().containsAll(partitions)) {
      reader.assign(partitions);
      for (TopicPartition tp : partitions) {
        long stored = storedPosition(tp);
        if (stored >= 0) {
          reader.seek(tp, stored);
        } else {
          reader.seekToBeginning(List.of(tp));
        }
      }
    }
    Map<TopicPartition, Long> end = reader.endOffsets(partitions, Duration.ofSeconds(30));
    long records = 0;
    long lastProgress = System.nanoTime();
    while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey()) < e.getValue())) {
      if (System.nanoTime() - lastProgress > NO_PROGRESS_LIMIT.toNanos()) {
        throw new IllegalStateException("reading " + topic + " to its end made no progress for " + NO_PROGRESS_LIMIT);
      }
      ConsumerRecords<String, Aid1Result> batch = reader.poll(Duration.ofMillis(200));
      try (WriteBatch write = new WriteBatch()) {
        for (ConsumerRecord<String, Aid1Result> r : batch) {
          if (r.value() != null) {
            write.put(id(commandId(r.value())), EXECUTED);
          }
        }
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition tp : partitions) {
          positions.put(tp, reader.position(tp));
        }
        positions.forEach((tp, position) -> put(write, positionKey(tp), ByteBuffer.allocate(8).putLong(position).array()));
        db.write(writeOptions, write);
      } catch (RocksDBException e) {
        throw new IllegalStateException("cannot write the executed-commands store", e);
      }
      if (!batch.isEmpty()) {
        records += batch.count();
        lastProgress = System.nanoTime();
      }
    }
    lastCatchUpRecords = records;
  }

  boolean contains(String commandId) {
    try {
      return db.get(id(commandId)) != null;
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot read the executed-commands store", e);
    }
  }

  void add(String commandId) {
    try {
      db.put(writeOptions, id(commandId), EXECUTED);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot write the executed-commands store", e);
    }
  }

  /** How many results the last catch-up read (for tests and logs: a restart reads only the tail). */
  long lastCatchUpRecords() {
    return lastCatchUpRecords;
  }

  /** Every result payload names its command in the field {@code command}. */
  static String commandId(Aid1Result result) {
    SpecificRecord payload = (SpecificRecord) result.getPayload();
    return ((MspCallRef) payload.get(payload.getSchema().getField("command").pos())).getCommandId();
  }

  private static byte[] id(String commandId) {
    return commandId.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] positionKey(TopicPartition tp) {
    byte[] name = (tp.topic() + "/" + tp.partition()).getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(name.length + 1).put(POSITION_PREFIX).put(name).array();
  }

  private long storedPosition(TopicPartition tp) {
    try {
      byte[] value = db.get(positionKey(tp));
      return value == null ? -1 : ByteBuffer.wrap(value).getLong();
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot read the executed-commands store", e);
    }
  }

  private static void put(WriteBatch write, byte[] key, byte[] value) {
    try {
      write.put(key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot write the executed-commands store", e);
    }
  }

  @Override
  public void close() {
    reader.close(Duration.ZERO);
    db.close();
    writeOptions.close();
    options.close();
    if (temporary) {
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind is harmless
      }
    }
  }
}
