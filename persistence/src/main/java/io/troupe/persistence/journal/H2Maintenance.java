package io.troupe.persistence.journal;

import io.troupe.persistence.store.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Keeping the embedded H2 file small. With {@code WRITE_DELAY=0} (an acknowledged write is in the file) every commit
 * writes a chunk of its own, and H2's online compaction cannot keep up with the garbage that leaves behind: under
 * the soak's sustained writes the file grew by several KB per write whatever the budget of online compaction (its
 * chunks stay sparse — 7 % live — with every round rewriting and none coming free; {@code compactFile} alike), while
 * a full compaction (a copy of the live pages) shrank the same 212 MB file to 4.3 MB in 2 s. So the file is compacted
 * fully when the database closes ({@code DEFRAG_ALWAYS=TRUE} in config/single.conf: every clean stop) and, after an
 * unclean stop, before it opens when it has grown over {@code troupe.journal.h2-maintenance.compact-on-start-above}
 * ({@link #compactBeforeOpening}); {@link #maintain} does rounds of online compaction, which give back the space
 * of large deletions; and when the file has grown past {@code troupe.journal.h2-maintenance.defragment-above} and
 * to twice its size after the last full compaction, {@link #defragment} compacts it fully under the running JVM,
 * with the journal's writes held for the moment it takes ({@link JournalGate}, as etcd's defragmentation does):
 * so the file's size has a bound under sustained writes too.
 */
public final class H2Maintenance {
  /** Chunks (and the file) under this percentage of live data are compacted. */
  private static final int TARGET_FILL_RATE = 80;

  /** Largest payload kept inline: H2's limit for BINARY VARYING (an object is at most 1.5 MiB). */
  private static final int MAX_INLINE = 1_000_000_000;
  /** Table and column of every payload pekko-persistence-jdbc's H2 schema makes a BLOB. */
  private static final List<List<String>> PAYLOADS = List.of(List.of("event_journal", "event_payload"),
      List.of("event_journal", "meta_payload"), List.of("snapshot", "snapshot_payload"),
      List.of("snapshot", "meta_payload"));

  /** Numbers the journal's ordering draws ahead between writes of its state ({@link #cacheOrderings}). */
  static final long ORDERINGS_CACHED = 10_000;

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

  /**
   * Lets the journal's {@code ordering} (its identity column, our resourceVersion) draw {@value #ORDERINGS_CACHED}
   * numbers ahead instead of H2's 32. H2 writes a sequence's state in a commit of its own whenever the numbers it drew
   * ahead run out: with {@code WRITE_DELAY=0} a chunk in the file every 32 events, 7 % of the server's CPU under a
   * stream of pod creates and more garbage for the full compactions (JFR). A clean close writes the exact state; after
   * an unclean stop the numbers drawn ahead are skipped, so resourceVersions jump by up to that many, which clients
   * take as Kubernetes means them (opaque, only growing) and the feed passes as a hole. A no-op on other databases
   * and once done.
   */
  public static void cacheOrderings(Connection c) throws SQLException {
    if (!c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)) return;
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT IDENTITY_CACHE FROM INFORMATION_SCHEMA.COLUMNS "
          + "WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME = 'event_journal' AND COLUMN_NAME = 'ordering'")) {
        if (!rs.next() || rs.getLong(1) >= ORDERINGS_CACHED) return;
      }
      s.execute("ALTER TABLE PUBLIC.\"event_journal\" ALTER COLUMN \"ordering\" SET CACHE " + ORDERINGS_CACHED);
    }
  }

  /**
   * After an unclean stop (kill -9, a crash), makes H2 find the newest chunk of the file: call before anything opens
   * the database. H2 2.5.252 (MVStore's RandomAccessStore) writes the file header when a chunk is not where the
   * previous chunk predicted, but it writes it naming that previous chunk ({@code FileStore.storeBuffer} sets
   * {@code lastChunk} only after {@code writeChunk}). At the next open, the quick recovery follows the header's chunk
   * and its predicted successors and the chunk at the file's end; a chunk written into free space in the middle of
   * the file (with {@code RETENTION_TIME=0} most are) is found by neither until a later header names it, so the last
   * commits before a kill, although in the file and acknowledged, are dropped, and the next writes overwrite them.
   * Opened in MVStore's recovery mode, the file is scanned chunk by chunk and the newest complete set of chunks is
   * taken; closing writes a clean header naming it, which the database then opens. A no-op after a clean close (the
   * header says {@code clean}). The version recovered and the version the header named, or empty.
   */
  public static java.util.Optional<long[]> recoverBeforeOpening(String url) throws java.io.IOException {
    java.util.Optional<java.nio.file.Path> file = JournalStats.h2File(url);
    if (file.isEmpty() || !java.nio.file.Files.exists(file.get())) return java.util.Optional.empty();
    byte[] header = new byte[4096];
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file.get())) {
      if (in.readNBytes(header, 0, header.length) < header.length) return java.util.Optional.empty();
    }
    String line = new String(header, java.nio.charset.StandardCharsets.ISO_8859_1);
    java.util.Map<String, String> fields;
    try {
      fields = org.h2.mvstore.DataUtils.parseMap(line.substring(0, Math.max(0, line.indexOf('\n'))));
    } catch (RuntimeException torn) {
      fields = null; // H2 reads the second copy of the header; the recovery below decides
    }
    if (fields != null && "1".equals(fields.get("clean"))) return java.util.Optional.empty();
    long named = fields == null ? -1 : Long.parseLong(fields.getOrDefault("version", "-1"), 16);
    org.h2.mvstore.MVStore store = new org.h2.mvstore.MVStore.Builder().fileName(file.get().toString())
        .recoveryMode().open();
    long recovered = store.getCurrentVersion();
    store.close();
    return java.util.Optional.of(new long[] {recovered, named});
  }

  /**
   * Compacts the H2 file of {@code url} fully (a copy of its live pages, then a rename: power-fail safe, H2's own
   * {@code SHUTDOWN COMPACT}) when it is larger than {@code above} bytes; call before anything opens the database.
   * The size before and after, or empty when there was nothing to do.
   */
  public static java.util.Optional<long[]> compactBeforeOpening(String url, long above) throws java.io.IOException {
    java.util.Optional<java.nio.file.Path> file = JournalStats.h2File(url);
    if (file.isEmpty() || !java.nio.file.Files.exists(file.get())) return java.util.Optional.empty();
    long before = java.nio.file.Files.size(file.get());
    if (before <= above) return java.util.Optional.empty();
    org.h2.mvstore.MVStoreTool.compact(file.get().toString(), true);
    return java.util.Optional.of(new long[] {before, java.nio.file.Files.size(file.get())});
  }

  /**
   * Compacts the open database's file fully: {@code SHUTDOWN DEFRAG} copies its live pages into a new file and closes
   * the database under every connection to it (the pools then open new ones, which open it again). Only with the
   * journal's gate closed ({@link JournalGate}): a write in flight would fail. The file's size before and after.
   */
  static long[] defragment(JournalDatabase db) throws SQLException, java.io.IOException {
    java.nio.file.Path file = JournalStats.h2File(db.url()).orElseThrow(() ->
        new IllegalStateException("not an H2 file database: " + db.url()));
    long before = java.nio.file.Files.size(file);
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("SHUTDOWN DEFRAG");
    }
    return new long[] {before, java.nio.file.Files.size(file)};
  }

  /**
   * Whether {@code e} says the database was closed under the connection (by {@link #defragment}): the connection is
   * to be dropped and opened again, nothing else went wrong.
   */
  public static boolean closedUnder(SQLException e) {
    int code = e.getErrorCode();
    return code == org.h2.api.ErrorCode.DATABASE_IS_CLOSED || code == org.h2.api.ErrorCode.DATABASE_CALLED_AT_SHUTDOWN
        || code == org.h2.api.ErrorCode.CONNECTION_BROKEN_1 || code == org.h2.api.ErrorCode.OBJECT_CLOSED;
  }

  /** What one {@link #maintain} round found and did. */
  public record Round(int chunksFillRate, int fileFillRate, boolean rewrote, boolean moved, long fileBytes) {}

  /**
   * One round: if the chunks' live data is under {@value #TARGET_FILL_RATE} %, rewrite the live pages of the
   * sparsest chunks (at most {@code bytes}; the next commit writes them and frees the chunks); if the file's used
   * space is, move up to {@code bytes} of chunks into the free space nearest its start and cut the free end off.
   * Empty when the connection is not to an embedded H2 database.
   */
  static java.util.Optional<Round> maintain(Connection c, int bytes) throws SQLException {
    if (!c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)) return java.util.Optional.empty();
    org.h2.engine.Session session = c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
    if (!(session instanceof org.h2.engine.SessionLocal local)) return java.util.Optional.empty();
    org.h2.mvstore.db.Store store = local.getDatabase().getStore();
    if (store == null || store.getMvStore().isClosed()) return java.util.Optional.empty();
    org.h2.mvstore.MVStore mv = store.getMvStore();
    org.h2.mvstore.FileStore<?> file = mv.getFileStore();
    int chunks = file.getChunksFillRate();
    boolean rewrote = chunks < TARGET_FILL_RATE && mv.compact(TARGET_FILL_RATE, bytes);
    // the pages rewritten are written by the next commit: now, rather than whenever a write comes (beside the
    // journal's commits: safe once recoverBeforeOpening runs after an unclean stop, see JournalCompactor)
    if (rewrote) mv.commit();
    int used = file.getFillRate();
    boolean moved = false;
    if (used < TARGET_FILL_RATE && file instanceof org.h2.mvstore.RandomAccessStore r) {
      r.compactMoveChunks(TARGET_FILL_RATE, bytes, mv);
      moved = true;
    }
    return java.util.Optional.of(new Round(chunks, used, rewrote, moved, file.size()));
  }
}
