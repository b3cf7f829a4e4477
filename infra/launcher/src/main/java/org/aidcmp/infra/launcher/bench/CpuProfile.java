package org.aidcmp.infra.launcher.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording (the JDK's "profile" settings) over a phase of the run, summarised as where the CPU samples
 * fell: by thread family (a thread's name without its numbers: the stream threads, egress lanes, the brokers'
 * I/O threads ...), by top frame, and by the first frame of the platform's own code on the stack.
 */
public final class CpuProfile implements AutoCloseable {
  /** The shares found: each map from a name to its share of all samples (0 to 1), largest first. */
  public record Summary(int samples, Map<String, Double> threads, Map<String, Double> topFrames,
                        Map<String, Double> platformFrames) {}

  private final Recording recording;

  private CpuProfile(Recording recording) {
    this.recording = recording;
  }

  public static CpuProfile start() throws IOException, ParseException {
    Recording recording = new Recording(Configuration.getConfiguration("profile"));
    recording.setName("aid-bench");
    recording.start();
    return new CpuProfile(recording);
  }

  /** Stops, writes the recording to {@code file} and summarises its execution samples. */
  public Summary stopAndSummarise(Path file, int top) throws IOException {
    recording.stop();
    recording.dump(file);
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> frames = new HashMap<>();
    Map<String, Integer> own = new HashMap<>();
    int samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
        continue;
      }
      samples++;
      var thread = event.getThread("sampledThread");
      String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
      threads.merge(name.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*").replaceAll("[0-9]+", "N"), 1, Integer::sum);
      List<RecordedFrame> stack = event.getStackTrace().getFrames();
      if (!stack.isEmpty()) {
        frames.merge(frame(stack.get(0)), 1, Integer::sum);
      }
      stack.stream().filter(f -> f.getMethod().getType().getName().startsWith("org.aidcmp.")).findFirst()
          .ifPresent(f -> own.merge(frame(f), 1, Integer::sum));
    }
    return new Summary(samples, shares(threads, samples, top), shares(frames, samples, top),
        shares(own, samples, top));
  }

  private static String frame(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }

  private static Map<String, Double> shares(Map<String, Integer> counts, int total, int top) {
    Map<String, Double> out = new LinkedHashMap<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
        .forEach(e -> out.put(e.getKey(), total == 0 ? 0 : Math.round(1000.0 * e.getValue() / total) / 1000.0));
    return out;
  }

  @Override
  public void close() {
    recording.close();
  }
}
