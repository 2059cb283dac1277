package io.troupe.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2 2.5.252 drops its newest chunks at the open after a kill -9, commits acknowledged by {@code COMMIT} (with
 * {@code WRITE_DELAY=0}) in them: the file header names the chunk before one written into free space, and the quick
 * recovery does not find the newer ones ({@link H2Maintenance#recoverBeforeOpening}). A real JVM commits batches of
 * rows on one connection and reports each once a second connection reads it back, as the journal and its feed do;
 * it is killed with SIGKILL after {@link #ACKS_BEFORE_KILL} rows, and the file, recovered as {@code Store.start}
 * recovers it, must hold every reported row. Without the recovery, 5 of 8 such rounds lost 1-8 rows (measured), so
 * three rounds catch a regression nearly always.
 */
class H2KillRecoveryTest {
  /** The journal's options in config/single.conf, but for its full compaction at close. */
  static final String OPTIONS = ";WRITE_DELAY=0;RETENTION_TIME=0;DB_CLOSE_ON_EXIT=FALSE;COMPRESS=TRUE";
  private static final int ROUNDS = 3;
  private static final int ACKS_BEFORE_KILL = 3000;

  @TempDir
  Path dir;

  @Test
  void noCommittedRowIsLostAtAKillWhenTheFileIsRecoveredBeforeItOpens() throws Exception {
    for (int round = 1; round <= ROUNDS; round++) killAndRecover("round-" + round, false);
  }

  /**
   * The online compaction rounds of {@code JournalCompactor} run beside the journal's commits: with a plain open such
   * rounds lost acknowledged commits in 7 of 20 kills (a standalone check with 16 committing threads), with the
   * recovery first in none of 120. Here the writer's JVM runs {@link H2Maintenance#maintain} in a loop beside its
   * commits.
   */
  @Test
  void noCommittedRowIsLostAtAKillWhileTheFileIsCompactedOnline() throws Exception {
    for (int round = 1; round <= ROUNDS; round++) killAndRecover("compacting-" + round, true);
  }

  private void killAndRecover(String name, boolean compacting) throws Exception {
    Path db = dir.resolve(name).resolve("journal");
    Files.createDirectories(db.getParent());
    Path errors = db.resolveSibling("writer.err");
    Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), H2KillRecoveryTest.class.getName() + "$Writer", db.toString(),
        Boolean.toString(compacting)).redirectError(errors.toFile()).start();
    TreeSet<Long> acknowledged = new TreeSet<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(writer.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while (acknowledged.size() < ACKS_BEFORE_KILL && (line = in.readLine()) != null) {
        acknowledged.add(Long.parseLong(line));
      }
      writer.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroyForcibly it keeps our end of the pipe
      assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the writer survived SIGKILL");
      while ((line = in.readLine()) != null) acknowledged.add(Long.parseLong(line)); // read before the kill
    }
    String writerErrors = Files.readString(errors);
    assertTrue(acknowledged.size() >= ACKS_BEFORE_KILL, () -> "the writer ended early (exit " + writer.exitValue()
        + ") after " + acknowledged.size() + " rows:\n" + writerErrors);
    if (!writerErrors.isBlank()) System.err.println(name + ": the writer's failed commits:\n" + writerErrors);

    String url = "jdbc:h2:file:" + db + OPTIONS;
    H2Maintenance.recoverBeforeOpening(url);
    Set<Long> present = new HashSet<>();
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        ResultSet rs = c.createStatement().executeQuery("SELECT ID FROM T")) {
      while (rs.next()) present.add(rs.getLong(1));
    }
    List<Long> lost = new ArrayList<>();
    for (long id : acknowledged) {
      if (id % 3 != 0 && !present.contains(id)) lost.add(id); // multiples of 3 are deleted by later commits
    }
    assertEquals(List.of(), lost, name + ": reported rows missing after the kill (of " + acknowledged.size()
        + ", the last " + acknowledged.last() + ")");
  }

  /**
   * The child JVM: commits batches of 1-8 rows, now and then deletes old ones, and prints each row read back; with
   * {@code true} as its second argument a thread runs online compaction rounds meanwhile, as JournalCompactor does.
   */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      String url = "jdbc:h2:file:" + args[0] + OPTIONS;
      Connection w = DriverManager.getConnection(url, "sa", "");
      w.createStatement().execute("CREATE TABLE T(ID BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
          + " K VARCHAR(64) UNIQUE, P VARBINARY(1000))");
      if (args.length > 1 && Boolean.parseBoolean(args[1])) {
        Connection m = DriverManager.getConnection(url, "sa", "");
        Thread compactor = new Thread(() -> {
          Random pause = new Random();
          try {
            while (true) {
              H2Maintenance.maintain(m, 1 << 20);
              Thread.sleep(20 + pause.nextInt(80));
            }
          } catch (Exception e) {
            e.printStackTrace();
          }
        }, "compactor");
        compactor.setDaemon(true);
        compactor.start();
      }
      w.setAutoCommit(false);
      Connection r = DriverManager.getConnection(url, "sa", "");
      r.setAutoCommit(false);
      PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
      PreparedStatement insert = w.prepareStatement("INSERT INTO T(K, P) VALUES (?, ?)");
      PreparedStatement delete = w.prepareStatement("DELETE FROM T WHERE ID < ? AND MOD(ID, 3) = 0");
      PreparedStatement read = r.prepareStatement("SELECT ID FROM T WHERE ID > ? ORDER BY ID");
      Random random = new Random();
      byte[] payload = new byte[300];
      long last = 0;
      int failedInARow = 0;
      for (long n = 0; ; ) {
        try {
          int batch = 1 + random.nextInt(8);
          for (int i = 0; i < batch; i++) {
            random.nextBytes(payload);
            insert.setString(1, "k-" + n++);
            insert.setBytes(2, payload);
            insert.addBatch();
          }
          insert.executeBatch();
          if (n % 50 == 0) {
            delete.setLong(1, Math.max(0, last - 500));
            delete.executeUpdate();
          }
          w.commit();
          read.setLong(1, last);
          try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
              last = rs.getLong(1);
              out.println(last);
            }
          }
          r.commit();
          out.flush();
          failedInARow = 0;
        } catch (SQLException e) {
          // as the journal does with a failed write: not acknowledged, and the next one goes on; the parent shows
          // these, and a store that keeps failing (closed by H2 after an internal error) ends the writer
          e.printStackTrace();
          insert.clearBatch();
          w.rollback();
          r.rollback();
          if (++failedInARow == 20) throw e;
        }
      }
    }
  }
}
