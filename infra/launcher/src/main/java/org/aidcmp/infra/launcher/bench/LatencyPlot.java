package org.aidcmp.infra.launcher.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The run over time as an SVG: completed provisioning flows per second (bars, top) and their p50 and p99 latency
 * per second (lines, bottom), with the phases marked. Plain SVG, readable in any browser and on GitHub.
 */
public final class LatencyPlot {
  /** One second of the run. */
  public record Second(int second, int flows, double p50Ms, double p99Ms) {}

  /** A phase of the run, from a second to a second. */
  public record Phase(String name, int from, int to) {}

  private LatencyPlot() {}

  /** Buckets the flows by the second (since {@code beginNanos}) they completed in. */
  public static List<Second> seconds(List<FlowTracker.Flow> flows, long beginNanos, int totalSeconds) {
    List<List<Long>> buckets = new ArrayList<>();
    for (int i = 0; i < totalSeconds; i++) {
      buckets.add(new ArrayList<>());
    }
    for (FlowTracker.Flow f : flows) {
      long s = Math.floorDiv(f.endedNanos() - beginNanos, 1_000_000_000L);
      if (s >= 0 && s < totalSeconds) {
        buckets.get((int) s).add(f.latencyNanos());
      }
    }
    List<Second> out = new ArrayList<>();
    for (int i = 0; i < totalSeconds; i++) {
      long[] sorted = buckets.get(i).stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(sorted);
      out.add(new Second(i, sorted.length, RawLimits.quantile(sorted, 0.5) / 1e6,
          RawLimits.quantile(sorted, 0.99) / 1e6));
    }
    return out;
  }

  public static String svg(String title, List<Second> seconds, List<Phase> phases, double targetP99Ms,
                           double targetRate) {
    int w = 960;
    int h = 560;
    int left = 70;
    int right = 20;
    int plotW = w - left - right;
    int topY = 50;
    int topH = 190;
    int botY = 300;
    int botH = 210;
    int n = Math.max(1, seconds.size());
    double maxRate = Math.max(targetRate, seconds.stream().mapToInt(Second::flows).max().orElse(1)) * 1.1;
    double maxMs = Math.max(targetP99Ms, seconds.stream().filter(s -> s.flows() > 0).mapToDouble(Second::p99Ms)
        .max().orElse(1)) * 1.1;
    StringBuilder b = new StringBuilder();
    b.append(f("<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' "
        + "font-size='12'>%n", w, h));
    b.append("<rect width='100%' height='100%' fill='white'/>\n");
    b.append(f("<text x='%d' y='24' font-size='15'>%s</text>%n", left, escape(title)));
    for (Phase p : phases) {
      double x0 = left + plotW * (double) p.from() / n;
      double x1 = left + plotW * (double) p.to() / n;
      b.append(f("<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='#f2f2f2' stroke='#ccc'/>%n", x0, topY,
          Math.max(0, x1 - x0), botY + botH - topY));
      b.append(f("<text x='%.1f' y='%d' fill='#666'>%s</text>%n", x0 + 3, topY - 6, escape(p.name())));
    }
    // flows per second
    double bw = Math.max(1, (double) plotW / n - 0.5);
    for (Second s : seconds) {
      double bh = topH * s.flows() / maxRate;
      b.append(f("<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#4a7ab5'/>%n",
          left + plotW * (double) s.second() / n, topY + topH - bh, bw, bh));
    }
    line(b, left, topY + topH - topH * targetRate / maxRate, left + plotW, "#c33", "target " + (int) targetRate
        + " flows/s");
    axis(b, left, topY, topH, maxRate, "flows/s");
    // latency
    b.append(polyline(seconds, left, plotW, n, botY, botH, maxMs, true, "#4a7ab5"));
    b.append(polyline(seconds, left, plotW, n, botY, botH, maxMs, false, "#e08a00"));
    line(b, left, botY + botH - botH * targetP99Ms / maxMs, left + plotW, "#c33", "target p99 "
        + (int) targetP99Ms + " ms");
    axis(b, left, botY, botH, maxMs, "ms");
    b.append(f("<text x='%d' y='%d' fill='#4a7ab5'>p50</text><text x='%d' y='%d' fill='#e08a00'>p99</text>%n",
        left + 5, botY + botH + 30, left + 45, botY + botH + 30));
    b.append(f("<text x='%d' y='%d' text-anchor='end'>seconds since the start: %d</text>%n", left + plotW,
        botY + botH + 30, seconds.size()));
    b.append("</svg>\n");
    return b.toString();
  }

  private static String polyline(List<Second> seconds, int left, int plotW, int n, int y, int h, double max,
                                 boolean p50, String colour) {
    StringBuilder points = new StringBuilder();
    for (Second s : seconds) {
      if (s.flows() == 0) {
        continue;
      }
      double v = Math.min(max, p50 ? s.p50Ms() : s.p99Ms());
      points.append(f("%.1f,%.1f ", left + plotW * (s.second() + 0.5) / n, y + h - h * v / max));
    }
    return f("<polyline fill='none' stroke='%s' stroke-width='1.5' points='%s'/>%n", colour, points.toString().trim());
  }

  private static void line(StringBuilder b, int x0, double y, int x1, String colour, String label) {
    b.append(f("<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='%s' stroke-dasharray='4 3'/>%n", x0, y, x1, y,
        colour));
    b.append(f("<text x='%d' y='%.1f' text-anchor='end' fill='%s'>%s</text>%n", x1 - 4, y - 4, colour, label));
  }

  private static void axis(StringBuilder b, int left, int y, int h, double max, String unit) {
    b.append(f("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n", left, y, left, y + h));
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      double ty = y + h - h * i / 4.0;
      b.append(f("<text x='%d' y='%.1f' text-anchor='end'>%.0f</text>%n", left - 6, ty + 4, v));
    }
    b.append(f("<text x='%d' y='%d' text-anchor='end'>%s</text>%n", left - 6, y - 6 + 0, unit));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
