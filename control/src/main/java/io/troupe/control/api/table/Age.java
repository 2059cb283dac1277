package io.troupe.control.api.table;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** A time since, as kubectl prints it (apimachinery's duration.HumanDuration): 5s, 3m12s, 2d3h, 2y45d. */
public final class Age {
  private Age() {}

  /** The age of an RFC 3339 timestamp at {@code now}; {@code <unknown>} when absent. */
  public static String since(String timestamp, Instant now) {
    if (timestamp == null || timestamp.isEmpty()) return "<unknown>";
    try {
      return human(Duration.between(Instant.parse(timestamp), now));
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
  }

  public static String human(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < -1) return "<invalid>";
    if (seconds < 0) return "0s";
    if (seconds < 60 * 2) return seconds + "s";
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    }
    if (minutes < 60 * 3) return minutes + "m";
    long hours = minutes / 60;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    }
    if (hours < 48) return hours + "h";
    if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    }
    if (hours < 24 * 365 * 2) return hours / 24 + "d";
    if (hours < 24 * 365 * 8) {
      long days = (hours / 24) % 365;
      return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
