package org.aidcmp.infra.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.aidcmp.infra.launcher.bench.DrillLoad;
import org.aidcmp.infra.launcher.bench.FlowTracker;
import org.aidcmp.infra.vehicle.Outcome;

/**
 * The fault a drill ({@link FleetDrill}) injects under load: begun mid-run and ended after the outage, once per
 * round, with lines of its own for the report. A fault may run some services outside the drill's JVM
 * ({@link #elsewhere}), start them once the platform is up ({@link #setUp}) and hold the drill back until they are
 * ready.
 */
interface DrillFault extends AutoCloseable {

  /** One fault's span, begun and ended (nanoTime). */
  record Window(long begin, long end) {
    boolean contains(long nanos) {
      return nanos >= begin && nanos < end;
    }
  }

  /** What the fault reports from: the flows counted, the fault's windows, the lifecycle events read. */
  record Run(List<DrillLoad.Flow> flows, List<Window> windows, FlowTracker tracker, Map<String, Object> figures,
             PrintStream out) {}

  String what();

  /** Rounds of the fault, each begun, left for the outage, ended, and followed by load. */
  default int rounds() {
    return 1;
  }

  /** After the platform started, before the load. */
  default void setUp() throws Exception {}

  /** Whether what {@link #setUp} started is ready for traffic. */
  default boolean ready() {
    return true;
  }

  void begin(int round) throws Exception;

  void end(int round) throws Exception;

  default void report(Run run) {}

  @Override
  default void close() throws Exception {}

  /** The services a drill runs outside its JVM, by its name; the platform starts the rest. */
  static Set<AidService> elsewhere(String drill) {
    return drill.equals(StreamsKill.NAME) ? Set.of(AidService.LIFECYCLE_STREAMS) : Set.of();
  }

  static DrillFault of(LocalPlatform platform, FleetDrill.Options options, PrintStream out) throws IOException {
    EmbeddedStack stack = platform.stack();
    return switch (options.name()) {
      case "msp-down" -> new DrillFault() {
        public String what() {
          return "MSP " + options.msp() + " down (its server stopped: connections refused)";
        }

        public void begin(int round) throws Exception {
          platform.msp(options.msp()).startOutage();
        }

        public void end(int round) throws Exception {
          platform.msp(options.msp()).endOutage();
        }

        public void report(Run run) {
          Map<String, Integer> ended = new TreeMap<>();
          run.flows().stream().filter(f -> f.mspId().equals(options.msp())
                  && run.windows().stream().anyMatch(w -> w.contains(f.startNanos()))
                  && (f.outcome() == null || f.outcome().result() != Outcome.Result.ENABLED))
              .forEach(f -> ended.merge(f.outcome() == null ? "no outcome" : f.outcome().result().name()
                  + (f.outcome().result() == Outcome.Result.PROVISIONED ? "" : " " + f.outcome().detail()), 1,
                  Integer::sum));
          out.printf("  flows of %s's users started during its outage, by how they ended: %s%n", options.msp(), ended);
          run.figures().put("down_msp_flows_during_outage", ended);
        }
      };
      case "mqtt-restart" -> new DrillFault() {
        public String what() {
          return "the MQTT broker stopped (restarted on its data directory after the outage)";
        }

        public void begin(int round) {
          stack.mqttBroker().orElseThrow(() -> new IllegalStateException("the MQTT broker is not embedded")).close();
        }

        public void end(int round) throws IOException {
          stack.mqttBroker().orElseThrow().start();
        }
      };
      case "kafka-restart" -> new DrillFault() {
        public String what() {
          return "the Kafka broker stopped (restarted on the same data directory after the outage)";
        }

        public void begin(int round) {
          stack.kafkaBroker().orElseThrow(() -> new IllegalStateException("the Kafka broker is not embedded")).close();
        }

        public void end(int round) {
          stack.kafkaBroker().orElseThrow().start();
        }
      };
      case StreamsKill.NAME -> new StreamsKill(platform, out);
      default -> throw new IllegalArgumentException(options.name());
    };
  }
}
