package io.troupe.persistence.watch;

import com.typesafe.config.Config;
import io.troupe.persistence.entity.ResourceEntity;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
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
 * <p>At start it reads the whole journal; then the cache is ready. After that it follows the journal table by
 * {@code ordering}, woken by every local write ({@link #wake()}) and otherwise every {@code idle-poll-interval}.
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
 * rolled-back insert leaves a hole that is never filled. So the feed stops at a hole and passes it only once it
 * cannot be filled any more: it reads under a snapshot ({@code REPEATABLE READ}) together with the list of the
 * transactions in progress at that snapshot ({@code pg_current_snapshot()}); the insert that took the missing
 * ordering is one of them (it took its number before a higher one committed). Once they have all ended (a
 * later snapshot's {@code xmin} is past them), a read that still misses the number shows a hole for good. No
 * timeout: a slow commit is waited for, never skipped (pekko-persistence-jdbc's own query skips a hole after a
 * fixed delay, and loses an insert that commits later). One bound remains: a database transaction open for
 * longer than {@code HOLE_PATIENCE} (3 s) — any transaction, since the snapshot cannot tell the journal's from
 * others — no longer holds the feed; that is logged as a warning.
 */
public final class JournalFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JournalFeed.class);
  private static final int BATCH = 1000;
  private static final Duration HOLE_PATIENCE = Duration.ofSeconds(3);
  private static final String QUERY = "SELECT \"ordering\", \"persistence_id\", \"sequence_number\", "
      + "\"event_payload\", \"event_ser_id\", \"event_ser_manifest\" FROM \"event_journal\" "
      + "WHERE \"ordering\" > ? AND \"deleted\" = FALSE ORDER BY \"ordering\" LIMIT " + BATCH;
  private static final String PERSISTENCE_ID_PREFIX = ResourceEntity.ENTITY_KEY.name() + "|";

  private final WatchCache cache;
  private final Serialization serialization;
  private final Config db;
  private final ScheduledExecutorService thread;
  private final AtomicBoolean pollPending = new AtomicBoolean();
  private final boolean postgres;
  private volatile boolean live;
  private Connection connection;
  /** The highest ordering consumed: applied, or passed as a hole for good. */
  private long position;
  /** The first missing ordering the feed waits at, or -1. */
  private long holeAt = -1;
  /** The hole may be passed once every transaction up to this id has ended. */
  private long holeWaitsFor;
  /** When the feed first met the hole it waits at (nanoTime). */
  private long holeSince;

  private JournalFeed(ActorSystem<?> system, WatchCache cache) {
    this.cache = cache;
    this.serialization = SerializationExtension.get(Adapter.toClassic(system));
    this.db = system.settings().config().getConfig("pekko-persistence-jdbc.shared-databases.troupe.db");
    this.postgres = db.getString("url").startsWith("jdbc:postgresql:");
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "troupe-journal-feed");
      t.setDaemon(true);
      return t;
    });
  }

  /** Loads the journal into the cache, marks it ready, then follows the journal. */
  public static JournalFeed start(ActorSystem<?> system, WatchCache cache) {
    JournalFeed feed = new JournalFeed(system, cache);
    Duration idlePoll = system.settings().config().getDuration("troupe.watch-cache.idle-poll-interval");
    feed.thread.execute(() -> {
      try {
        feed.readAll();
      } catch (SQLException | RuntimeException e) {
        log.error("reading the journal at start failed; stopping", e);
        system.terminate();
        return;
      }
      log.info("watch cache loaded: {} objects at resourceVersion {}", cache.size(), cache.revision());
      feed.live = true;
      cache.markReady();
      feed.thread.scheduleWithFixedDelay(feed::wake, idlePoll.toMillis(), idlePoll.toMillis(), TimeUnit.MILLISECONDS);
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
      log.warn("reading the journal failed; retrying: {}", e.getMessage());
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
    if (connection == null) {
      connection = DriverManager.getConnection(db.getString("url"), db.getString("user"), db.getString("password"));
      connection.setReadOnly(true);
      if (postgres) {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      }
    }
    int rows = 0;
    try {
      Snapshot snapshot = postgres ? snapshot() : null;
      try (PreparedStatement q = connection.prepareStatement(QUERY)) {
        q.setLong(1, position);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            long ordering = rs.getLong(1);
            if (ordering != position + 1 && snapshot != null && !passHole(snapshot)) {
              thread.schedule(this::wake, 5, TimeUnit.MILLISECONDS);
              return 0;
            }
            rows++;
            position = ordering;
            String persistenceId = rs.getString(2);
            if (!persistenceId.startsWith(PERSISTENCE_ID_PREFIX)) continue;
            Object event = serialization.deserialize(rs.getBytes(4), rs.getInt(5), rs.getString(6)).get();
            apply(ordering, persistenceId, rs.getLong(3), event);
          }
        }
      }
    } finally {
      if (postgres) connection.commit();
    }
    return rows;
  }

  /** {@code pg_current_snapshot()}: the oldest transaction still running, and those in progress. */
  private record Snapshot(long xmin, long[] inProgress) {
    static Snapshot parse(String text) {
      String[] parts = text.split(":", 3);
      long[] xip = parts.length < 3 || parts[2].isEmpty() ? new long[0]
          : java.util.Arrays.stream(parts[2].split(",")).mapToLong(Long::parseLong).toArray();
      return new Snapshot(Long.parseLong(parts[0]), xip);
    }
  }

  private Snapshot snapshot() throws SQLException {
    try (PreparedStatement q = connection.prepareStatement("SELECT pg_current_snapshot()::text");
        ResultSet rs = q.executeQuery()) {
      rs.next();
      return Snapshot.parse(rs.getString(1));
    }
  }

  /**
   * At a hole after {@code position}, read under {@code snapshot}: true when it can never be filled (every
   * transaction in progress when the feed first met it has ended since, and it is still there), so the feed
   * passes it.
   */
  private boolean passHole(Snapshot snapshot) {
    if (holeAt != position + 1) {
      holeAt = position + 1;
      holeSince = System.nanoTime();
      holeWaitsFor = java.util.Arrays.stream(snapshot.inProgress()).max().orElse(-1);
      if (holeWaitsFor < 0) {
        log.debug("passing hole at ordering {}: no transaction could fill it", holeAt);
        holeAt = -1;
        return true;
      }
      return false;
    }
    if (snapshot.xmin() > holeWaitsFor) {
      log.debug("passing hole at ordering {}: the transactions that could fill it have ended", holeAt);
      holeAt = -1;
      return true;
    }
    // a transaction of the database that outlives this bound (any transaction counts, the journal's or not)
    // would stall every watcher: past it, the hole is passed, loudly
    if (System.nanoTime() - holeSince > HOLE_PATIENCE.toNanos()) {
      log.warn("passing hole at ordering {} after {} ms: transactions up to {} still open (oldest {})", holeAt,
          HOLE_PATIENCE.toMillis(), holeWaitsFor, snapshot.xmin());
      holeAt = -1;
      return true;
    }
    return false;
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
