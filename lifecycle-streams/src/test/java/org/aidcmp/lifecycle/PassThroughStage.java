package org.aidcmp.lifecycle;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The raw figure beside the harnesses: a plain exactly-once Kafka Streams stage with one RocksDB get and put per
 * record, on the same broker, in the same JVM, with the lifecycle's own Streams settings (commit interval, poll,
 * fetch wait, task idling) and the same overrides. What one stage of ours costs at the least.
 */
final class PassThroughStage implements AutoCloseable {
  static final String IN = "bench.passthrough.in";
  static final String OUT = "bench.passthrough.out";
  private final KafkaStreams streams;

  PassThroughStage(String bootstrap, SchemaRegistryClient registry, Path stateDir, Map<String, ?> overrides) {
    Properties props = LifecycleStreams.streamsConfig(bootstrap, "bench-passthrough", stateDir.toString(), registry);
    props.putAll(overrides);
    Topology topology = new Topology();
    topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), IN);
    topology.addProcessor("get-put", GetPut::new, "in");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("last"), Serdes.String(),
        Serdes.String()), "get-put");
    topology.addSink("out", OUT, Serdes.String().serializer(), Serdes.String().serializer(), "get-put");
    streams = new KafkaStreams(topology, props);
    streams.start();
  }

  KafkaStreams streams() {
    return streams;
  }

  private static final class GetPut implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> last;

    @Override
    public void init(ProcessorContext<String, String> context) {
      this.context = context;
      last = context.getStateStore("last");
    }

    @Override
    public void process(Record<String, String> record) {
      String before = last.get(record.key());
      last.put(record.key(), record.value());
      context.forward(record.withValue(before == null ? record.value() : record.value()));
    }
  }

  @Override
  public void close() {
    streams.close(java.time.Duration.ofSeconds(30));
  }
}
