package io.troupe.persistence.cluster;

import io.troupe.persistence.store.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downs a member at once when it is unreachable and its process is known to be gone, instead of waiting for the
 * split brain resolver's {@code stable-after}. Every member holds a PostgreSQL session-level advisory lock keyed by
 * its incarnation's uid on a connection of its own for as long as it lives; when its process dies, the operating
 * system closes that connection and PostgreSQL lets the lock go. A member this JVM saw holding its lock (on this
 * JVM's current database session, so a restart of PostgreSQL, which drops every lock, proves nothing), that no
 * longer holds it, and that the failure detector finds unreachable, is a process gone: no partition leaves a live
 * JVM on both sides of that. A JVM cut off by the network keeps its session and its lock (or loses both with its
 * database, and then writes nothing), so partitions are still the resolver's ({@code keep-majority}).
 *
 * <p>A killed JVM's shards and singletons then move {@code down-removal-margin} after its removal, about a second
 * sooner than through the resolver. A host that dies whole does not close its connections: PostgreSQL notices only
 * by TCP keepalive, and the resolver downs the member first. Hand-written: Pekko's downing providers decide from the
 * failure detector alone, and no Pekko lease reports that its holder died.
 */
final class ProcessDeathDowning {
  private static final Logger log = LoggerFactory.getLogger(ProcessDeathDowning.class);
  static final Duration TICK = Duration.ofMillis(200);
  private static final String LOCK = "SELECT pg_try_advisory_lock(?)";
  private static final String HELD = "SELECT classid, objid FROM pg_locks WHERE locktype = 'advisory' "
      + "AND objsubid = 1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

  private final Cluster cluster;
  private final JournalDatabase db;
  private final long self;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "troupe-member-sessions");
    t.setDaemon(true);
    return t;
  });
  private Connection connection;
  /** Members (uids) seen holding their lock on this JVM's current session. */
  private final Set<Long> seenHolding = new HashSet<>();
  private final Set<Long> downed = new HashSet<>();

  private ProcessDeathDowning(Cluster cluster, JournalDatabase db) {
    this.cluster = cluster;
    this.db = db;
    this.self = cluster.selfUniqueAddress().longUid();
  }

  /** Starts holding this member's lock and watching the others'; stops when the actor system terminates. */
  static void start(ActorSystem<?> system, Cluster cluster, JournalDatabase db) {
    ProcessDeathDowning downing = new ProcessDeathDowning(cluster, db);
    downing.thread.scheduleWithFixedDelay(downing::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    system.getWhenTerminated().thenRun(() -> {
      downing.thread.execute(downing::close); // on its thread, after the tick in progress; ticks stop at shutdown
      downing.thread.shutdown();
    });
  }

  private void tick() {
    try {
      if (connection == null) connect();
      Set<Long> held = held();
      if (!held.contains(self)) {
        // this JVM's own lock is not there: its session is not the one that took it; start a new one
        log.warn("this member's database session lost its lock; reconnecting");
        close();
        return;
      }
      ClusterEvent.CurrentClusterState state = cluster.state();
      for (Member m : state.getMembers()) {
        long uid = m.uniqueAddress().longUid();
        if (uid == self) continue;
        if (held.contains(uid)) {
          seenHolding.add(uid);
        } else if (seenHolding.contains(uid) && state.getUnreachable().contains(m)
            && m.status() != MemberStatus.down() && downed.add(uid)) {
          log.warn("member {} is unreachable and its database session has ended (its process is gone): downing it",
              m.address());
          cluster.down(m.address());
        }
      }
    } catch (SQLException e) {
      log.warn("cannot read the members' database sessions: {}", e.getMessage());
      close();
    } catch (RuntimeException e) {
      log.warn("process death downing: {}", e.toString());
    }
  }

  private void connect() throws SQLException {
    connection = db.connect();
    seenHolding.clear();
    try (PreparedStatement lock = connection.prepareStatement(LOCK)) {
      lock.setLong(1, self);
      lock.execute();
    }
  }

  /** The advisory locks held in the journal's database, as the bigint keys they were taken with. */
  private Set<Long> held() throws SQLException {
    Set<Long> keys = new HashSet<>();
    try (PreparedStatement q = connection.prepareStatement(HELD); ResultSet rs = q.executeQuery()) {
      while (rs.next()) keys.add(rs.getLong(1) << 32 | rs.getLong(2));
    }
    return keys;
  }

  private void close() {
    try {
      if (connection != null) connection.close();
    } catch (SQLException ignored) {
      // dropped anyway
    }
    connection = null;
  }
}
