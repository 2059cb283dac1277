package io.troupe.persistence.journal;

import io.troupe.persistence.entity.ResourceEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compaction of the journal's tables, in plain SQL that H2 and PostgreSQL both run, done in passes that read only
 * what changed since the last one, never the whole journal: the cost of a pass follows the rate of writes, not the
 * journal's size. Two cursors move forward along {@code ordering}:
 *
 * <ul>
 *   <li><em>touched</em>: each event older than {@code min-age} is read once; the older events of its object (which
 *       a newer one can make removable: a heartbeat superseded, more than {@code max-events-per-object} newer
 *       ones) are looked at then, through the journal's key on (persistence id, sequence number). An object's
 *       first event has no older one to look at.
 *   <li><em>aged</em>: each event older than {@code max-age} is read once: it goes unless it is its object's newest
 *       (a deletion goes even then, with the object's snapshots once no event of it is left).
 * </ul>
 *
 * An event kept when a cursor passed it is looked at again when its object gets a newer event; one that ages past
 * {@code max-age} is met by the aged cursor. Each cursor stops at the first event too young for it, so it never
 * passes one it should come back to (a row committed after the touched cursor passed its ordering, by a transaction
 * open longer than {@code min-age}, is still met by the aged one). A JVM that takes the compactor over starts both at
 * the beginning: its first passes read the whole journal once, in chunks.
 *
 * <p>The rows go in the order they were written, so an object's last event (a deletion) goes only after every
 * earlier one: the journal never shows an object's older state without its newer ones. Their tags go with them
 * (the tag table's foreign key cascades). The highest ordering removed is kept as the journal's <em>horizon</em>:
 * a watch cache that loads the journal after that cannot serve a watch from before it (410 Gone, never a silent
 * gap).
 *
 * <p>Hand-written: pekko-persistence-jdbc deletes an entity's events up to a sequence number only (all of them,
 * from its own entity), with no notion of age, count or the newest event carrying the whole state. It replaced a
 * single query ranking every event of the journal by object (a window function), which took 1.1-2 s a pass on
 * H2 with 167,000 events and grew with the journal.
 */
public final class JournalCompaction {
  static final String HORIZON_TABLE = "troupe_journal_horizon";
  /** The events after a cursor, oldest first. */
  private static final String AFTER = "SELECT \"ordering\", \"persistence_id\", \"sequence_number\", "
      + "\"write_timestamp\", \"event_ser_manifest\" FROM \"event_journal\" WHERE \"ordering\" > ? "
      + "ORDER BY \"ordering\" FETCH FIRST ? ROWS ONLY";
  /** An object's events, newest first. */
  private static final String OF_OBJECT = "SELECT \"ordering\", \"write_timestamp\", \"event_ser_manifest\" "
      + "FROM \"event_journal\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\" DESC";
  private static final String NEWER = "SELECT 1 FROM \"event_journal\" WHERE \"persistence_id\" = ? AND "
      + "\"sequence_number\" > ? FETCH FIRST 1 ROWS ONLY";
  private static final String DELETE = "DELETE FROM \"event_journal\" WHERE \"ordering\" = ?";
  /** The snapshots of a deleted object whose whole history has gone. */
  private static final String ORPHAN_SNAPSHOTS = "DELETE FROM \"snapshot\" WHERE \"persistence_id\" = ? AND "
      + "NOT EXISTS (SELECT 1 FROM \"event_journal\" e WHERE e.\"persistence_id\" = ?)";

  /**
   * What a pass removed: events, snapshots, and the journal's horizon after it (0: nothing ever removed); {@code more}
   * when it stopped at its bounds with work left, so that the next pass should follow at once.
   */
  public record Result(int events, int snapshots, long horizon, boolean more) {}

  /** An event as a cursor reads it. */
  private record Row(long ordering, String persistenceId, long sequenceNr, long written, String manifest) {}

  private final JournalRetention retention;
  private final String heartbeated = manifest(ResourceEntity.Heartbeated.class);
  private final String deleted = manifest(ResourceEntity.Deleted.class);
  /** Every event up to this ordering older than min-age has had its object's older events looked at. */
  private long touchedThrough;
  /** Every event up to this ordering older than max-age has been looked at. */
  private long agedThrough;

  public JournalCompaction(JournalRetention retention) {
    this.retention = retention;
  }

  /** Creates the horizon table if it is missing (safe to run on every JVM at every start). */
  public static void prepare(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS \"" + HORIZON_TABLE + "\" (\"id\" INT PRIMARY KEY, "
          + "\"horizon\" BIGINT NOT NULL)");
      s.execute("INSERT INTO \"" + HORIZON_TABLE + "\" (\"id\", \"horizon\") SELECT 1, 0 WHERE NOT EXISTS "
          + "(SELECT 1 FROM \"" + HORIZON_TABLE + "\")");
    } catch (SQLException e) {
      // several JVMs preparing at once: one of them made it
      if (!exists(c)) throw e;
    }
  }

  private static boolean exists(Connection c) {
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT \"horizon\" FROM \"" + HORIZON_TABLE + "\"").close();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** The highest ordering compaction has removed: the journal is complete only after it. */
  public static long horizon(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(\"horizon\") FROM \"" + HORIZON_TABLE + "\"")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * One pass: each cursor reads at most {@code batchSize} events, and the pass removes about as many at most (an
   * object's older events go together), oldest first, in one transaction.
   */
  public Result run(Connection c, Instant now) throws SQLException {
    long minAgeCutoff = now.minus(retention.minAge()).toEpochMilli();
    long maxAgeCutoff = now.minus(retention.maxAge()).toEpochMilli();
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      TreeSet<Long> removed = new TreeSet<>();
      Set<String> gone = new HashSet<>();
      Cursor touched;
      Cursor aged;
      try (PreparedStatement after = c.prepareStatement(AFTER); PreparedStatement ofObject =
          c.prepareStatement(OF_OBJECT); PreparedStatement newer = c.prepareStatement(NEWER)) {
        Set<String> looked = new HashSet<>();
        touched = advance(after, touchedThrough, minAgeCutoff, removed, row -> {
          if (row.sequenceNr() > 1 && looked.add(row.persistenceId())) {
            olderEvents(ofObject, row.persistenceId(), minAgeCutoff, maxAgeCutoff, removed);
          }
        });
        aged = advance(after, agedThrough, maxAgeCutoff, removed, row -> {
          if (removed.contains(row.ordering())) return;
          if (hasNewer(newer, row)) {
            removed.add(row.ordering());
          } else if (row.manifest().equals(deleted)) {
            removed.add(row.ordering());
            gone.add(row.persistenceId());
          }
        });
      }
      c.commit();
      int snapshots = 0;
      if (!removed.isEmpty()) {
        try (PreparedStatement d = c.prepareStatement(DELETE)) {
          for (long ordering : removed) {
            d.setLong(1, ordering);
            d.addBatch();
          }
          d.executeBatch();
        }
        try (PreparedStatement h = c.prepareStatement("UPDATE \"" + HORIZON_TABLE + "\" SET \"horizon\" = ? "
            + "WHERE \"horizon\" < ?")) {
          h.setLong(1, removed.last());
          h.setLong(2, removed.last());
          h.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(ORPHAN_SNAPSHOTS)) {
          for (String persistenceId : gone) {
            s.setString(1, persistenceId);
            s.setString(2, persistenceId);
            snapshots += s.executeUpdate();
          }
        }
        c.commit();
      }
      touchedThrough = touched.through();
      agedThrough = aged.through();
      return new Result(removed.size(), snapshots, horizon(c), touched.more() || aged.more());
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** Where a cursor stopped, and whether it stopped at a bound of the pass rather than at an event too young. */
  private record Cursor(long through, boolean more) {}

  private interface RowAction {
    void apply(Row row) throws SQLException;
  }

  /**
   * Reads at most {@code batchSize} events after {@code from}, applying the action to each written before the cutoff,
   * up to the first written after it or until the pass has {@code batchSize} events to remove.
   */
  private Cursor advance(PreparedStatement after, long from, long cutoff, Set<Long> removed, RowAction action)
      throws SQLException {
    after.setLong(1, from);
    after.setInt(2, retention.batchSize());
    long through = from;
    int read = 0;
    try (ResultSet rs = after.executeQuery()) {
      while (rs.next()) {
        Row row = new Row(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5));
        if (row.written() >= cutoff) return new Cursor(through, false);
        if (removed.size() >= retention.batchSize()) return new Cursor(through, true);
        action.apply(row);
        through = row.ordering();
        read++;
      }
    }
    return new Cursor(through, read == retention.batchSize());
  }

  /**
   * The object's events older than its newest that may go: those older than min-age that are older than max-age,
   * have more than {@code max-events-per-object} newer ones, or are heartbeats.
   */
  private void olderEvents(PreparedStatement ofObject, String persistenceId, long minAgeCutoff, long maxAgeCutoff,
      Set<Long> removed) throws SQLException {
    ofObject.setString(1, persistenceId);
    try (ResultSet rs = ofObject.executeQuery()) {
      int rank = 0;
      while (rs.next()) {
        rank++;
        long written = rs.getLong(2);
        if (rank > 1 && written < minAgeCutoff && (written < maxAgeCutoff || rank > retention.maxEventsPerObject()
            || heartbeated.equals(rs.getString(3)))) {
          removed.add(rs.getLong(1));
        }
      }
    }
  }

  private static boolean hasNewer(PreparedStatement newer, Row row) throws SQLException {
    newer.setString(1, row.persistenceId());
    newer.setLong(2, row.sequenceNr());
    try (ResultSet rs = newer.executeQuery()) {
      return rs.next();
    }
  }

  /** The manifest Pekko's Jackson serializer writes for an event class: its binary name. */
  static String manifest(Class<?> event) {
    return event.getName();
  }
}
