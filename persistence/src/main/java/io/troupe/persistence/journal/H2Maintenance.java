package io.troupe.persistence.journal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Online compaction of the embedded H2 file. H2 compacts its file in a background thread only when commits are
 * written with a delay; with {@code WRITE_DELAY=0} (an acknowledged write is in the file) that thread does not
 * run, and chunks holding a few live pages are never rewritten. After each compaction pass the compactor moves
 * the live pages of chunks under 90 % full (at most 16 MiB a time), as that thread would, so freed space is reused.
 * Through H2's own API on the database this JVM has open (no SQL command does it while the database is open).
 */
final class H2Maintenance {
  private static final int TARGET_FILL_RATE = 90;
  private static final int MAX_BYTES = 16 << 20;

  private H2Maintenance() {}

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
