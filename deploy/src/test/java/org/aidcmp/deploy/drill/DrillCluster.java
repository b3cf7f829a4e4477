package org.aidcmp.deploy.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/** Three KRaft nodes (broker and controller each), each its own process on loopback ({@code ClusterNode}). */
final class DrillCluster implements AutoCloseable {
  static final int NODES = 3;
  private final List<Proc> nodes = new ArrayList<>();
  private final int[] ports = new int[NODES];

  DrillCluster(Path dir) {
    int[] controllerPorts = new int[NODES];
    for (int i = 0; i < NODES; i++) {
      ports[i] = freePort();
      controllerPorts[i] = freePort();
    }
    String voters = java.util.stream.IntStream.range(0, NODES)
        .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i]).collect(Collectors.joining(","));
    String clusterId = Uuid.randomUuid().toString();
    for (int i = 0; i < NODES; i++) {
      nodes.add(new Proc("kafka-" + (i + 1), "org.aidcmp.infra.kafka.ClusterNode", List.of(
          "--node-id", String.valueOf(i + 1), "--port", String.valueOf(ports[i]),
          "--controller-port", String.valueOf(controllerPorts[i]), "--voters", voters, "--cluster-id", clusterId,
          "--data", dir.resolve("kafka-" + (i + 1)).toString(),
          "--replication-factor", "3", "--min-insync-replicas", "2"), Map.of(), dir.resolve("logs"), "384m"));
    }
  }

  String bootstrapServers() {
    return java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  Proc node(int i) {
    return nodes.get(i);
  }

  /** Starts every node together (each waits for a quorum) and waits until each serves metadata. */
  void start(Duration bound) throws InterruptedException {
    nodes.forEach(Proc::start);
    for (Proc n : nodes) {
      awaitReady(n, bound);
    }
  }

  static void awaitReady(Proc node, Duration bound) throws InterruptedException {
    if (!node.awaitLine(Pattern.compile("cluster node \\d+ ready"), bound)) {
      throw new IllegalStateException(node.name() + " did not come up within " + bound + "; see " + node.log());
    }
  }

  /** Waits until every partition of every topic has all {@value #NODES} replicas in sync; how long it took. */
  Duration awaitFullIsr(Duration bound) throws Exception {
    long begin = System.nanoTime();
    long deadline = begin + bound.toNanos();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
      while (System.nanoTime() < deadline) {
        try {
          var names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
          boolean full = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
              .flatMap(d -> d.partitions().stream()).allMatch(p -> p.isr().size() == NODES);
          if (full) {
            return Duration.ofNanos(System.nanoTime() - begin);
          }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          // a node is coming back: ask again
        }
        Thread.sleep(250);
      }
    }
    throw new IllegalStateException("replicas not all back in sync within " + bound);
  }

  @Override
  public void close() throws InterruptedException {
    // All at once: a node's controlled shutdown needs a quorum, which nodes stopped one by one take away.
    List<Thread> stoppers = new ArrayList<>();
    for (Proc n : nodes) {
      Thread t = new Thread(() -> {
        try {
          n.stop();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      t.start();
      stoppers.add(t);
    }
    for (Thread t : stoppers) {
      t.join(60_000);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
