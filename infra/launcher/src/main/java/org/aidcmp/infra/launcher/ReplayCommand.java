package org.aidcmp.infra.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.lifecycle.LifecycleStreams;
import org.aidcmp.lifecycle.replay.Replay;
import org.aidcmp.lifecycle.replay.ReplayPlan;
import org.aidcmp.lifecycle.replay.StoreSnapshot;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * {@code aid replay}: lifecycle-streams again from the start of its inputs into fresh state ({@link Replay}), or
 * with {@code --dry-run} only what that would reset. Progress on stderr, the answer on stdout (a table or JSON).
 */
final class ReplayCommand {
  static final String USAGE = """
      usage: aid replay [--dry-run] [--json] [--window-ms N] [--timeout-minutes N]

        Reprocesses lifecycle-streams from the start of its inputs into fresh state, under its own application id,
        so the platform goes on from the rebuilt state when it starts next. Refused while lifecycle-streams runs
        (stop aid up first; aid up --stack-only is fine). The reset: the application's changelog and repartition
        topics deleted, its group's offsets set to the earliest of every input (aid.aid1.inbound, touchpoint
        commands, aid.aid2.uplink, aid.aid1.results, aid.ref.vehicles) and to the end of its own aid.internal.*
        topics, its local state directory wiped. Then it runs here, window by window of input time (a window's
        inputs, then what they set off through the internal topics until nothing moves, then the next window),
        until every input is reprocessed and nothing moves, and compares the User and Vehicle aggregates and the
        routes with what they held before, by content.
        What it writes again carries the ids of the first time: egress calls no MSP again, the downlink sends no
        vehicle a command twice, the projections apply no fact twice.
          --dry-run          say what would be reset (topics, group, offsets, record counts); change nothing
          --json             the result as JSON
          --window-ms        input time one window takes beyond its earliest record (default 0: one
                             millisecond at a time, which keeps every order the platform met); wider is
                             faster, and may reorder one user's or vehicle's inputs closer than it
          --timeout-minutes  give up after this long (default 60)
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  record Request(boolean dryRun, boolean json, Duration window, Duration limit) {
    static Request parse(List<String> args) {
      boolean dryRun = false;
      boolean json = false;
      Duration window = Duration.ZERO;
      Duration limit = Duration.ofMinutes(60);
      for (int i = 0; i < args.size(); i++) {
        switch (args.get(i)) {
          case "--dry-run" -> dryRun = true;
          case "--json" -> json = true;
          case "--window-ms" -> window = Duration.ofMillis(number(args, ++i));
          case "--timeout-minutes" -> limit = Duration.ofMinutes(number(args, ++i));
          default -> throw new IllegalArgumentException("unknown option '" + args.get(i) + "'");
        }
      }
      return new Request(dryRun, json, window, limit);
    }

    private static long number(List<String> args, int i) {
      if (i >= args.size()) {
        throw new IllegalArgumentException(args.get(i - 1) + " needs a number");
      }
      try {
        long n = Long.parseLong(args.get(i));
        if (n < 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(args.get(i - 1) + " needs a number, not '" + args.get(i) + "'");
      }
    }
  }

  private final PrintStream out;
  private final PrintStream progress;

  /** {@code aid replay ...} as typed: help and bad options answered before the platform is touched. */
  static int dispatch(Path configFile, List<String> args, PrintStream out) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    Request request;
    try {
      request = Request.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("aid replay: " + e.getMessage());
      System.err.print(USAGE);
      return 2;
    }
    AidConfig config = AidConfig.load(configFile, System.getenv());
    try (SchemaRegistryClient registry = Aid.registryClient(config, Aid.runningEndpoints(config))) {
      return new ReplayCommand(out, System.err).run(request, options(config, registry, request));
    } catch (RuntimeException e) {
      System.err.println("aid replay: " + e.getMessage());
      return 1;
    }
  }

  ReplayCommand(PrintStream out, PrintStream progress) {
    this.out = out;
    this.progress = progress;
  }

  /** The replay's options from the configuration: the same application id, state directory and instance as aid up. */
  static Replay.Options options(AidConfig base, SchemaRegistryClient registry, Request request) {
    Path data = Path.of(base.get("aid.data.dir").orElse(".aid/data"));
    AidConfig config = DevCredentials.fill(base, data);
    return new Replay.Options(Aid.runningEndpoints(config).kafkaBootstrapServers(), registry,
        LifecycleStreams.settings(config, MspRegistry.from(config)),
        config.get("lifecycle.application-id").orElse("aid-lifecycle"),
        config.get("lifecycle.state-dir").orElse(data.resolve("lifecycle-streams").toString()),
        config.get("lifecycle.instance-id").orElse("local"),
        config.withPrefix(LifecycleStreams.STREAMS_PREFIX), request.window(), request.limit(), Duration.ofSeconds(3));
  }

  int run(Request request, Replay.Options options) {
    if (request.dryRun()) {
      ReplayPlan plan = Replay.plan(options);
      if (request.json()) {
        out.println(planJson(plan).put("dryRun", true).toPrettyString());
      } else {
        printPlan(plan);
        out.printf("aid replay: dry run, nothing changed; %d input records would be reprocessed%s%n",
            plan.inputRecords(), plan.groupMembers() > 0 ? " (but the application runs: it would be refused)" : "");
      }
      return 0;
    }
    long[] last = {-1};
    Replay.Result result;
    try {
      result = Replay.run(options, p -> {
        if (p.reprocessed() != last[0]) {
          last[0] = p.reprocessed();
          progress.printf("\raid replay: %d of %d input records reprocessed, lag %d (%.0f s)", p.reprocessed(),
              p.total(), p.lag(), p.seconds());
        }
      });
    } catch (Replay.ApplicationRunning e) {
      System.err.println("aid replay: refused: " + e.getMessage());
      return 1;
    }
    progress.println();
    if (request.json()) {
      ObjectNode doc = planJson(result.plan()).put("dryRun", false).put("reprocessed", result.reprocessed())
          .put("windows", result.windows())
          .put("seconds", result.seconds()).put("identical", result.identical());
      ObjectNode again = doc.putObject("reEmitted");
      result.reEmitted().forEach(again::put);
      var stores = doc.putArray("stores");
      for (StoreSnapshot.Difference d : result.differences()) {
        stores.addObject().put("store", d.store()).put("before", d.before()).put("after", d.after())
            .put("identical", d.identical()).put("onlyBefore", d.onlyBefore().size())
            .put("onlyAfter", d.onlyAfter().size()).put("changed", d.changed().size()).put("sample", d.sample())
            .putPOJO("changedFields", d.changedFields());
      }
      out.println(doc.toPrettyString());
    } else {
      printPlan(result.plan());
      out.printf("%n%-34s %10s%n", "re-emitted to", "records");
      result.reEmitted().forEach((t, n) -> out.printf("%-34s %10d%n", t, n));
      out.printf("%n%-12s %8s %8s  %s%n", "store", "before", "after", "rebuilt");
      for (StoreSnapshot.Difference d : result.differences()) {
        out.printf("%-12s %8d %8d  %s%n", d.store(), d.before(), d.after(), d.identical() ? "identical"
            : d.onlyBefore().size() + " gone, " + d.onlyAfter().size() + " new, " + d.changed().size()
                + " changed: " + d.sample());
        d.changedFields().forEach(f -> out.printf("%-12s   %s%n", "", f));
      }
      out.printf("aid replay: %d input records reprocessed in %d windows, %.1f s; state %s%n",
          result.reprocessed(), result.windows(), result.seconds(), result.identical() ? "identical to before" : "DIFFERS from before (see above)");
    }
    return result.identical() ? 0 : 3;
  }

  private void printPlan(ReplayPlan plan) {
    out.printf("application %s, group members now: %d%n", plan.applicationId(), plan.groupMembers());
    out.printf("%n%-34s %10s  %s%n", "input (from earliest)", "records", "partitions: earliest..end");
    plan.inputRecordsByTopic().forEach((t, n) -> out.printf("%-34s %10d  %s%n", t, n, ranges(plan, t)));
    out.printf("%n%-34s %s%n", "own topic (from its end)", "partitions: end");
    plan.ownTopics().forEach(t -> out.printf("%-34s %s%n", t, ends(plan, t)));
    out.printf("%ntopics deleted (Kafka Streams re-creates them): %s%n",
        plan.streamsTopics().isEmpty() ? "none" : String.join(", ", plan.streamsTopics()));
    out.printf("state directory wiped: %s%n", plan.stateDirectory());
  }

  private static String ranges(ReplayPlan plan, String topic) {
    StringBuilder s = new StringBuilder();
    plan.inputEnd().forEach((tp, end) -> {
      if (tp.topic().equals(topic)) {
        s.append(s.isEmpty() ? "" : " ").append(tp.partition()).append(':').append(plan.inputStart().get(tp))
            .append("..").append(end);
      }
    });
    return s.toString();
  }

  private static String ends(ReplayPlan plan, String topic) {
    StringBuilder s = new StringBuilder();
    plan.ownTopicsEnd().forEach((tp, end) -> {
      if (tp.topic().equals(topic)) {
        s.append(s.isEmpty() ? "" : " ").append(tp.partition()).append(':').append(end);
      }
    });
    return s.toString();
  }

  private static ObjectNode planJson(ReplayPlan plan) {
    ObjectNode doc = JSON.createObjectNode().put("applicationId", plan.applicationId())
        .put("groupMembers", plan.groupMembers()).put("inputRecords", plan.inputRecords())
        .put("stateDirectory", plan.stateDirectory());
    ObjectNode inputs = doc.putObject("inputs");
    plan.inputRecordsByTopic().forEach((t, n) -> {
      ObjectNode topic = inputs.putObject(t).put("records", n);
      ObjectNode partitions = topic.putObject("partitions");
      plan.inputEnd().forEach((tp, end) -> {
        if (tp.topic().equals(t)) {
          partitions.putObject(String.valueOf(tp.partition())).put("earliest", plan.inputStart().get(tp)).put("end", end);
        }
      });
    });
    ObjectNode own = doc.putObject("ownTopicsFromEnd");
    plan.ownTopicsEnd().forEach((tp, end) -> (own.has(tp.topic()) ? (ObjectNode) own.get(tp.topic()) : own.putObject(tp.topic())).put(String.valueOf(tp.partition()), end));
    var deleted = doc.putArray("topicsDeleted");
    plan.streamsTopics().forEach(deleted::add);
    return doc;
  }
}
