package io.troupe.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class H2MaintenanceTest {

  @Test
  void payloadColumnsBecomeInlineKeepingRowsAndConstraints() throws Exception {
    Path dir = Files.createTempDirectory("h2-inline");
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("journal"), "sa", "")) {
      // the schema pekko-persistence-jdbc creates, with a row written before the change
      try (InputStream in = getClass().getClassLoader().getResourceAsStream("schema/h2/h2-create-schema.sql");
          Statement s = c.createStatement()) {
        for (String sql : new String(in.readAllBytes(), StandardCharsets.UTF_8).split(";")) {
          if (!sql.isBlank()) s.execute(sql);
        }
      }
      byte[] payload = new byte[5000];
      for (int i = 0; i < payload.length; i++) payload[i] = (byte) i;
      insert(c, "Resource|Pod/default/a", payload);
      assertEquals("BINARY LARGE OBJECT", type(c, "event_journal", "event_payload"));

      H2Maintenance.inlinePayloads(c);
      H2Maintenance.inlinePayloads(c); // again: nothing left to do

      assertEquals("BINARY VARYING", type(c, "event_journal", "event_payload"));
      assertEquals("BINARY VARYING", type(c, "snapshot", "snapshot_payload"));
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT \"event_payload\" FROM \"event_journal\"")) {
        rs.next();
        assertArrayEquals(payload, rs.getBytes(1));
      }
      assertThrows(SQLException.class, () -> insert(c, "Resource|Pod/default/b", null), "NOT NULL kept");
    }
  }

  @Test
  void theJournalsOrderingDrawsAheadAndContinuesWithoutAGapAfterACleanClose() throws Exception {
    Path dir = Files.createTempDirectory("h2-ordering");
    String url = "jdbc:h2:file:" + dir.resolve("journal") + ";WRITE_DELAY=0;RETENTION_TIME=0";
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      try (InputStream in = getClass().getClassLoader().getResourceAsStream("schema/h2/h2-create-schema.sql");
          Statement s = c.createStatement()) {
        for (String sql : new String(in.readAllBytes(), StandardCharsets.UTF_8).split(";")) {
          if (!sql.isBlank()) s.execute(sql);
        }
      }
      H2Maintenance.cacheOrderings(c);
      H2Maintenance.cacheOrderings(c); // again: nothing left to do
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT IDENTITY_CACHE FROM "
          + "INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'event_journal' AND COLUMN_NAME = 'ordering'")) {
        rs.next();
        assertEquals(H2Maintenance.ORDERINGS_CACHED, rs.getLong(1));
      }
      for (int i = 0; i < 40; i++) insert(c, "Resource|ConfigMap/default/c" + i, new byte[] {1});
    }
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      insert(c, "Resource|ConfigMap/default/after", new byte[] {1});
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT max(\"ordering\"), count(*) FROM \"event_journal\"")) {
        rs.next();
        assertEquals(41, rs.getLong(1), "the first ordering after a clean close follows the last one");
        assertEquals(41, rs.getLong(2));
      }
    }
  }

  @Test
  void roundsOfOnlineCompactionGiveTheSpaceOfDeletedRowsBackToTheFileSystem() throws Exception {
    Path dir = Files.createTempDirectory("h2-maintain");
    Path file = dir.resolve("journal.mv.db");
    // as config/single.conf opens the journal: a chunk per commit, none of H2's own background compaction
    String url = "jdbc:h2:file:" + dir.resolve("journal") + ";WRITE_DELAY=0;RETENTION_TIME=0;MAX_COMPACT_TIME=0";
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE j(id BIGINT PRIMARY KEY, payload BINARY VARYING(100000))");
      }
      byte[] payload = new byte[1000];
      new java.util.Random(1).nextBytes(payload);
      try (PreparedStatement p = c.prepareStatement("INSERT INTO j VALUES (?, ?)")) {
        for (int i = 0; i < 3000; i++) {
          p.setLong(1, i);
          p.setBytes(2, payload);
          p.executeUpdate(); // a commit each, as the journal's writes
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("DELETE FROM j WHERE id >= 100");
      }
      long before = Files.size(file);
      for (int round = 0; round < 200; round++) {
        H2Maintenance.Round r = H2Maintenance.maintain(c, 1 << 20).orElseThrow();
        if (!r.rewrote() && r.fileFillRate() >= 80) break;
      }
      long after = Files.size(file);
      assertTrue(after < before / 4, "the file shrank from " + before + " to " + after + " bytes");
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM j")) {
        rs.next();
        assertEquals(100, rs.getInt(1), "the rows kept are all there");
      }
    }
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SUM(LENGTH(payload)) FROM j")) {
      rs.next();
      assertEquals(100 * 1000, rs.getLong(1), "and still there when the file is opened again");
    }
  }

  @Test
  void aFileLeftLargeByAnUncleanStopIsCompactedBeforeItOpensAndAClosedOneAtItsClose() throws Exception {
    Path dir = Files.createTempDirectory("h2-start");
    String url = "jdbc:h2:file:" + dir.resolve("journal") + ";WRITE_DELAY=0;RETENTION_TIME=0;MAX_COMPACT_TIME=0";
    Path file = dir.resolve("journal.mv.db");
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      churn(c);
    }
    long before = Files.size(file);
    assertEquals(java.util.Optional.empty(), H2Maintenance.compactBeforeOpening(url, before), "not over the bound");
    long[] sizes = H2Maintenance.compactBeforeOpening(url, 1 << 20).orElseThrow();
    assertEquals(before, sizes[0]);
    assertTrue(sizes[1] < before / 4, "compacted from " + before + " to " + sizes[1] + " bytes");
    assertEquals(100, rows(url));

    // as config/single.conf opens it: compacted fully whenever the database closes
    String defrag = url.replace("MAX_COMPACT_TIME=0", "DEFRAG_ALWAYS=TRUE");
    try (Connection c = DriverManager.getConnection(defrag, "sa", "")) {
      churn(c);
      assertTrue(Files.size(file) > 4 * sizes[1], "grown again: " + Files.size(file));
    }
    assertTrue(Files.size(file) < 2 * sizes[1], "compacted at close: " + Files.size(file) + " bytes");
    assertEquals(100, rows(url));
  }

  /** 3,000 one-row commits (as the journal writes), then all but 100 rows deleted. */
  private static void churn(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS j(id BIGINT PRIMARY KEY, payload BINARY VARYING(100000))");
      s.execute("DELETE FROM j");
    }
    byte[] payload = new byte[1000];
    new java.util.Random(1).nextBytes(payload);
    try (PreparedStatement p = c.prepareStatement("INSERT INTO j VALUES (?, ?)")) {
      for (int i = 0; i < 3000; i++) {
        p.setLong(1, i);
        p.setBytes(2, payload);
        p.executeUpdate();
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("DELETE FROM j WHERE id >= 100");
    }
  }

  private static int rows(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM j")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void insert(Connection c, String id, byte[] payload) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", "
        + "\"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", "
        + "\"event_ser_id\", \"event_ser_manifest\") VALUES (?, 1, 'w', 0, '', ?, 1, 'm')")) {
      p.setString(1, id);
      p.setBytes(2, payload);
      p.executeUpdate();
    }
  }

  private static String type(Connection c, String table, String column) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS "
        + "WHERE TABLE_NAME = ? AND COLUMN_NAME = ?")) {
      q.setString(1, table);
      q.setString(2, column);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}
