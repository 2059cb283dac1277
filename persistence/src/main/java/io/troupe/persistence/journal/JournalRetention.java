package io.troupe.persistence.journal;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * What the journal keeps ({@code troupe.journal}): an object's newest event always (it carries the whole object,
 * so it is the object's state for the watch cache and its entity), and of the older ones those younger than
 * {@code maxAge} and among the {@code maxEventsPerObject} newest; heartbeats only until a newer event exists; a
 * deleted object's events until its deletion is {@code maxAge} old. Nothing younger than {@code minAge} goes: a
 * JVM's journal feed that runs behind still reads every event it has not applied yet.
 */
public record JournalRetention(Duration maxAge, int maxEventsPerObject, Duration minAge, Duration interval,
    int batchSize) {

  public JournalRetention {
    if (maxEventsPerObject < 1) throw new IllegalArgumentException("max-events-per-object must be at least 1");
    if (minAge.isNegative() || maxAge.compareTo(minAge) < 0) {
      throw new IllegalArgumentException("retention.min-age must be between 0 and max-age");
    }
    if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
    if (batchSize < 1) throw new IllegalArgumentException("batch-size must be positive");
  }

  public static JournalRetention of(Config config) {
    Config c = config.getConfig("troupe.journal");
    return new JournalRetention(c.getDuration("retention.max-age"), c.getInt("retention.max-events-per-object"),
        c.getDuration("retention.min-age"), c.getDuration("compaction.interval"), c.getInt("compaction.batch-size"));
  }
}
