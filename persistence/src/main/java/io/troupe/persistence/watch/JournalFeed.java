package io.troupe.persistence.watch;

import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.journal.JournalCompaction;
import io.troupe.persistence.store.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the watch cache from the journal, in journal order; the journal's global {@code ordering} is the
 * resourceVersion everywhere.
 *
 * <p>At start it reads every object's latest event (see {@link #loadCurrentState}); then the cache is ready. After
 * that it follows the journal table by {@code ordering}, woken by every local write ({@link #wake()}) and otherwise
 * every {@code idle-poll-interval}.
 * It reads the table itself rather than through Persistence Query ({@code eventsByTag} of
 * pekko-persistence-jdbc), measured here: the query polls on timers only, so every acknowledged write waited
 * 10-40 ms for the next poll (Pekko's scheduler ticks every 10 ms), polling often enough to hide that cost a
 * fifth of a core at idle (22% of a core with 10 ms polls, 2% this way), and its catch-up at start advances
 * through the journal-sequence actor one query-delay at a time. Woken by the write itself, the feed sees it at
 * once (create p50 ~17 ms instead of ~50 ms).
 *
 * <p>Why reading {@code ordering > last} never skips an event on H2: the journal writes one batch at a time
 * ({@code jdbc-journal.parallelism = 1}), so no insert is in flight while a later one commits, and orderings
 * become visible in order. On PostgreSQL, with several JVMs (and several inserts in flight in each), an
 * {@code ordering} is taken at insert and becomes visible at commit: a row may show up after a higher one, and a
 * rolled-back insert leaves a hole that is never filled. So the feed stops at a hole. Most fill within
 * milliseconds (a commit under way); one still open after {@code HOLE_WAIT} is settled by a barrier: the feed
 * takes {@code LOCK TABLE event_journal IN SHARE MODE} (and lets it go at once), which waits for every
 * transaction that holds the table's ROW EXCLUSIVE lock, taken by an INSERT before it draws its ordering. Once
 * the barrier is through, every ordering drawn so far is committed or rolled back, so a read that still misses
 * the number shows a hole for good, and the feed passes it. No timeout: a slow commit is waited for, never
 * skipped (pekko-persistence-jdbc's own query skips a hole after a fixed delay, and loses an insert that commits
 * later). The list of transactions in progress ({@code pg_current_snapshot()}) cannot decide this alone, as an
 * earlier version of this class did: an INSERT draws its ordering before it is given a transaction id, so for
 * a moment it is in no snapshot's list (seen in ChaosTest as a create a restarted JVM never saw). New inserts
 * queue behind the barrier while it waits; that is milliseconds, and only at holes that outlive HOLE_WAIT.
 */
public final class JournalFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JournalFeed.class);
  private static final int BATCH = 1000;
  /** How long a hole may fill by itself before the feed settles it with the barrier. */
  private static final Duration HOLE_WAIT = Duration.ofMillis(100);
  /** The barrier; it waits at most 1 s for the lock, then gives up and is tried again later. */
  private static final String BARRIER = "SET LOCAL lock_timeout = '1s'; LOCK TABLE \"event_journal\" IN SHARE MODE";
  private static final String QUERY = "SELECT \"ordering\", \"persistence_id\", \"sequence_number\", "
      + "\"event_payload\", \"event_ser_id\", \"event_ser_manifest\" FROM \"event_journal\" "
      + "WHERE \"ordering\" > ? AND \"deleted\" = FALSE ORDER BY \"ordering\" LIMIT " + BATCH;
  /** The ordering of each object's latest event at or below a point: an entity's events take rising orderings. */
  private static final String LATEST = "SELECT max(\"ordering\") FROM \"event_journal\" WHERE \"ordering\" <= ? "
      + "AND \"deleted\" = FALSE AND \"persistence_id\" LIKE ? GROUP BY \"persistence_id\"";
  private static final String ROWS_AT = "SELECT \"ordering\", \"persistence_id\", \"sequence_number\", "
      + "\"event_payload\", \"event_ser_id\", \"event_ser_manifest\" FROM \"event_journal\" "
      + "WHERE \"ordering\" = ANY(?) ORDER BY \"ordering\"";
  private static final String LAST = "SELECT coalesce(max(\"ordering\"), 0) FROM \"event_journal\" "
      + "WHERE \"deleted\" = FALSE";
  private static final String PERSISTENCE_ID_PREFIX = ResourceEntity.ENTITY_KEY.name() + "|";

  private final WatchCache cache;
  private final Serialization serialization;
  /** The events this JVM wrote, handed over by the serializer (a row of this JVM's is not parsed again). */
  private final RecentEvents recent;
  private final JournalDatabase db;
  private final ScheduledExecutorService thread;
  private final AtomicBoolean pollPending = new AtomicBoolean();
  private final boolean postgres;
  private volatile boolean live;
  /** How the start's load went, for its log line. */
  private String loadTimes = "";
  private Connection connection;
  /** The highest ordering consumed: applied, or passed as a hole for good. */
  private long position;
  /** The first missing ordering the feed waits at, or -1. */
  private long holeAt = -1;
  /** When the feed first met the hole it waits at (nanoTime). */
  private long holeSince;
  /** The barrier has been through since the feed met the hole: a read that still misses it may pass it. */
  private boolean holeSettled;
  /**
   * Every ordering up to this one is settled (committed, rolled back, or removed by compaction): the highest
   * ordering visible just before the last barrier that went through. A journal compacted into many holes is
   * read past them with one barrier, not one each.
   */
  private long settledThrough;

  private JournalFeed(ActorSystem<?> system, WatchCache cache) {
    this.cache = cache;
    this.serialization = SerializationExtension.get(Adapter.toClassic(system));
    this.recent = RecentEvents.get(system);
    this.db = JournalDatabase.of(system.settings().config());
    this.postgres = db.postgres();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "troupe-journal-feed");
      t.setDaemon(true);
      return t;
    });
  }

  /** Loads every object into the cache, marks it ready, then follows the journal. */
  public static JournalFeed start(ActorSystem<?> system, WatchCache cache) {
    JournalFeed feed = new JournalFeed(system, cache);
    Duration idlePoll = system.settings().config().getDuration("troupe.watch-cache.idle-poll-interval");
    feed.thread.execute(() -> {
      try {
        feed.horizon();
        feed.loadCurrentState();
        feed.horizon(); // compaction may have run meanwhile
      } catch (SQLException | RuntimeException | InterruptedException e) {
        log.error("reading the journal at start failed; stopping", e);
        system.terminate();
        return;
      }
      log.info("watch cache loaded: {} objects at resourceVersion {} ({})", cache.size(), cache.revision(),
          feed.loadTimes);
      feed.live = true;
      cache.markReady();
      feed.thread.scheduleWithFixedDelay(feed::wake, idlePoll.toMillis(), idlePoll.toMillis(), TimeUnit.MILLISECONDS);
      feed.thread.scheduleWithFixedDelay(feed::checkHorizon, 5, 5, TimeUnit.SECONDS);
    });
    return feed;
  }

  /** Something was written: read the journal now (coalesced with a read already queued). */
  public void wake() {
    if (live && pollPending.compareAndSet(false, true)) {
      try {
        thread.execute(this::poll);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        pollPending.set(false);
      }
    }
  }

  private void poll() {
    pollPending.set(false);
    try {
      readAll();
    } catch (SQLException | RuntimeException e) {
      if (e instanceof SQLException sql && io.troupe.persistence.journal.H2Maintenance.closedUnder(sql)) {
        // the H2 file was compacted fully under this connection: open another at the next poll
        log.debug("the journal's database was closed under the feed; reading again: {}", e.getMessage());
      } else {
        log.warn("reading the journal failed; retrying: {}", e.getMessage());
      }
      closeConnection();
    }
  }

  /**
   * The start: every object as the journal has it now, read as the latest event of each (its whole object), not
   * by replaying its history, then the rows written meanwhile. A JVM restarted on a journal whose compaction keeps
   * a long history (or is off, as in ChaosTest) read every event ever written before: 73,000 rows took 88 s beside
   * a loaded cluster in CI, a restart's longest step. As a kube-apiserver's watch cache starts from a list, this
   * one starts without history: a watch from before its first revision answers 410 Gone and its client lists
   * again. The cut is a point where the journal is settled: on PostgreSQL, the barrier's (every ordering up to
   * the highest visible before it is committed or rolled back for good), so no write in flight at start is
   * passed by (it once served a start a thousand writes behind).
   */
  private void loadCurrentState() throws SQLException, InterruptedException {
    long started = System.nanoTime();
    Connection c = connection();
    long cut;
    if (postgres) {
      while (!settleHole()) Thread.sleep(100);
      cut = settledThrough;
    } else {
      try (PreparedStatement q = c.prepareStatement(LAST); ResultSet rs = q.executeQuery()) {
        rs.next();
        cut = rs.getLong(1);
      } finally {
        c.commit();
      }
    }
    List<Long> latest = new ArrayList<>();
    try (PreparedStatement q = c.prepareStatement(LATEST)) {
      q.setLong(1, cut);
      q.setString(2, PERSISTENCE_ID_PREFIX + "%");
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) latest.add(rs.getLong(1));
      }
    } finally {
      c.commit();
    }
    Collections.sort(latest);
    long listed = System.nanoTime();
    for (int from = 0; from < latest.size(); from += BATCH) {
      List<Long> batch = latest.subList(from, Math.min(latest.size(), from + BATCH));
      try (PreparedStatement q = c.prepareStatement(ROWS_AT)) {
        q.setArray(1, c.createArrayOf("BIGINT", batch.toArray()));
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            long ordering = rs.getLong(1);
            String persistenceId = rs.getString(2);
            Object event = deserialize(rs.getBytes(4), rs.getInt(5), rs.getString(6), ordering, persistenceId);
            apply(ordering, persistenceId, rs.getLong(3), event);
          }
        }
      } finally {
        c.commit();
      }
    }
    long read = System.nanoTime();
    position = cut;
    cache.journalCompleteAfter(cache.revision());
    readAll();
    loadTimes = String.format("settled and listed in %d ms, %d latest events read in %d ms, then %d ms to the end",
        (listed - started) / 1_000_000, latest.size(), (read - listed) / 1_000_000,
        (System.nanoTime() - read) / 1_000_000);
  }

  /**
   * Tells the cache where the journal is complete: compaction removed events up to its horizon, so a watch from
   * before it cannot be served from what this feed reads.
   */
  private void horizon() throws SQLException {
    Connection c = connection();
    try {
      cache.journalCompleteAfter(JournalCompaction.horizon(c));
    } finally {
      c.commit();
    }
  }

  /** Live: whether compaction removed events this feed has not read yet (see {@link WatchCache#compactedThrough}). */
  private void checkHorizon() {
    try {
      long horizon;
      Connection c = connection();
      try {
        horizon = JournalCompaction.horizon(c);
      } finally {
        c.commit();
      }
      if (horizon > cache.revision()) {
        log.warn("compaction removed events up to {} before this JVM's feed read them (it is at {}): its watches "
            + "are closed", horizon, cache.revision());
        cache.compactedThrough(horizon);
      }
    } catch (SQLException | RuntimeException e) {
      log.debug("the journal's horizon was not read: {}", e.getMessage());
      closeConnection();
    }
  }

  /** Reads until the end of the journal as it stands. */
  private void readAll() throws SQLException {
    int read;
    do {
      read = readBatch();
    } while (read == BATCH);
  }

  /** Reads and applies the rows after {@code position}; the number read (BATCH: there may be more). */
  private int readBatch() throws SQLException {
    int rows = 0;
    boolean barrier = false;
    Connection c = connection();
    try (PreparedStatement q = c.prepareStatement(QUERY)) {
      q.setLong(1, position);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          long ordering = rs.getLong(1);
          if (ordering != position + 1 && postgres && !passHole()) {
            barrier = !live || holeWaited(); // at start, every hole is below a committed row: settle at once
            if (!barrier) thread.schedule(this::wake, 5, TimeUnit.MILLISECONDS);
            break;
          }
          rows++;
          position = ordering;
          String persistenceId = rs.getString(2);
          if (!persistenceId.startsWith(PERSISTENCE_ID_PREFIX)) continue;
          Object event = deserialize(rs.getBytes(4), rs.getInt(5), rs.getString(6), ordering, persistenceId);
          apply(ordering, persistenceId, rs.getLong(3), event);
        }
      }
    } finally {
      c.commit();
    }
    if (barrier) {
      if (settleHole()) return BATCH; // read again at once, under a snapshot taken after the barrier
      thread.schedule(this::wake, 5, TimeUnit.MILLISECONDS);
    }
    return rows;
  }

  /**
   * An event of the journal; its failure (a checked exception too, which {@code Try.get} throws unchecked and which
   * would otherwise end the feed's task without a word) as an IllegalStateException that says which event.
   */
  private Object deserialize(byte[] payload, int serializerId, String manifest, long ordering, String persistenceId) {
    if (serializerId == io.troupe.persistence.encryption.EncryptedJournalSerializer.IDENTIFIER) {
      Object written = recent.take(payload);
      if (written != null) return written;
    }
    scala.util.Try<Object> event = serialization.deserialize(payload, serializerId, manifest);
    if (event.isFailure()) {
      Throwable cause = event.failed().get();
      throw new IllegalStateException("cannot read the event at ordering " + ordering + " of " + persistenceId + ": "
          + cause, cause);
    }
    return event.get();
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = db.connect();
      connection.setAutoCommit(false);
    }
    return connection;
  }

  /** At a hole after {@code position}: true when the barrier has been through since it was met, so it stays. */
  private boolean passHole() {
    if (position + 1 <= settledThrough) {
      // below what the last barrier settled: compacted away or rolled back, for good
      holeAt = -1;
      return true;
    }
    if (holeAt != position + 1) {
      holeAt = position + 1;
      holeSince = System.nanoTime();
      holeSettled = false;
      return false;
    }
    if (!holeSettled) return false;
    log.debug("passing hole at ordering {}: nothing that could fill it is in flight", holeAt);
    holeAt = -1;
    return true;
  }

  private boolean holeWaited() {
    return System.nanoTime() - holeSince >= HOLE_WAIT.toNanos();
  }

  /**
   * The barrier: waits until every insert that has drawn an ordering has ended. Failing (the lock timed out behind
   * a long transaction, or the connection broke), it leaves the hole unsettled, to be tried again.
   */
  private boolean settleHole() throws SQLException {
    long visible;
    try (PreparedStatement q = connection.prepareStatement(LAST); ResultSet rs = q.executeQuery()) {
      rs.next();
      visible = rs.getLong(1);
    } finally {
      connection.commit();
    }
    try (Statement s = connection.createStatement()) {
      s.execute(BARRIER);
      connection.commit();
      holeSettled = true;
      // every ordering up to the highest visible before the barrier was drawn by an insert the barrier waited for
      settledThrough = Math.max(settledThrough, visible);
    } catch (SQLException e) {
      connection.rollback();
      log.debug("hole at ordering {} not settled yet: {}", holeAt, e.getMessage());
    }
    return holeSettled;
  }

  private void apply(long ordering, String persistenceId, long sequenceNr, Object payload) {
    if (!(payload instanceof ResourceEntity.Event event)) return;
    String key = persistenceId.substring(persistenceId.indexOf('|') + 1);
    cache.apply(ordering, key, sequenceNr, event.object(), event instanceof ResourceEntity.Deleted);
  }

  private void closeConnection() {
    try {
      if (connection != null) connection.close();
    } catch (SQLException ignored) {
      // the connection is being dropped anyway
    }
    connection = null;
  }

  @Override
  public void close() {
    live = false;
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeConnection();
  }
}
