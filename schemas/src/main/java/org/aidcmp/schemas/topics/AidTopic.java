package org.aidcmp.schemas.topics;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.internal.InternalMessage;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.ref.VehicleReference;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The topic catalogue (DESIGN.md, Topics): every topic of the platform with its key, value envelope,
 * partitions, retention and cleanup policy. Keys are UTF-8 strings; values are one Avro envelope per topic,
 * registered under {@code <topic>-value}.
 *
 * <p>Inputs (AiD1 inbound, touchpoint commands, AiD2 uplink, MSP results, reference data) are the system of
 * record and kept forever; everything else can be rebuilt from them.
 */
public enum AidTopic {
  AID1_INBOUND("aid.aid1.inbound.v1", "msp_token, or the account id's sid for Send MSP token",
      Aid1Inbound.class, Retention.FOREVER, false),
  TOUCHPOINT_COMMANDS("aid.touchpoint.commands.v1", "cmpUserId (the VIN for fleet operations)",
      TouchpointCommand.class, Retention.FOREVER, false),
  AID2_UPLINK("aid.aid2.uplink.v1", "VIN", Aid2Uplink.class, Retention.FOREVER, false),
  AID1_OUTBOUND("aid.aid1.outbound.v1", "msp_token", Aid1Outbound.class, Retention.DAYS_30, false),
  AID1_RESULTS("aid.aid1.results.v1", "the command's cmpUserId (msp_token before it named one)", Aid1Result.class, Retention.FOREVER, false),
  AID2_DOWNLINK("aid.aid2.downlink.v1", "VIN", Aid2Downlink.class, Retention.DAYS_30, false),
  LIFECYCLE_EVENTS("aid.lifecycle.events.v1", "cmpUserId", LifecycleEvent.class, Retention.FOREVER, false),
  VEHICLE_EVENTS("aid.vehicle.events.v1", "VIN", VehicleEvent.class, Retention.FOREVER, false),
  REPLIES("aid.replies.v1", "request id (CMP-request-id)", Reply.class, Retention.DAYS_7, false),
  REF_VEHICLES("aid.ref.vehicles.v1", "VIN", VehicleReference.class, Retention.FOREVER, true),
  DLQ("aid.dlq.v1", "the original record's key", DeadLetterRecord.class, Retention.FOREVER, false),

  // lifecycle-streams' own topics between its stages (derived: a replay of the inputs rebuilds them)
  INTERNAL_USERS("aid.internal.users.v1", "cmpUserId", InternalMessage.class, Retention.DAYS_7, false),
  INTERNAL_VEHICLES("aid.internal.vehicles.v1", "VIN", InternalMessage.class, Retention.DAYS_7, false),
  INTERNAL_ROUTES("aid.internal.routes.v1", "msp_token or sid", InternalMessage.class, Retention.DAYS_7, false);

  /** Default partition count: one number for every topic, so inputs stay co-partitioned. */
  public static final int DEFAULT_PARTITIONS = 12;

  /** How long a topic keeps its records. */
  public enum Retention {
    FOREVER(null),
    DAYS_30(Duration.ofDays(30)),
    DAYS_7(Duration.ofDays(7));

    private final Duration duration;

    Retention(Duration duration) {
      this.duration = duration;
    }

    /** retention.ms as Kafka spells it: -1 for forever. */
    public String retentionMs() {
      return duration == null ? "-1" : Long.toString(duration.toMillis());
    }
  }

  private final String topicName;
  private final String key;
  private final Class<? extends SpecificRecord> valueType;
  private final Retention retention;
  private final boolean compacted;

  AidTopic(String topicName, String key, Class<? extends SpecificRecord> valueType, Retention retention,
      boolean compacted) {
    this.topicName = topicName;
    this.key = key;
    this.valueType = valueType;
    this.retention = retention;
    this.compacted = compacted;
  }

  public String topicName() {
    return topicName;
  }

  /** What the record key is. */
  public String key() {
    return key;
  }

  public Class<? extends SpecificRecord> valueType() {
    return valueType;
  }

  /** The envelope schema of this topic's values. */
  public Schema valueSchema() {
    try {
      return (Schema) valueType.getMethod("getClassSchema").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("generated class without getClassSchema: " + valueType, e);
    }
  }

  /** The registry subject of the values (Confluent's TopicNameStrategy). */
  public String valueSubject() {
    return topicName + "-value";
  }

  public Retention retention() {
    return retention;
  }

  public boolean compacted() {
    return compacted;
  }

  /** Topic-level configuration to create the topic with. */
  public Map<String, String> topicConfig() {
    if (compacted) {
      return Map.of("cleanup.policy", "compact", "retention.ms", "-1", "min.compaction.lag.ms", "60000");
    }
    return Map.of("cleanup.policy", "delete", "retention.ms", retention.retentionMs());
  }

  public static Optional<AidTopic> byName(String topicName) {
    return Arrays.stream(values()).filter(t -> t.topicName.equals(topicName)).findFirst();
  }
}
