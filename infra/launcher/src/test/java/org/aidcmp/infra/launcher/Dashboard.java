package org.aidcmp.infra.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Grafana dashboard in the repo (infra/observability) and the metric names its queries name. */
final class Dashboard {
  static final Path FILE = Path.of("..", "observability", "grafana", "aid-dashboard.json");
  /** Our own and the binders' families; PromQL's functions and labels never start so. */
  private static final Pattern NAME = Pattern.compile("\\b((?:aid|kafka|jvm|process|system)_[a-z0-9_]+)\\b");

  private Dashboard() {}

  static Set<String> metricNames() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(FILE.toFile());
    Set<String> names = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = NAME.matcher(target.path("expr").asText());
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }
}
