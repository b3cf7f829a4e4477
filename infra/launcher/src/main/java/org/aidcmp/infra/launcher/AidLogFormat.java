package org.aidcmp.infra.launcher;

import java.io.PrintStream;
import java.time.Instant;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.simple.SimpleLogger;
import org.slf4j.simple.SimpleLoggerFactory;
import org.slf4j.simple.SimpleServiceProvider;

/**
 * The launcher's logging: slf4j-simple, its levels from simplelogger.properties (ours at info, the embedded
 * brokers' at warn), and one choice on top, {@code log.format}: {@code text} (slf4j-simple's own lines) or
 * {@code json} (one JSON object a line, for a log collector). The {@code aid} script selects this provider
 * ({@code -Dslf4j.provider}); the format can change after start, once the configuration is read.
 */
public final class AidLogFormat extends SimpleServiceProvider {
  private static volatile boolean json;
  private final ILoggerFactory factory = new SimpleLoggerFactory() {
    @Override
    protected Logger createLogger(String name) {
      return new FormatLogger(name);
    }
  };

  /** {@code text} or {@code json} (checked by ConfigKeys). */
  static void use(String format) {
    json = format.equals("json");
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  /** slf4j-simple's logger, writing a JSON line instead of its text when {@code log.format=json}. */
  static final class FormatLogger extends SimpleLogger {
    FormatLogger(String name) {
      super(name);
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, org.slf4j.Marker marker, String pattern,
        Object[] arguments, Throwable throwable) {
      if (!json) {
        super.handleNormalizedLoggingCall(level, marker, pattern, arguments, throwable);
        return;
      }
      StringBuilder line = new StringBuilder(256).append("{\"time\":\"").append(Instant.now())
          .append("\",\"level\":\"").append(level).append("\",\"logger\":");
      quote(line, name);
      line.append(",\"thread\":");
      quote(line, Thread.currentThread().getName());
      line.append(",\"message\":");
      quote(line, MessageFormatter.basicArrayFormat(pattern, arguments));
      if (throwable != null) {
        line.append(",\"error\":");
        quote(line, throwable.toString());
        java.io.StringWriter trace = new java.io.StringWriter();
        throwable.printStackTrace(new java.io.PrintWriter(trace));
        line.append(",\"stack\":");
        quote(line, trace.toString());
      }
      PrintStream err = System.err;
      err.println(line.append('}'));
      err.flush();
    }

    private static void quote(StringBuilder out, String s) {
      out.append('"');
      if (s != null) {
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
              if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
              } else {
                out.append(c);
              }
            }
          }
        }
      }
      out.append('"');
    }
  }
}
