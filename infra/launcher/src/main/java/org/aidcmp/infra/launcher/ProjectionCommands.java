package org.aidcmp.infra.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.projections.EventHistory;
import org.aidcmp.projections.ProjectionsSettings;
import org.aidcmp.projections.Rebuild;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * {@code aid events} and {@code aid projections rebuild} against a running platform: its Kafka, registry and
 * PostgreSQL (the configured ones, or the embedded defaults' ports). Tables for people, {@code --json} for tools;
 * progress goes to stderr so that stdout stays the answer.
 */
final class ProjectionCommands {
  static final String EVENTS_USAGE = """
      usage: aid events (--user CMP_USER_ID | --vin VIN | --iccid ICCID) [--limit N] [--json]

        The whole history of a user, a vehicle or a profile, read from aid.lifecycle.events.v1 and
        aid.vehicle.events.v1 (not from the tables) and told as the customer-care timeline tells it: when, which
        fact, what happened, why. Never a phone number, msp_token or account id.
          --limit   the last N facts only
          --json    one JSON document instead of a table
      """;
  static final String PROJECTIONS_USAGE = """
      usage: aid projections rebuild [--no-swap] [--json]

        Builds the read models again from the event topics into a schema of their own (<schema>_rebuild), with
        progress, then swaps them in for the live ones in one transaction; a running platform's projector follows
        to the new tables by itself. Nothing is lost or applied twice.
          --no-swap  build and count only; the live tables stay (compare, then run again without it)
          --json     the result as JSON
      """;
  private static final Duration LIMIT = Duration.ofMinutes(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AidConfig config;
  private final PrintStream out;
  private final PrintStream progress;

  ProjectionCommands(AidConfig config, PrintStream out, PrintStream progress) {
    this.config = config;
    this.out = out;
    this.progress = progress;
  }

  /** The running platform's projections settings: configured endpoints, else the embedded defaults. */
  static ProjectionsSettings running(AidConfig config) {
    Endpoints kafka = Aid.runningEndpoints(config);
    String database = config.get("postgres.database").orElse("aid");
    boolean embedded = config.get("postgres.jdbc.url").isEmpty();
    return ProjectionsSettings.from(config.with(Map.of(
        "kafka.bootstrap.servers", kafka.kafkaBootstrapServers(),
        "schema.registry.url", kafka.schemaRegistryUrl(),
        "postgres.jdbc.url", config.get("postgres.jdbc.url")
            .orElse("jdbc:postgresql://127.0.0.1:" + config.getInt("postgres.embedded.port", 15432) + "/" + database),
        // the embedded server's superuser (EmbeddedPostgresServer's default)
        "postgres.user", embedded ? "postgres" : config.get("postgres.user").orElse("postgres"),
        "postgres.password", embedded ? "postgres" : config.get("postgres.password").orElse(""))));
  }

  int events(List<String> args, SchemaRegistryClient registry, ProjectionsSettings settings) {
    String user = null;
    String vin = null;
    String iccid = null;
    Integer limit = null;
    boolean json = false;
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--user" -> user = value(args, ++i);
        case "--vin" -> vin = value(args, ++i);
        case "--iccid" -> iccid = value(args, ++i);
        case "--limit" -> limit = Integer.parseInt(value(args, ++i));
        case "--json" -> json = true;
        default -> throw new IllegalArgumentException("unknown option '" + args.get(i) + "'");
      }
    }
    if ((user == null ? 0 : 1) + (vin == null ? 0 : 1) + (iccid == null ? 0 : 1) != 1) {
      throw new IllegalArgumentException("name exactly one of --user, --vin, --iccid");
    }
    EventHistory.History history = EventHistory.of(settings.kafkaBootstrapServers(), registry,
        List.of(settings.lifecycleEventsTopic(), settings.vehicleEventsTopic()),
        new EventHistory.Subject(user, vin, iccid), LIMIT, n -> progress.print("\raid events: read " + n + " records"));
    progress.println();
    List<EventHistory.Fact> facts = history.facts();
    if (limit != null && facts.size() > limit) {
      facts = facts.subList(facts.size() - limit, facts.size());
    }
    if (json) {
      ObjectNode doc = JSON.createObjectNode().put("read", history.read()).put("undecodable", history.undecodable());
      ArrayNode items = doc.putArray("facts");
      for (EventHistory.Fact f : facts) {
        items.addObject().put("occurredAt", f.occurredAt().toString()).put("eventType", f.eventType())
            .put("topic", f.topic()).put("partition", f.partition()).put("offset", f.offset())
            .put("messageId", f.messageId()).put("cmpUserId", f.entry().cmpUserId()).put("vin", f.entry().vin())
            .put("iccid", f.entry().iccid()).put("mspId", f.entry().mspId()).put("summary", f.entry().summary())
            .put("reason", f.entry().reason());
      }
      out.println(doc.toPrettyString());
    } else {
      out.printf("%-24s %-26s %-20s %-12s %s%n", "when", "fact", "ICCID", "MSP", "what happened (reason)");
      for (EventHistory.Fact f : facts) {
        out.printf("%-24s %-26s %-20s %-12s %s%s%n", f.occurredAt(), f.eventType(), dash(f.entry().iccid()),
            dash(f.entry().mspId()), f.entry().summary(), f.entry().reason() == null ? "" : " (" + f.entry().reason() + ")");
      }
      out.printf("aid events: %d facts of %d records read%s%n", facts.size(), history.read(),
          history.undecodable() == 0 ? "" : ", " + history.undecodable() + " did not decode (aid dlq list)");
    }
    return 0;
  }

  int rebuild(List<String> args, SchemaRegistryClient registry, ProjectionsSettings settings) {
    boolean swap = !args.contains("--no-swap");
    boolean json = args.contains("--json");
    for (String a : args) {
      if (!List.of("--no-swap", "--json").contains(a)) {
        throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    long[] last = {-1};
    Rebuild.Result result = Rebuild.run(settings, registry, LIMIT, swap, n -> {
      if (n != last[0]) {
        progress.print("\raid projections rebuild: " + n + " records applied");
        last[0] = n;
      }
    });
    progress.println();
    if (json) {
      ObjectNode doc = JSON.createObjectNode().put("records", result.records())
          .put("deadLettered", result.deadLettered()).put("seconds", result.seconds()).put("swapped", result.swapped())
          .put("schema", swap ? settings.schema() : Rebuild.rebuildSchema(settings));
      ObjectNode rows = doc.putObject("rows");
      result.rows().forEach(rows::put);
      out.println(doc.toPrettyString());
    } else {
      out.printf("%-26s %12s%n", "table", "rows");
      result.rows().forEach((t, n) -> out.printf("%-26s %12d%n", t, n));
      out.printf("aid projections rebuild: %d records (%d dead-lettered) in %.1f s into schema %s%s%n",
          result.records(), result.deadLettered(), result.seconds(),
          swap ? settings.schema() : Rebuild.rebuildSchema(settings),
          swap ? ", swapped in" : ", not swapped in (--no-swap)");
    }
    return 0;
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }

  private static String value(List<String> args, int i) {
    if (i >= args.size() || args.get(i).startsWith("--")) {
      throw new IllegalArgumentException(args.get(i - 1) + " needs a value");
    }
    return args.get(i);
  }
}
