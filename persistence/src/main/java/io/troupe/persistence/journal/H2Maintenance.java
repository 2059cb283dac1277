package io.troupe.persistence.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Online compaction of the embedded H2 file. H2 compacts its file in a background thread only when commits are
 * written with a delay; with {@code WRITE_DELAY=0} (an acknowledged write is in the file) that thread does not
 * run, and chunks holding a few live pages are never rewritten. After each compaction pass the compactor moves
 * the live pages of chunks under 90 % full (at most 16 MiB a time), as that thread would, so freed space is reused.
 * Through H2's own API on the database this JVM has open (no SQL command does it while the database is open).
 */
public final class H2Maintenance {
  private static final int TARGET_FILL_RATE = 90;
  private static final int MAX_BYTES = 16 << 20;

  /** Largest payload kept inline: H2's limit for BINARY VARYING (an object is at most 1.5 MiB). */
  private static final int MAX_INLINE = 1_000_000_000;
  /** Table and column of every payload pekko-persistence-jdbc's H2 schema makes a BLOB. */
  private static final List<List<String>> PAYLOADS = List.of(List.of("event_journal", "event_payload"),
      List.of("event_journal", "meta_payload"), List.of("snapshot", "snapshot_payload"),
      List.of("snapshot", "meta_payload"));

  private H2Maintenance() {}

  /**
   * Makes the journal's and snapshots' payload columns BINARY VARYING instead of the BLOBs of pekko-persistence-jdbc's
   * H2 schema (at once on a new database; an existing one is rewritten once). H2 keeps a BLOB over a few hundred bytes
   * in a LOB store of its own, whose space a deleted row gives back only once no session has read that LOB: the feed,
   * which reads every new event, kept space of compacted events alive and the file grew with every write. Inline
   * payloads are freed with their row. A no-op on other databases.
   */
  public static void inlinePayloads(Connection c) throws SQLException {
    if (!c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)) return;
    try (PreparedStatement q = c.prepareStatement("SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS "
        + "WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME = ? AND COLUMN_NAME = ?"); Statement s = c.createStatement()) {
      for (List<String> column : PAYLOADS) {
        q.setString(1, column.get(0));
        q.setString(2, column.get(1));
        try (ResultSet rs = q.executeQuery()) {
          if (!rs.next() || !"BINARY LARGE OBJECT".equals(rs.getString(1))) continue;
        }
        s.execute("ALTER TABLE PUBLIC.\"" + column.get(0) + "\" ALTER COLUMN \"" + column.get(1)
            + "\" SET DATA TYPE BINARY VARYING(" + MAX_INLINE + ")");
      }
    }
  }

  /** True when it compacted; false when the connection is not to an embedded H2 database. */
  static boolean compact(Connection c) throws SQLException {
    if (!c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)) return false;
    org.h2.engine.Session session = c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
    if (!(session instanceof org.h2.engine.SessionLocal local)) return false;
    org.h2.mvstore.db.Store store = local.getDatabase().getStore();
    if (store == null) return false;
    store.getMvStore().compact(TARGET_FILL_RATE, MAX_BYTES);
    return true;
  }
}
