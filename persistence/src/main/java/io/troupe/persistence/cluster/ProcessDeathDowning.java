package io.troupe.persistence.cluster;

import io.troupe.persistence.store.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Downs a member at once when its process is known to be gone, instead of waiting for the failure detector (about
 * 1.5 s) and the split brain resolver's {@code stable-after} (1 s more). Every member holds a PostgreSQL
 * session-level advisory lock, keyed by its incarnation's uid, on an idle connection of its own for as long as it
 * lives; when its process dies, the operating system closes that connection and PostgreSQL lets the lock go. A
 * member this JVM saw holding its lock (through this JVM's current database session: a restart of PostgreSQL drops
 * every lock and proves nothing) that holds it no longer has lost its process, or its way to the journal, and is
 * downed. A JVM cut off from the others but not from the database keeps its lock, so partitions stay the
 * resolver's ({@code keep-majority}); one cut off from the database as well writes nothing.
 *
 * <p>Downing is safe whatever the reason (a member that is alive learns it was downed and stops its shards and
 * singletons before the others start them, {@code down-removal-margin} after its removal); the cost of a false
 * reason (a DBA ending the member's session) is a restart of that JVM. A host that dies whole does not close its
 * connections: PostgreSQL notices only by TCP keepalive, and the resolver downs the member first. Hand-written:
 * Pekko's downing providers decide from the failure detector alone, and no Pekko lease tells that its holder died.
 */
final class ProcessDeathDowning {
  private static final Logger log = LoggerFactory.getLogger(ProcessDeathDowning.class);
  static final Duration TICK = Duration.ofMillis(200);
  /** The statuses of a member that may be downed here (one leaving is on its way out already). */
  private static final Set<MemberStatus> LIVE = Set.of(MemberStatus.joining(), MemberStatus.weaklyUp(),
      MemberStatus.up());
  private static final String LOCK = "SELECT pg_try_advisory_lock(?)";
  private static final String HELD = "SELECT classid, objid FROM pg_locks WHERE locktype = 'advisory' "
      + "AND objsubid = 1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

  private final Cluster cluster;
  private final JournalDatabase db;
  private final long self;
  private final ScheduledExecutorService thread = ClusterFormation.daemonThread("troupe-member-sessions");
  /** Holds this member's lock and does nothing else, so that no failing query ever lets it go. */
  private Connection lockConnection;
  /** Reads the locks held. */
  private Connection connection;
  /** Members (uids) seen holding their lock on this JVM's current session. */
  private final Set<Long> seenHolding = new HashSet<>();
  private final Set<Long> downed = new HashSet<>();
  /** The last tick could not read the database. */
  private boolean failing;

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
      downing.thread.execute(() -> { // on its thread, after the tick in progress; ticks stop at shutdown
        downing.close();
        downing.closeLock();
      });
      downing.thread.shutdown();
    });
  }

  private void tick() {
    try {
      if (lockConnection == null) lock();
      if (connection == null) {
        connection = db.connect();
        seenHolding.clear();
      }
      Set<Long> held = held();
      if (!held.contains(self)) {
        // this JVM's lock is gone with the session that held it: take it again on a new one
        log.warn("this member's database session ended; taking its lock again");
        closeLock();
        return;
      }
      for (Member m : cluster.state().getMembers()) {
        long uid = m.uniqueAddress().longUid();
        if (uid == self) continue;
        if (held.contains(uid)) {
          seenHolding.add(uid);
        } else if (seenHolding.contains(uid) && LIVE.contains(m.status()) && downed.add(uid)) {
          log.warn("member {} lost its database session (its process is gone): downing it", m.address());
          cluster.down(m.address());
          quarantine(m, uid);
        }
      }
      if (failing) log.info("the members' database sessions are readable again");
      failing = false;
    } catch (SQLException e) {
      // once per outage, not every tick
      if (!failing) log.warn("cannot read the members' database sessions: {}", e.getMessage());
      failing = true;
      close();
    } catch (RuntimeException e) {
      log.warn("process death downing: {}", e.toString());
    }
  }

  /**
   * Quarantines the dead incarnation, which marks it terminated in the cluster's reachability: the leader removes a
   * downed member only once it is unreachable or terminated, and the failure detector would take another second or
   * more to find it unreachable. Through Pekko's remote provider (internal API: no public one quarantines).
   */
  private void quarantine(Member m, long uid) {
    if (cluster.system().provider() instanceof RemoteActorRefProvider remote) {
      remote.quarantine(m.address(), Option.apply(uid), "its database session ended: its process is gone");
    }
  }

  private void lock() throws SQLException {
    lockConnection = db.connect();
    try (PreparedStatement lock = lockConnection.prepareStatement(LOCK)) {
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
    connection = closed(connection);
  }

  private void closeLock() {
    lockConnection = closed(lockConnection);
  }

  private static Connection closed(Connection c) {
    try {
      if (c != null) c.close();
    } catch (SQLException ignored) {
      // dropped anyway
    }
    return null;
  }
}
