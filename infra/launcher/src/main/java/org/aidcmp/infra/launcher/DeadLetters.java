package org.aidcmp.infra.launcher;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.aidcmp.egress.CommandDeadLetters;
import org.aidcmp.ingress.aid2.Aid2Bridge;
import org.aidcmp.lifecycle.Redrives;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code aid dlq}: lists the dead letters of aid.dlq.v1 and redrives them (issue #6: "past the retry budget: a
 * gave-up result and a dead letter with the reason; aid dlq can list and redrive them").
 *
 * <p>Both read the dead-letter topic from its beginning, read_committed, up to the end offsets taken when they
 * start (letters written meanwhile wait for the next run), within a time limit.
 *
 * <p>{@link #list} gives, per dead letter: where it sits (partition:offset), its record time, the stage that gave
 * up, where the record came from, the attempts and the reason (capped, on one line); for a letter of egress the
 * command id, the call and the MSP, decoded from the command bytes with the registry. Key and value bytes are
 * never shown: they may carry anything the record carried.
 *
 * <p>The rules are not this class's: the stage names, the redriven command's id and which commands are not
 * redriven come from the code that writes and processes them ({@link CommandDeadLetters} in egress,
 * {@link Redrives} in lifecycle-streams, {@link Aid2Bridge}); this class reads, plans and writes by them.
 *
 * <p>{@link #redrive} puts each selected letter back where it is processed again:
 * <ul>
 *   <li>A letter of egress ({@value #EGRESS_STAGE}) whose value is an {@link Aid1Outbound} command becomes a
 *       <em>new</em> command on the topic it came from (aid.aid1.outbound.v1), same key, payload and
 *       correlationId, whose messageId (the command id, the CMP-request-id towards the MSP) is
 *       {@code derivedId(originalCommandId, "redrive", "<dlq partition>:<dlq offset>")} and whose requestId is
 *       the original command id. A new id because egress runs a command id at most once ever (the results topic
 *       is its log) and would skip the original; a derived one so that redriving the same letter twice makes the
 *       same command, which egress then runs once. lifecycle-streams matches results by command id, so it takes
 *       the redriven command's result as one it is not waiting for: an ActivationCodeIssued is a late AC (its
 *       swappedIccid still invalidates that profile and deletes it from its vehicle, the code itself is not
 *       sent, since the request failed when egress gave up), a ProfileStatusReceived is reconciled as any
 *       other, the others change nothing. So a redriven Send CSIM status, Request invalidate MSP token or
 *       Request profile status does its work. A Request activation code is not redriven (skipped, with
 *       {@link #ACTIVATION_CODE_NOT_REDRIVEN}): its request failed when egress gave up, the vehicle was told
 *       (§7.2.2) and asks again (§7.2.1); a code got now would reach no vehicle, and a profile the MSP swapped
 *       out for it would still be deleted.</li>
 *   <li>A letter of the AiD2 bridge ({@value #BRIDGE_STAGE}, source topic {@code mqtt:<topic>}) is skipped
 *       ({@link #MQTT_NOT_REDRIVEN}): it holds an MQTT message that does not fit the contract, not a Kafka record,
 *       and the vehicle was told.</li>
 *   <li>Any other letter (also an egress letter whose value does not decode) is republished as it was: its key
 *       and value bytes unchanged (they are already in Confluent's wire format) to its source topic and
 *       partition, with the record header {@value #REDRIVE_HEADER} = {@code <dlq partition>:<dlq offset>}. A
 *       letter without a value (one that only names topic, partition and offset) takes the original record from
 *       there, with its headers; if retention has removed it, that is said and the letter skipped. Unlike a
 *       command, a republished record has no id of its own: redriving it twice processes it twice.</li>
 * </ul>
 * Redrive writes only to topics and partitions that exist (the producer could make a broker that auto-creates
 * topics create one out of a letter's topic name): a letter for any other fails. One idempotent producer
 * (acks=all) writes everything and is flushed before the outcome is known. A dry run plans the same actions (it
 * reads, decodes and asks the registry for the schema id) and writes nothing.
 */
public final class DeadLetters implements AutoCloseable {
  /** The stage egress writes its dead letters under: egress's. */
  public static final String EGRESS_STAGE = CommandDeadLetters.STAGE;
  /** The stage of the AiD2 bridge's letters: MQTT messages it refused (Aid2Bridge.DEAD_LETTER_STAGE). */
  public static final String BRIDGE_STAGE = Aid2Bridge.DEAD_LETTER_STAGE;
  /** Why a letter of the bridge is skipped: the bridge's rule. */
  static final String MQTT_NOT_REDRIVEN = Aid2Bridge.DEAD_LETTER_NOT_REDRIVEN;
  /** The Kafka record header naming the dead letter a republished record was redriven from. */
  public static final String REDRIVE_HEADER = "aid-redrive-of";
  /** header.source of the commands a redrive writes: egress's. */
  static final String SOURCE = CommandDeadLetters.REDRIVE_SOURCE;
  /** Why a Request activation code is skipped: the topology's rule. */
  static final String ACTIVATION_CODE_NOT_REDRIVEN = Redrives.ACTIVATION_CODE_NOT_REDRIVEN;
  /** Reasons are written by our code; still, one line each and never a page of someone's payload. */
  static final int REASON_LIMIT = 200;

  private final String bootstrapServers;
  private final String dlqTopic;
  private final Duration readLimit;
  private final AvroDeserializer<DeadLetterRecord> letters;
  private final AvroDeserializer<Aid1Outbound> commands;
  /** Any envelope, read into the generated class its writer schema names: for show. */
  private final AvroDeserializer<SpecificRecord> anyValue;
  /** Never registers: an operations command writes only what the contract already has registered. */
  private final AvroSerializer<Aid1Outbound> commandWriter;

  public DeadLetters(String bootstrapServers, SchemaRegistryClient registry, String dlqTopic, Duration readLimit) {
    this.bootstrapServers = bootstrapServers;
    this.dlqTopic = dlqTopic;
    this.readLimit = readLimit;
    this.letters = new AvroDeserializer<>(registry, DeadLetterRecord.class);
    this.commands = new AvroDeserializer<>(registry, Aid1Outbound.class);
    this.anyValue = new AvroDeserializer<>(registry, null);
    this.commandWriter = new AvroSerializer<>(registry, false);
  }

  // ---------------------------------------------------------------------------------------------------------
  // What the command line asks

  /** Where a record sits in its topic, as printed and as {@code --offset P:O} takes it. */
  public record Position(int partition, long offset) {
    static Position parse(String text) {
      String[] parts = text.split(":", -1);
      try {
        if (parts.length == 2) {
          Position p = new Position(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
          if (p.partition >= 0 && p.offset >= 0) {
            return p;
          }
        }
      } catch (NumberFormatException e) {
        // said below
      }
      throw new IllegalArgumentException("--offset takes PARTITION:OFFSET of the dead-letter topic, e.g. 0:42; not '"
          + text + "'");
    }

    @Override
    public String toString() {
      return partition + ":" + offset;
    }
  }

  /**
   * Which dead letters to take; a null or empty field takes any. {@code since} compares with the letter's record
   * time; {@code limit} keeps the first letters in time order.
   */
  public record Selection(String stage, String sourceTopic, Instant since, Integer limit, Set<Position> at) {
    public static final Selection ANY = new Selection(null, null, null, null, Set.of());

    public Selection {
      at = Set.copyOf(at);
    }

    /** Whether it names any letters at all (a limit alone does not). */
    boolean narrows() {
      return stage != null || sourceTopic != null || since != null || !at.isEmpty();
    }

    boolean matches(Letter l) {
      if (!at.isEmpty() && !at.contains(l.at())) {
        return false;
      }
      if (since != null && l.time().isBefore(since)) {
        return false;
      }
      if (stage == null && sourceTopic == null) {
        return true;
      }
      // An unreadable record has no stage or topic to match.
      return l.letter() != null
          && (stage == null || stage.equals(l.letter().getStage()))
          && (sourceTopic == null || sourceTopic.equals(l.letter().getSourceTopic()));
    }
  }

  /** {@code aid dlq list|redrive ...} as parsed; bad input is an {@link IllegalArgumentException} saying why. */
  public record Request(boolean redrive, Selection selection, boolean dryRun) {
    public static final String USAGE = """
        usage: aid dlq list    [--stage S] [--topic T] [--since ISO-INSTANT] [--limit N] [--offset P:O ...]
               aid dlq redrive [--stage S] [--topic T] [--since ISO-INSTANT] [--limit N] [--offset P:O ...] [--all] [--dry-run]

          --stage    the stage that gave up, e.g. egress.msp-call, lifecycle-streams/deserialization
          --topic    the topic the record came from, e.g. aid.aid1.outbound.v1
          --since    letters written at or after this instant, e.g. 2025-01-31T12:00:00Z
          --limit    at most N letters, the oldest first
          --offset   the letters at these partition:offset positions of aid.dlq.v1 (as list prints them)
          --all      redrive every dead letter (redrive wants a selection, or this)
          --dry-run  print what redrive would do and write nothing

               aid dlq show P:O [--json]   one letter in full: where it came from, the whole reason, the error
                                           class, the sizes of its key and value and, where the value still
                                           decodes, its message type and envelope header (never the bytes)
        """;

    public static Request parse(List<String> args) {
      if (args.isEmpty() || !(args.get(0).equals("list") || args.get(0).equals("redrive"))) {
        throw new IllegalArgumentException(args.isEmpty() ? "list or redrive?" : "unknown dlq command '" + args.get(0) + "'");
      }
      boolean redrive = args.get(0).equals("redrive");
      String stage = null;
      String topic = null;
      Instant since = null;
      Integer limit = null;
      Set<Position> at = new LinkedHashSet<>();
      boolean all = false;
      boolean dryRun = false;
      for (int i = 1; i < args.size(); i++) {
        String option = args.get(i);
        switch (option) {
          case "--stage" -> stage = value(args, ++i, option);
          case "--topic" -> topic = value(args, ++i, option);
          case "--since" -> since = instant(value(args, ++i, option));
          case "--limit" -> limit = positive(value(args, ++i, option));
          case "--offset" -> {
            int first = i + 1;
            while (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
              at.add(Position.parse(args.get(++i)));
            }
            if (i < first) {
              throw new IllegalArgumentException("--offset needs at least one PARTITION:OFFSET");
            }
          }
          case "--all" -> all = redriveOnly(redrive, option);
          case "--dry-run" -> dryRun = redriveOnly(redrive, option);
          default -> throw new IllegalArgumentException("unknown option '" + option + "'");
        }
      }
      Selection selection = new Selection(stage, topic, since, limit, at);
      if (redrive && !all && !selection.narrows()) {
        // The log keeps every letter ever written, redriven or not: all of them again is rarely what is meant.
        throw new IllegalArgumentException("redrive wants a selection (--stage, --topic, --since, --offset) or --all");
      }
      return new Request(redrive, selection, dryRun);
    }

    private static String value(List<String> args, int i, String option) {
      if (i >= args.size() || args.get(i).startsWith("--")) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args.get(i);
    }

    private static Instant instant(String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("--since takes an ISO-8601 instant such as 2025-01-31T12:00:00Z; not '"
            + text + "'");
      }
    }

    private static int positive(String text) {
      try {
        int n = Integer.parseInt(text);
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // said below
      }
      throw new IllegalArgumentException("--limit takes a positive number; not '" + text + "'");
    }

    private static boolean redriveOnly(boolean redrive, String option) {
      if (!redrive) {
        throw new IllegalArgumentException(option + " is for redrive only");
      }
      return true;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // list

  /** The MSP call an egress letter holds. */
  public record Command(String commandId, String call, String mspId) {
    static Command of(Aid1Outbound command) {
      SpecificRecord payload = (SpecificRecord) command.getPayload();
      Schema.Field msp = payload.getSchema().getField("mspId"); // every MSP call names its MSP
      return new Command(command.getHeader().getMessageId(), payload.getSchema().getName(),
          msp == null ? null : String.valueOf(payload.get(msp.pos())));
    }
  }

  /**
   * One record of the dead-letter topic: where and when, the dead letter (null when the record is not one, then
   * {@code unreadable} says why), and for an egress letter the command it holds (null when it does not decode).
   */
  public record Letter(Position at, Instant time, DeadLetter letter, String unreadable, Aid1Outbound command,
                       Command call) {
    public String stage() {
      return letter == null ? "(unreadable)" : letter.getStage();
    }

    /** One line, nothing of the key or value. */
    public String line() {
      if (letter == null) {
        return String.format("%-8s %s  not a dead letter: %s", at, time, oneLine(unreadable));
      }
      // A letter from outside Kafka (the AiD2 bridge's: mqtt:<topic>) has no partition or offset to show.
      String from = letter.getSourcePartition() < 0 ? oneLine(letter.getSourceTopic())
          : letter.getSourceTopic() + ":" + letter.getSourcePartition() + ":" + letter.getSourceOffset();
      return String.format("%-8s %s  %s  from %s  attempts %d%s  reason: %s", at, time, letter.getStage(),
          from, letter.getAttempts(),
          call == null ? "" : "  command " + call.commandId() + " " + call.call() + " msp " + call.mspId(),
          oneLine(letter.getReason()));
    }
  }

  /** What list found: the letters shown (time order, the limit applied), and how many matched, per stage. */
  public record Listing(List<Letter> letters, int matching, Map<String, Integer> perStage) {
    public String summary() {
      String stages = perStage.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
          .collect(Collectors.joining(", "));
      String shown = letters.size() == matching ? "" : " (" + letters.size() + " shown)";
      return matching + " dead letter" + (matching == 1 ? "" : "s") + shown + (stages.isEmpty() ? "" : ": " + stages);
    }
  }

  public Listing list(Selection selection) {
    List<Letter> matching = read().stream().filter(selection::matches)
        .sorted(Comparator.comparing(Letter::time).thenComparing(l -> l.at().partition())
            .thenComparing(l -> l.at().offset()))
        .toList();
    Map<String, Integer> perStage = new TreeMap<>();
    matching.forEach(l -> perStage.merge(l.stage(), 1, Integer::sum));
    List<Letter> shown = selection.limit() == null || matching.size() <= selection.limit()
        ? matching : matching.subList(0, selection.limit());
    return new Listing(shown, matching.size(), perStage);
  }

  /** {@code aid dlq show}: one letter in full, as ordered fields; empty when there is none at {@code at}. */
  public java.util.Optional<Map<String, Object>> show(Position at) {
    List<Letter> found = list(new Selection(null, null, null, null, Set.of(at))).letters();
    if (found.isEmpty()) {
      return java.util.Optional.empty();
    }
    Letter l = found.get(0);
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("at", l.at().toString());
    fields.put("written", l.time().toString());
    if (l.letter() == null) {
      fields.put("unreadable", l.unreadable());
      return java.util.Optional.of(fields);
    }
    DeadLetter d = l.letter();
    fields.put("stage", d.getStage());
    fields.put("source", d.getSourceTopic() + ":" + d.getSourcePartition() + ":" + d.getSourceOffset());
    fields.put("attempts", d.getAttempts());
    fields.put("errorClass", d.getErrorClass());
    fields.put("reason", d.getReason());
    fields.put("keyBytes", d.getKey() == null ? 0 : d.getKey().remaining());
    fields.put("valueBytes", d.getValue() == null ? 0 : d.getValue().remaining());
    if (l.call() != null) {
      fields.put("command", l.call().call() + " " + l.call().commandId() + " msp " + l.call().mspId());
    }
    if (d.getValue() != null) {
      try {
        SpecificRecord value = anyValue.deserialize(d.getSourceTopic(), bytes(d.getValue()));
        Object header = value.get(value.getSchema().getField("header").pos());
        Object payload = value.get(value.getSchema().getField("payload").pos());
        fields.put("messageType", ((SpecificRecord) payload).getSchema().getName());
        if (header instanceof EnvelopeHeader h) {
          fields.put("messageId", h.getMessageId());
          fields.put("requestId", h.getRequestId());
          fields.put("occurredAt", String.valueOf(h.getOccurredAt()));
          fields.put("writtenBy", h.getSource());
        }
      } catch (RuntimeException e) {
        fields.put("value", "does not decode: " + oneLine(e.getMessage()));
      }
    }
    return java.util.Optional.of(fields);
  }

  /** Every record of the dead-letter topic up to the end offsets of now, decoded as far as it goes. */
  private List<Letter> read() {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer("aid-dlq-list")) {
      List<TopicPartition> partitions = consumer.partitionsFor(dlqTopic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
      if (partitions.isEmpty()) {
        throw new IllegalStateException("no topic " + dlqTopic + " at " + bootstrapServers);
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      List<Letter> read = new ArrayList<>();
      long deadline = System.nanoTime() + readLimit.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + dlqTopic + " to its end within " + readLimit);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            read.add(decode(r));
          }
        }
      }
      return read;
    }
  }

  private Letter decode(ConsumerRecord<byte[], byte[]> r) {
    Position at = new Position(r.partition(), r.offset());
    Instant time = Instant.ofEpochMilli(r.timestamp());
    DeadLetter letter;
    try {
      DeadLetterRecord record = letters.deserialize(r.topic(), r.value());
      if (record == null) {
        return new Letter(at, time, null, "an empty record", null, null);
      }
      letter = (DeadLetter) record.getPayload();
    } catch (RuntimeException e) {
      return new Letter(at, time, null, e.getMessage(), null, null);
    }
    if (EGRESS_STAGE.equals(letter.getStage()) && letter.getValue() != null) {
      try {
        Aid1Outbound command = commands.deserialize(letter.getSourceTopic(), bytes(letter.getValue()));
        return new Letter(at, time, letter, null, command, Command.of(command));
      } catch (RuntimeException unreadable) {
        // egress also dead-letters commands it could not read: those go back as bytes
      }
    }
    return new Letter(at, time, letter, null, null, null);
  }

  // ---------------------------------------------------------------------------------------------------------
  // redrive

  /** What redrive did with one letter. */
  public enum Outcome {
    /** A new command was (or, in a dry run, would be) written for an egress letter. */
    NEW_COMMAND,
    /** The original record was (or would be) written again. */
    REPUBLISHED,
    /** Nothing to write: the original record is gone, the letter names none, or it is a Request activation code. */
    SKIPPED,
    /** It should have been written and was not, or the selection named a letter that is not there. */
    FAILED
  }

  /**
   * One letter's action: the letter, the outcome, the topic and partition written to (and the offset, once
   * Kafka acknowledged it), the new command's id for an egress letter, and a word on why.
   */
  public record Action(Position letter, Outcome outcome, String topic, Integer partition, Long offset,
                       String commandId, String detail, boolean dryRun) {
    public String line() {
      String where = topic == null ? ""
          : " to " + topic + (partition == null ? "" : ":" + partition) + (offset == null ? "" : ":" + offset);
      String verb = switch (outcome) {
        case NEW_COMMAND -> (dryRun ? "would write" : "wrote") + " command " + commandId + where;
        case REPUBLISHED -> (dryRun ? "would republish" : "republished") + where;
        case SKIPPED -> "skipped";
        case FAILED -> "FAILED" + (topic == null ? "" : " writing" + where);
      };
      return String.format("%-8s %s%s", letter, verb, detail == null ? "" : ": " + oneLine(detail));
    }

    Action written(RecordMetadata at) {
      return new Action(letter, outcome, topic, at.partition(), at.offset(), commandId, detail, false);
    }

    Action failed(String why) {
      return new Action(letter, Outcome.FAILED, topic, partition, null, commandId, why, dryRun);
    }
  }

  public record Redrive(List<Action> actions, boolean dryRun) {
    public boolean failed() {
      return actions.stream().anyMatch(a -> a.outcome() == Outcome.FAILED);
    }

    public String summary() {
      Map<Outcome, Long> counts = actions.stream()
          .collect(Collectors.groupingBy(Action::outcome, () -> new java.util.EnumMap<>(Outcome.class),
              Collectors.counting()));
      return (dryRun ? "dry run, nothing written: " : "") + actions.size() + " dead letter"
          + (actions.size() == 1 ? "" : "s") + (counts.isEmpty() ? "" : ": " + counts.entrySet().stream()
          .map(e -> e.getKey().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + e.getValue())
          .collect(Collectors.joining(", ")));
    }
  }

  /** A record to write for a letter, with the action it stands for. */
  private record Planned(Action action, ProducerRecord<byte[], byte[]> record) {}

  public Redrive redrive(Selection selection, boolean dryRun) {
    Listing listing = list(selection);
    List<Action> actions = new ArrayList<>();
    List<Planned> planned = new ArrayList<>();
    Map<String, Integer> partitionsOf = partitionsOf(listing.letters().stream().map(Letter::letter)
        .filter(java.util.Objects::nonNull).map(DeadLetter::getSourceTopic)
        .filter(t -> !t.startsWith(Aid2Bridge.MQTT_ORIGIN)).collect(Collectors.toSet()));
    for (Letter letter : listing.letters()) {
      Planned p = plan(letter, partitionsOf, dryRun);
      if (p.record() == null) {
        actions.add(p.action());
      } else {
        planned.add(p);
      }
    }
    Set<Position> found = listing.letters().stream().map(Letter::at).collect(Collectors.toSet());
    selection.at().stream().filter(p -> !found.contains(p)).forEach(p -> actions.add(new Action(p, Outcome.FAILED,
        null, null, null, null, "no dead letter there that matches the selection", dryRun)));
    if (dryRun) {
      planned.forEach(p -> actions.add(p.action()));
    } else {
      actions.addAll(write(planned));
    }
    actions.sort(Comparator.comparing((Action a) -> a.letter().partition()).thenComparing(a -> a.letter().offset()));
    return new Redrive(actions, dryRun);
  }

  private Planned plan(Letter l, Map<String, Integer> partitionsOf, boolean dryRun) {
    if (l.letter() == null) {
      return new Planned(new Action(l.at(), Outcome.FAILED, null, null, null, null,
          "not a dead letter: " + l.unreadable(), dryRun), null);
    }
    DeadLetter letter = l.letter();
    String topic = letter.getSourceTopic();
    if (BRIDGE_STAGE.equals(letter.getStage()) || topic.startsWith(Aid2Bridge.MQTT_ORIGIN)) {
      return new Planned(new Action(l.at(), Outcome.SKIPPED, null, null, null, null, MQTT_NOT_REDRIVEN, dryRun), null);
    }
    Integer partition = partition(letter);
    if (letter.getValue() == null && (partition == null || letter.getSourceOffset() < 0)) {
      return new Planned(new Action(l.at(), Outcome.SKIPPED, null, null, null, null,
          "the letter holds no record and names no position to read it from", dryRun), null);
    }
    Integer partitions = partitionsOf.get(topic);
    if (partitions == null) {
      // Never by the producer: a broker that auto-creates topics would make one out of a letter's typo.
      return new Planned(new Action(l.at(), Outcome.FAILED, null, null, null, null,
          "there is no topic " + topic + " to write to", dryRun), null);
    }
    if (partition != null && partition >= partitions) {
      return new Planned(new Action(l.at(), Outcome.FAILED, null, null, null, null,
          topic + " has " + partitions + " partitions, not " + (partition + 1), dryRun), null);
    }
    List<Header> headers = new ArrayList<>();
    headers.add(new RecordHeader(REDRIVE_HEADER, l.at().toString().getBytes(StandardCharsets.UTF_8)));
    Action republish = new Action(l.at(), Outcome.REPUBLISHED, topic, partition, null, null, null, dryRun);
    java.util.Optional<String> refused = l.command() == null ? java.util.Optional.empty()
        : Redrives.whyNotRedriven(l.command().getPayload());
    if (refused.isPresent()) {
      return new Planned(new Action(l.at(), Outcome.SKIPPED, null, null, null, null, refused.get(), dryRun), null);
    }
    try {
      if (l.command() != null) {
        Aid1Outbound command = redriven(l.command(), l.at());
        return new Planned(new Action(l.at(), Outcome.NEW_COMMAND, topic, partition, null,
            command.getHeader().getMessageId(), "redrive of command " + l.command().getHeader().getMessageId(),
            dryRun),
            new ProducerRecord<>(topic, partition, null, bytesOrNull(letter.getKey()),
                commandWriter.serialize(topic, command), headers));
      }
      if (letter.getValue() != null) {
        return new Planned(republish, new ProducerRecord<>(topic, partition, null, bytesOrNull(letter.getKey()),
            bytes(letter.getValue()), headers));
      }
      Original original = original(letter);
      if (original.record() == null) {
        return new Planned(new Action(l.at(), Outcome.SKIPPED, null, null, null, null, original.why(), dryRun), null);
      }
      original.record().headers().forEach(headers::add);
      return new Planned(new Action(l.at(), Outcome.REPUBLISHED, topic, partition, null, null,
          "read back from " + topic + ":" + partition + ":" + letter.getSourceOffset(), dryRun),
          new ProducerRecord<>(topic, partition, null, original.record().key(), original.record().value(), headers));
    } catch (RuntimeException e) {
      return new Planned(republish.failed(e.getMessage()), null);
    }
  }

  /** Partitions per topic, of the topics that exist. */
  private Map<String, Integer> partitionsOf(Set<String> topics) {
    Map<String, Integer> partitions = new HashMap<>();
    if (topics.isEmpty()) {
      return partitions;
    }
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      for (var described : admin.describeTopics(topics).topicNameValues().entrySet()) {
        try {
          partitions.put(described.getKey(), described.getValue().get(30, TimeUnit.SECONDS).partitions().size());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException || e.getCause() instanceof InvalidTopicException)) {
            throw new IllegalStateException("could not describe " + described.getKey() + ": " + e.getCause(), e);
          }
        } catch (TimeoutException e) {
          throw new IllegalStateException("could not describe " + described.getKey() + " within 30 s", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
    }
    return partitions;
  }

  /** The command again under an id of its own: egress's rule ({@link CommandDeadLetters#redriven}). */
  static Aid1Outbound redriven(Aid1Outbound original, Position letter) {
    return CommandDeadLetters.redriven(original, letter.toString());
  }

  /** The source record of a letter without a value, or why there is none. */
  private record Original(ConsumerRecord<byte[], byte[]> record, String why) {}

  private Original original(DeadLetter letter) {
    TopicPartition tp = new TopicPartition(letter.getSourceTopic(), letter.getSourcePartition());
    long offset = letter.getSourceOffset();
    String where = tp.topic() + ":" + tp.partition() + ":" + offset;
    try (KafkaConsumer<byte[], byte[]> consumer = consumer("aid-dlq-read-back")) {
      consumer.assign(List.of(tp));
      long first = consumer.beginningOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
      long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
      if (offset < first) {
        return new Original(null, where + " is gone (the topic now starts at " + first + ": retention)");
      }
      if (offset >= end) {
        return new Original(null, where + " is not there (the partition ends at " + end + ")");
      }
      consumer.seek(tp, offset);
      long deadline = System.nanoTime() + readLimit.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          return r.offset() == offset ? new Original(r, null)
              : new Original(null, where + " is gone (compacted away, or not committed)");
        }
        if (consumer.position(tp) > offset) {
          return new Original(null, where + " is gone (not a committed record)");
        }
      }
      throw new IllegalStateException("could not read " + where + " within " + readLimit);
    }
  }

  /** Sends everything, flushes, and only then says what was written: acknowledged, or why not. */
  private List<Action> write(List<Planned> planned) {
    List<Action> done = new ArrayList<>();
    if (planned.isEmpty()) {
      return done;
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.CLIENT_ID_CONFIG, "aid-dlq-redrive",
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (Planned p : planned) {
        try {
          sent.add(producer.send(p.record()));
        } catch (RuntimeException e) {
          sent.add(java.util.concurrent.CompletableFuture.failedFuture(e));
        }
      }
      producer.flush();
      for (int i = 0; i < planned.size(); i++) {
        Action action = planned.get(i).action();
        try {
          done.add(action.written(sent.get(i).get(30, TimeUnit.SECONDS)));
        } catch (ExecutionException e) {
          done.add(action.failed(e.getCause().toString()));
        } catch (TimeoutException e) {
          done.add(action.failed("not acknowledged within 30 s"));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          done.add(action.failed("interrupted"));
        }
      }
    }
    return done;
  }

  // ---------------------------------------------------------------------------------------------------------

  private KafkaConsumer<byte[], byte[]> consumer(String clientId) {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.CLIENT_ID_CONFIG, clientId,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Back to the partition it came from (the same task or lane); the partitioner's choice if it names none. */
  private static Integer partition(DeadLetter letter) {
    return letter.getSourcePartition() >= 0 ? letter.getSourcePartition() : null;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static byte[] bytesOrNull(ByteBuffer buffer) {
    return buffer == null ? null : bytes(buffer);
  }

  /** Free text on one line, capped: a reason or an exception's message. */
  static String oneLine(String text) {
    String flat = String.valueOf(text).replaceAll("\\p{Cntrl}+", " ").strip();
    return flat.length() <= REASON_LIMIT ? flat : flat.substring(0, REASON_LIMIT) + "...";
  }

  @Override
  public void close() {
    letters.close();
    commands.close();
    commandWriter.close();
  }
}
