package org.aidcmp.infra.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.projections.Database;
import org.aidcmp.projections.ProjectionsSettings;
import org.aidcmp.schemas.lifecycle.ProfileReconciliation;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * {@code aid reconcile}: §4.6 profile status synchronisation (Annex A.5, support cases) for one user, one MSP or
 * every live federation, and §4.10 Request CSIM info for one vehicle or all, throttled; it prints what changed.
 */
final class ReconcileCommand {
  static final String USAGE = """
      usage: aid reconcile [--user CMP_USER_ID | --msp MSP_ID | --all-users]
                           [--vin VIN | --all-vehicles] [--rate N/s] [--wait-seconds N] [--json]

        §4.6 profile status sync: asks each MSP for its view of the user's profiles (Request profile status,
        §7.1.11) through lifecycle-streams, which makes the MSP's list decide which profiles exist: a live profile
        the MSP no longer lists becomes invalid and is deleted from its vehicle; one whose status differs is
        reported. §4.10: asks the vehicle for its eUICC inventory (Request CSIM info, §7.2.7) and takes its answer
        in as the whole inventory. Who is asked comes from the projections' tables (live federations, registered
        vehicles). Prints what changed, read back from the event topics within the wait.
          --user / --msp / --all-users   the federations of one user, of one MSP, or all (§4.6)
          --vin / --all-vehicles         one vehicle or every registered one (§4.10)
          --rate N/s                     at most N requests a second (default 10/s): MSP calls and downlinks
          --wait-seconds N               how long to wait for the answers after the last request (default 60)
          --json                         the result as JSON
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  record Request(String user, String msp, boolean allUsers, String vin, boolean allVehicles, double rate,
      Duration answerWait, boolean json) {
    boolean profiles() {
      return user != null || msp != null || allUsers;
    }

    boolean vehicles() {
      return vin != null || allVehicles;
    }

    static Request parse(List<String> args) {
      String user = null;
      String msp = null;
      String vin = null;
      boolean allUsers = false;
      boolean allVehicles = false;
      boolean json = false;
      double rate = 10;
      Duration wait = Duration.ofSeconds(60);
      for (int i = 0; i < args.size(); i++) {
        switch (args.get(i)) {
          case "--user" -> user = value(args, ++i);
          case "--msp" -> msp = value(args, ++i);
          case "--all-users" -> allUsers = true;
          case "--vin" -> vin = value(args, ++i);
          case "--all-vehicles" -> allVehicles = true;
          case "--json" -> json = true;
          case "--rate" -> rate = rate(value(args, ++i));
          case "--wait-seconds" -> wait = Duration.ofSeconds(Long.parseLong(value(args, ++i)));
          default -> throw new IllegalArgumentException("unknown option '" + args.get(i) + "'");
        }
      }
      if ((user != null ? 1 : 0) + (msp != null ? 1 : 0) + (allUsers ? 1 : 0) > 1) {
        throw new IllegalArgumentException("name at most one of --user, --msp, --all-users");
      }
      if (vin != null && allVehicles) {
        throw new IllegalArgumentException("name at most one of --vin, --all-vehicles");
      }
      Request r = new Request(user, msp, allUsers, vin, allVehicles, rate, wait, json);
      if (!r.profiles() && !r.vehicles()) {
        throw new IllegalArgumentException("reconcile what? --user, --msp, --all-users, --vin or --all-vehicles");
      }
      return r;
    }

    private static double rate(String s) {
      String n = s.endsWith("/s") ? s.substring(0, s.length() - 2) : s;
      try {
        double r = Double.parseDouble(n);
        if (r > 0 && r <= 10_000) {
          return r;
        }
      } catch (NumberFormatException e) {
        // said below
      }
      throw new IllegalArgumentException("--rate needs a number of requests a second (0 < N <= 10000), like 5/s");
    }

    private static String value(List<String> args, int i) {
      if (i >= args.size() || args.get(i).startsWith("--")) {
        throw new IllegalArgumentException(args.get(i - 1) + " needs a value");
      }
      return args.get(i);
    }
  }

  private final PrintStream out;
  private final PrintStream progress;

  ReconcileCommand(PrintStream out, PrintStream progress) {
    this.out = out;
    this.progress = progress;
  }

  static int dispatch(Path configFile, List<String> args, PrintStream out) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    Request request;
    try {
      request = Request.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("aid reconcile: " + e.getMessage());
      System.err.print(USAGE);
      return 2;
    }
    AidConfig config = AidConfig.load(configFile, System.getenv());
    ProjectionsSettings tables = ProjectionCommands.running(config);
    try (SchemaRegistryClient registry = Aid.registryClient(config, Aid.runningEndpoints(config))) {
      return new ReconcileCommand(out, System.err).run(request, new ReconcileTargets(Database.connect(tables), tables.schema()),
          new Reconciliation(tables.kafkaBootstrapServers(), registry));
    } catch (RuntimeException e) {
      System.err.println("aid reconcile: " + e.getMessage());
      return 1;
    }
  }

  int run(Request request, ReconcileTargets targets, Reconciliation reconciliation) {
    if (!targets.present()) {
      System.err.println("aid reconcile: the read models (schema " + targets.schema() + ") are not there: whom to"
          + " ask comes from them; start the platform (aid up) or run aid projections rebuild first");
      return 1;
    }
    List<ReconcileTargets.Federation> federations = request.profiles()
        ? targets.federations(request.user(), request.msp()) : List.of();
    List<ReconcileTargets.Vehicle> vehicles = request.vehicles() ? targets.vehicles(request.vin()) : List.of();
    if (federations.isEmpty() && vehicles.isEmpty()) {
      System.err.println("aid reconcile: nothing to ask: no live federation / registered vehicle matches"
          + " in the read models");
      return 1;
    }
    Reconciliation.Result result = reconciliation.run(federations, vehicles, request.rate(), request.answerWait(),
        line -> progress.print("\raid reconcile: " + line));
    progress.println();
    long unanswered = result.profiles().stream().filter(p -> !p.answered()).count()
        + result.vehicles().stream().filter(v -> !v.answered()).count();
    if (request.json()) {
      out.println(json(result).toPrettyString());
    } else {
      print(result);
    }
    return unanswered == 0 ? 0 : 1;
  }

  private void print(Reconciliation.Result result) {
    if (!result.profiles().isEmpty()) {
      out.printf("%-28s %-12s %-22s %-12s %-12s%n", "user (§4.6)", "MSP", "ICCID", "CMP had", "MSP says");
      for (Reconciliation.ProfileOutcome p : result.profiles()) {
        String who = p.federation().cmpUserId();
        if (!p.answered()) {
          out.printf("%-28s %-12s no answer within the wait (the MSP call may still be retried: aid events)%n", who,
              p.federation().mspId());
        } else if (p.refusal() != null) {
          out.printf("%-28s %-12s refused: %s%n", who, p.federation().mspId(), p.refusal());
        } else if (p.changes().isEmpty()) {
          out.printf("%-28s %-12s in step, nothing changed%n", who, p.federation().mspId());
        }
        if (p.changes() != null) {
          for (ProfileReconciliation c : p.changes()) {
            out.printf("%-28s %-12s %-22s %-12s %-12s%s%n", who, p.federation().mspId(), c.getIccid(),
                dash(c.getBefore()), c.getAfter() == null ? "(not listed)" : c.getAfter(), consequence(c));
          }
        }
      }
    }
    if (!result.vehicles().isEmpty()) {
      out.printf("%n%-20s %-22s %-16s %-16s%n", "vehicle (§4.10)", "ICCID", "CMP had", "vehicle says");
      for (Reconciliation.VehicleOutcome v : result.vehicles()) {
        if (v.refusal() != null) {
          out.printf("%-20s refused: %s%n", v.vin(), v.refusal());
        } else if (!v.answered()) {
          out.printf("%-20s no answer within the wait (offline? the request stays pending and goes out when it"
              + " is online)%n", v.vin());
        } else {
          Map<String, String> after = v.after() == null ? v.before() : v.after();
          TreeSet<String> iccids = new TreeSet<>(v.before().keySet());
          iccids.addAll(after.keySet());
          boolean changed = false;
          for (String iccid : iccids) {
            String was = v.before().get(iccid);
            String is = after.get(iccid);
            if (!java.util.Objects.equals(was, is)) {
              changed = true;
              out.printf("%-20s %-22s %-16s %-16s%n", v.vin(), iccid, dash(was), is == null ? "(not there)" : is);
            }
          }
          if (!changed) {
            out.printf("%-20s in step, nothing changed (%d profiles)%n", v.vin(), after.size());
          }
        }
      }
    }
    long changes = result.profiles().stream().filter(p -> p.changes() != null).mapToLong(p -> p.changes().size()).sum();
    out.printf("aid reconcile: %d federations and %d vehicles asked in %.1f s; %d profile changes%n",
        result.profiles().size(), result.vehicles().size(), result.seconds(), changes);
  }

  private static String consequence(ProfileReconciliation c) {
    if (c.getAfter() == null) {
      return "  -> invalid, deleted from its vehicle";
    }
    return c.getBefore() == null ? "  -> unknown to the CMP, reported only" : "";
  }

  private static ObjectNode json(Reconciliation.Result result) {
    ObjectNode doc = JSON.createObjectNode().put("seconds", result.seconds());
    ArrayNode profiles = doc.putArray("profiles");
    for (Reconciliation.ProfileOutcome p : result.profiles()) {
      ObjectNode o = profiles.addObject().put("cmpUserId", p.federation().cmpUserId())
          .put("mspId", p.federation().mspId()).put("answered", p.answered()).put("refusal", p.refusal());
      ArrayNode changes = o.putArray("changes");
      if (p.changes() != null) {
        p.changes().forEach(c -> changes.addObject().put("iccid", c.getIccid()).put("before", c.getBefore())
            .put("after", c.getAfter()));
      }
    }
    ArrayNode vehicles = doc.putArray("vehicles");
    for (Reconciliation.VehicleOutcome v : result.vehicles()) {
      ObjectNode o = vehicles.addObject().put("vin", v.vin()).put("answered", v.answered()).put("refusal", v.refusal());
      ObjectNode before = o.putObject("before");
      v.before().forEach(before::put);
      ObjectNode after = o.putObject("after");
      (v.after() == null ? v.before() : v.after()).forEach(after::put);
    }
    return doc;
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }
}
