package org.aidcmp.infra.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One node (broker and controller) of a KRaft cluster on loopback, in its own process: the cluster drill
 * starts three of these and kills them with SIGKILL. The data directory is formatted on first start only, so
 * a node brought back after a kill finds its log and catches up from the others.
 *
 * <pre>
 * java -cp ... org.aidcmp.infra.kafka.ClusterNode --node-id 1 --port 29092 --controller-port 29093 \
 *     --voters 1@127.0.0.1:29093,2@127.0.0.1:29193,3@127.0.0.1:29293 --cluster-id ID --data DIR \
 *     [--replication-factor 3] [--min-insync-replicas 2]
 * </pre>
 *
 * Prints one line {@code cluster node N ready on 127.0.0.1:PORT} once it serves metadata, then runs until
 * it is stopped (SIGTERM shuts it down cleanly).
 */
public final class ClusterNode {
  private static final List<String> KEYS = List.of("--node-id", "--port", "--controller-port", "--voters",
      "--cluster-id", "--data", "--replication-factor", "--min-insync-replicas", "--start-timeout-seconds");

  private ClusterNode() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> opts;
    EmbeddedKafka node;
    try {
      opts = parse(args);
      node = builder(opts).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("cluster node: " + e.getMessage());
      System.exit(2);
      return;
    }
    node.start();
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "cluster-node-shutdown"));
    System.out.println("cluster node " + opts.get("--node-id") + " ready on " + node.bootstrapServers());
    System.out.flush();
    new CountDownLatch(1).await();
  }

  static EmbeddedKafka.Builder builder(Map<String, String> opts) {
    for (String required : List.of("--node-id", "--port", "--controller-port", "--voters", "--cluster-id", "--data")) {
      if (!opts.containsKey(required)) {
        throw new IllegalArgumentException("missing " + required);
      }
    }
    int rf = integer(opts, "--replication-factor", "3");
    int minIsr = integer(opts, "--min-insync-replicas", "2");
    return EmbeddedKafka.builder(Path.of(opts.get("--data")))
        .nodeId(integer(opts, "--node-id", null))
        .port(integer(opts, "--port", null))
        .controllerPort(integer(opts, "--controller-port", null))
        .cluster(opts.get("--cluster-id"), opts.get("--voters"))
        .replication(rf, minIsr)
        .startTimeout(Duration.ofSeconds(integer(opts, "--start-timeout-seconds", "180")))
        // A leader that comes back takes its partitions back soon, so the cluster is balanced after a drill.
        .config("leader.imbalance.check.interval.seconds", "10")
        .config("unclean.leader.election.enable", "false");
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!KEYS.contains(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + " (known: " + KEYS + ")");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      opts.put(args[i], args[i + 1]);
    }
    return opts;
  }

  private static int integer(Map<String, String> opts, String key, String fallback) {
    String v = opts.getOrDefault(key, fallback);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, got '" + v + "'");
    }
  }
}
