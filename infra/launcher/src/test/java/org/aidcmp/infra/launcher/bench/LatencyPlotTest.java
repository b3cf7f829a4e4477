package org.aidcmp.infra.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class LatencyPlotTest {
  private static final long S = 1_000_000_000L;

  @Test
  void flowsAreBucketedByTheSecondTheyCompletedIn() {
    long begin = 10 * S;
    List<FlowTracker.Flow> flows = List.of(
        new FlowTracker.Flow(begin + S / 2, 10_000_000), new FlowTracker.Flow(begin + S / 3, 30_000_000),
        new FlowTracker.Flow(begin + 2 * S + 1, 50_000_000), new FlowTracker.Flow(begin - 1, 1),
        new FlowTracker.Flow(begin + 9 * S, 1));
    List<LatencyPlot.Second> seconds = LatencyPlot.seconds(flows, begin, 3);
    assertThat(seconds).extracting(LatencyPlot.Second::flows).containsExactly(2, 0, 1);
    assertThat(seconds.get(0).p50Ms()).isEqualTo(10.0);
    assertThat(seconds.get(0).p99Ms()).isEqualTo(30.0);
    assertThat(seconds.get(1).p99Ms()).isNaN();
    assertThat(seconds.get(2).p50Ms()).isEqualTo(50.0);
  }

  @Test
  void theSvgIsWellFormedAndShowsTheTargetsAndPhases() throws Exception {
    List<LatencyPlot.Second> seconds = List.of(new LatencyPlot.Second(0, 5, 20, 40),
        new LatencyPlot.Second(1, 0, Double.NaN, Double.NaN), new LatencyPlot.Second(2, 7, 25, 300));
    String svg = LatencyPlot.svg("run <1> & co", seconds, List.of(new LatencyPlot.Phase("storm", 0, 2)), 250, 1000);
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(svg).contains("target p99 250 ms", "target 1000 flows/s", "storm", "run &lt;1&gt; &amp; co");
    assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
  }

  @Test
  void quantilesAreNearestRank() {
    long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(RawLimits.quantile(sorted, 0.5)).isEqualTo(5);
    assertThat(RawLimits.quantile(sorted, 0.99)).isEqualTo(10);
    assertThat(RawLimits.quantile(new long[0], 0.5)).isNaN();
  }
}
