package org.aidcmp.lifecycle;

import java.time.Duration;
import java.util.List;
import org.aidcmp.lifecycle.route.RoutesProcessor;
import org.aidcmp.lifecycle.user.UserProcessor;
import org.aidcmp.lifecycle.vehicle.VehicleProcessor;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerde;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.state.Route;
import org.aidcmp.schemas.state.UserState;
import org.aidcmp.schemas.state.VehicleState;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The one topology that decides, read top to bottom as the flow it is:
 *
 * <ol>
 *   <li><b>route MSP calls</b> (key msp_token): MSP calls and the results of our calls to MSPs find their user
 *       through the routing index, or are answered 404 there; msp_tokens are claimed there (unique to a user).
 *   <li><b>users and vehicles</b> (key cmpUserId, key VIN): the two aggregates, fed by touchpoint commands,
 *       Send MSP token (keyed by its user), the vehicles' uplink, the fleet registry and each other through the
 *       internal topics. The vehicle stage checks a vehicle's requests and owns the downlink; the user stage
 *       decides everything else.
 * </ol>
 *
 * The MSP calls' topic feeds both stages (a Send MSP token goes to its user, the other calls to the routes), so
 * Kafka Streams runs them as one sub-topology: every input topic has the same partition count, so a key lands
 * in the same task whichever topic it comes by, and the stages still talk only through the internal topics.
 */
public final class LifecycleTopology {
  private LifecycleTopology() {}

  public static Topology build(SchemaRegistryClient registry, LifecycleSettings settings, Duration deadlineScan) {
    return build(registry, settings, deadlineScan, java.util.function.LongUnaryOperator.identity());
  }

  /** @param deadlineClock see {@link UserProcessor}: the wall clock, or during a replay's windows none */
  public static Topology build(SchemaRegistryClient registry, LifecycleSettings settings, Duration deadlineScan,
      java.util.function.LongUnaryOperator deadlineClock) {
    Topology topology = new Topology();
    source(topology, registry, "aid1-inbound", AidTopic.AID1_INBOUND);
    topology.addProcessor(Aid1InboundDispatch.NAME,
        () -> new Aid1InboundDispatch(UserProcessor.NAME, RoutesProcessor.NAME), "aid1-inbound");
    routeMspCalls(topology, registry);
    usersAndVehicles(topology, registry, settings, deadlineScan, deadlineClock);
    return topology;
  }

  /**
   * The routes stage (key msp_token): MSP calls find their user, token claims keep a token unique to one user;
   * so do results of commands written before commands named their user (the user stage passes those on here).
   */
  static void routeMspCalls(Topology topology, SchemaRegistryClient registry) {
    source(topology, registry, "internal-routes", AidTopic.INTERNAL_ROUTES);
    topology.addProcessor(RoutesProcessor.NAME, RoutesProcessor::new, Aid1InboundDispatch.NAME, "internal-routes");
    store(topology, RoutesProcessor.STORE, AvroSerde.of(Route.class, registry), RoutesProcessor.NAME);
    sinks(topology, registry, RoutesProcessor.NAME, AidTopic.INTERNAL_USERS, AidTopic.INTERNAL_ROUTES, AidTopic.REPLIES,
        AidTopic.DLQ);
  }

  /**
   * The two aggregates (key cmpUserId, key VIN). They share the touchpoint source, whose commands the touchpoint
   * dispatch hands to one or the other by type. Send MSP token comes keyed by its user, and the results of our
   * calls to MSPs too (egress keys them so), straight to the user stage.
   */
  static void usersAndVehicles(Topology topology, SchemaRegistryClient registry, LifecycleSettings settings,
      Duration deadlineScan, java.util.function.LongUnaryOperator deadlineClock) {
    source(topology, registry, "touchpoint-commands", AidTopic.TOUCHPOINT_COMMANDS);
    source(topology, registry, "internal-users", AidTopic.INTERNAL_USERS);
    source(topology, registry, "aid1-results", AidTopic.AID1_RESULTS);
    source(topology, registry, "aid2-uplink", AidTopic.AID2_UPLINK);
    source(topology, registry, "ref-vehicles", AidTopic.REF_VEHICLES);
    source(topology, registry, "internal-vehicles", AidTopic.INTERNAL_VEHICLES);
    topology.addProcessor(TouchpointDispatch.NAME,
        () -> new TouchpointDispatch(UserProcessor.NAME, VehicleProcessor.NAME), "touchpoint-commands");
    sinks(topology, registry, TouchpointDispatch.NAME, AidTopic.DLQ);

    topology.addProcessor(UserProcessor.NAME, () -> new UserProcessor(settings, deadlineScan, deadlineClock),
        TouchpointDispatch.NAME, Aid1InboundDispatch.NAME, "internal-users", "aid1-results");
    store(topology, UserProcessor.STORE, AvroSerde.of(UserState.class, registry), UserProcessor.NAME);
    store(topology, UserProcessor.DEADLINES, Serdes.String(), UserProcessor.NAME);
    sinks(topology, registry, UserProcessor.NAME, AidTopic.LIFECYCLE_EVENTS, AidTopic.AID1_OUTBOUND,
        AidTopic.REPLIES, AidTopic.AID2_DOWNLINK, AidTopic.INTERNAL_VEHICLES, AidTopic.INTERNAL_ROUTES, AidTopic.DLQ);

    topology.addProcessor(VehicleProcessor.NAME, () -> new VehicleProcessor(settings),
        TouchpointDispatch.NAME, "aid2-uplink", "ref-vehicles", "internal-vehicles");
    store(topology, VehicleProcessor.STORE, AvroSerde.of(VehicleState.class, registry), VehicleProcessor.NAME);
    sinks(topology, registry, VehicleProcessor.NAME, AidTopic.VEHICLE_EVENTS, AidTopic.AID2_DOWNLINK,
        AidTopic.REPLIES, AidTopic.INTERNAL_USERS, AidTopic.DLQ);
  }

  private static <V> void store(Topology topology, String name, org.apache.kafka.common.serialization.Serde<V> values,
      String processor) {
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values),
        processor);
  }

  @SuppressWarnings("unchecked")
  private static void source(Topology topology, SchemaRegistryClient registry, String name, AidTopic topic) {
    AvroDeserializer<SpecificRecord> values =
        new AvroDeserializer<>(registry, (Class<SpecificRecord>) topic.valueType());
    topology.addSource(name, new StringDeserializer(), values, topic.topicName());
  }

  private static void sinks(Topology topology, SchemaRegistryClient registry, String processor, AidTopic... topics) {
    for (AidTopic topic : List.of(topics)) {
      topology.addSink(DecidingProcessor.sinkName(processor, topic), topic.topicName(), new StringSerializer(),
          new AvroSerializer<SpecificRecord>(registry, true), processor);
    }
  }
}
