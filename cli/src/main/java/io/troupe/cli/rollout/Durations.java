package io.troupe.cli.rollout;

import io.troupe.cli.client.CliException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations as kubectl's flags take them: 90s, 5m, 1h30m, 0 (none). */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  public static Duration parse(String text) {
    if (text.equals("0")) return Duration.ZERO;
    Matcher m = PART.matcher(text);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms": d = d.plusMillis(n); break;
        case "s": d = d.plusSeconds(n); break;
        case "m": d = d.plusMinutes(n); break;
        default: d = d.plusHours(n); break;
      }
      end = m.end();
    }
    if (end != text.length() || text.isEmpty()) throw new CliException("error: invalid duration \"" + text + "\"");
    return d;
  }
}
