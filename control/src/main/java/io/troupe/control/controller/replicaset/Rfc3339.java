package io.troupe.control.controller.replicaset;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Timestamps as Kubernetes writes them on the wire (metav1.Time): RFC 3339 in UTC with whole seconds. The
 * reconcilers compare times read from objects with their {@code now}, so both directions live in one place.
 */
public final class Rfc3339 {
  private Rfc3339() {}

  /** The instant of an RFC 3339 timestamp, or null when absent or malformed (a zero time in Kubernetes). */
  public static Instant parse(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) return null;
    try {
      return OffsetDateTime.parse(timestamp).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** "2024-05-01T10:00:00Z": metav1.Time keeps whole seconds, so a written time compares equal when read back. */
  public static String format(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
