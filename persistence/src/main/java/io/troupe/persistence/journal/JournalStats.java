package io.troupe.persistence.journal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.troupe.persistence.store.JournalDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The journal's size in {@code /metrics}, read by every JVM every {@code troupe.journal.stats-interval}: its rows
 * and its bytes on disk (PostgreSQL: the table with its indexes and TOAST; H2: the database file), and the events
 * compaction has removed (counted on the JVM that runs it).
 */
public final class JournalStats {
  private static final Gauge ROWS = Gauge.builder().name("troupe_journal_rows")
      .help("Events in the journal (rows of event_journal)").register();
  private static final Gauge BYTES = Gauge.builder().name("troupe_journal_size_bytes")
      .help("The journal's size on disk: PostgreSQL's event_journal relation, or the H2 database file").register();
  private static final Counter COMPACTED = Counter.builder().name("troupe_journal_compacted_events_total")
      .help("Events removed from the journal by compaction (on the JVM that runs it)").register();

  private static final Histogram PASS = Histogram.builder().name("troupe_journal_compaction_pass_seconds")
      .help("How long a pass of the journal's compaction took (it reads the events written since the last pass)")
      .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register();

  private static final Counter DEFRAGMENTED = Counter.builder().name("troupe_journal_h2_full_compactions_total")
      .help("Full online compactions of the H2 journal file").register();
  private static final Histogram TOOK = Histogram.builder().name("troupe_journal_h2_compaction_seconds")
      .help("How long a compaction of the H2 file took: an online round (every h2-maintenance.interval, beside the "
          + "writes) or a full one (the journal's writes held throughout)")
      .labelNames("compaction").classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register();

  private JournalStats() {}

  static void compacted(int events, long tookNanos) {
    COMPACTED.inc(events);
    PASS.observe(tookNanos / 1e9);
  }

  /** Full online compactions of the H2 file this JVM has done. */
  static long fullCompactions() {
    return (long) DEFRAGMENTED.get();
  }

  static void defragmented(long heldMillis) {
    DEFRAGMENTED.inc();
    TOOK.labelValues("full").observe(heldMillis / 1000.0);
  }

  static void maintained(long tookNanos) {
    TOOK.labelValues("round").observe(tookNanos / 1e9);
  }

  /** Reads the journal's rows and size now (blocking). */
  public static void refresh(JournalDatabase db) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      // H2: the table's own row count, not count(*), which reads every page of the file (under a stream of writes
      // 7 % of the server's CPU at 150,000 events, JFR); it counts rows of transactions still open, a handful
      String rows = db.postgres() ? "SELECT count(*) FROM \"event_journal\""
          : "SELECT ROW_COUNT_ESTIMATE FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'event_journal'";
      try (ResultSet rs = s.executeQuery(rows)) {
        if (rs.next()) ROWS.set(rs.getLong(1));
      }
      if (db.postgres()) {
        try (ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('event_journal')")) {
          if (rs.next()) BYTES.set(rs.getLong(1));
        }
      } else {
        h2File(db.url()).ifPresent(file -> {
          try {
            BYTES.set(Files.size(file));
          } catch (java.io.IOException e) {
            // not there (in memory), leave the gauge as it was
          }
        });
      }
    }
  }

  /** {@code jdbc:h2:file:<path>;...} is stored in {@code <path>.mv.db}. */
  static java.util.Optional<Path> h2File(String url) {
    String prefix = "jdbc:h2:file:";
    if (!url.startsWith(prefix)) return java.util.Optional.empty();
    String path = url.substring(prefix.length());
    int semicolon = path.indexOf(';');
    if (semicolon >= 0) path = path.substring(0, semicolon);
    return java.util.Optional.of(Path.of(path + ".mv.db"));
  }
}
