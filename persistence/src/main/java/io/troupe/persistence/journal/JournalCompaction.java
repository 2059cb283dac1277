package io.troupe.persistence.journal;

import io.troupe.persistence.entity.ResourceEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass of compaction over the journal's tables, in plain SQL that H2 and PostgreSQL both run. The rows go in
 * the order they were written, so an object's last event (a deletion) goes only after every earlier one: the
 * journal never shows an object's older state without its newer ones. Their tags go with them (the tag table's
 * foreign key cascades). The highest ordering removed is kept as the journal's <em>horizon</em>: a watch cache
 * that loads the journal after that cannot serve a watch from before it (410 Gone, never a silent gap).
 *
 * <p>Hand-written: pekko-persistence-jdbc deletes an entity's events up to a sequence number only (all of them,
 * from its own entity), with no notion of age, count or the newest event carrying the whole state.
 */
public final class JournalCompaction {
  static final String HORIZON_TABLE = "troupe_journal_horizon";
  private static final String CANDIDATES = "SELECT \"ordering\" FROM ("
      + "SELECT \"ordering\", \"write_timestamp\", \"event_ser_manifest\", "
      + "row_number() OVER (PARTITION BY \"persistence_id\" ORDER BY \"sequence_number\" DESC) AS \"newest\" "
      + "FROM \"event_journal\") r "
      + "WHERE r.\"write_timestamp\" < ? AND ("
      + "(r.\"newest\" > 1 AND (r.\"write_timestamp\" < ? OR r.\"newest\" > ? OR r.\"event_ser_manifest\" = ?)) "
      + "OR (r.\"newest\" = 1 AND r.\"event_ser_manifest\" = ? AND r.\"write_timestamp\" < ?)) "
      + "ORDER BY \"ordering\" FETCH FIRST ? ROWS ONLY";
  private static final String DELETE = "DELETE FROM \"event_journal\" WHERE \"ordering\" = ?";
  /** Snapshots of objects that have no event left: deleted objects whose whole history has gone. */
  private static final String ORPHAN_SNAPSHOTS = "DELETE FROM \"snapshot\" WHERE NOT EXISTS (SELECT 1 FROM "
      + "\"event_journal\" e WHERE e.\"persistence_id\" = \"snapshot\".\"persistence_id\")";

  /** What a pass removed: events, snapshots, and the journal's horizon after it (0: nothing ever removed). */
  public record Result(int events, int snapshots, long horizon) {}

  private JournalCompaction() {}

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

  /** One pass: at most {@code batchSize} events, each in its own small transaction's batch, oldest first. */
  public static Result run(Connection c, JournalRetention retention, Instant now) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      List<Long> orderings = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement(CANDIDATES)) {
        long maxAgeCutoff = now.minus(retention.maxAge()).toEpochMilli();
        q.setLong(1, now.minus(retention.minAge()).toEpochMilli());
        q.setLong(2, maxAgeCutoff);
        q.setLong(3, retention.maxEventsPerObject());
        q.setString(4, manifest(ResourceEntity.Heartbeated.class));
        q.setString(5, manifest(ResourceEntity.Deleted.class));
        q.setLong(6, maxAgeCutoff);
        q.setInt(7, retention.batchSize());
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) orderings.add(rs.getLong(1));
        }
      }
      c.commit();
      long highest = 0;
      if (!orderings.isEmpty()) {
        try (PreparedStatement d = c.prepareStatement(DELETE)) {
          for (long ordering : orderings) {
            d.setLong(1, ordering);
            d.addBatch();
            highest = Math.max(highest, ordering);
          }
          d.executeBatch();
        }
        try (PreparedStatement h = c.prepareStatement("UPDATE \"" + HORIZON_TABLE + "\" SET \"horizon\" = ? "
            + "WHERE \"horizon\" < ?")) {
          h.setLong(1, highest);
          h.setLong(2, highest);
          h.executeUpdate();
        }
        c.commit();
      }
      int snapshots;
      try (Statement s = c.createStatement()) {
        snapshots = s.executeUpdate(ORPHAN_SNAPSHOTS);
      }
      c.commit();
      return new Result(orderings.size(), snapshots, horizon(c));
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** The manifest Pekko's Jackson serializer writes for an event class: its binary name. */
  static String manifest(Class<?> event) {
    return event.getName();
  }
}
