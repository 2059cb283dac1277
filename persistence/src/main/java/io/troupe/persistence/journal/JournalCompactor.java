package io.troupe.persistence.journal;

import io.troupe.persistence.store.JournalDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Runs {@link JournalCompaction} every {@code troupe.journal.compaction.interval}, once in the cluster (a cluster
 * singleton: two passes at once would only race to delete the same rows), and on H2 a round of the file's online
 * compaction every {@code troupe.journal.h2-maintenance.interval} ({@link H2Maintenance}; PostgreSQL's autovacuum
 * needs no help). A pass that removed a full batch is followed by the next at once; a failed one is logged and
 * tried at the next interval.
 */
public final class JournalCompactor {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JournalCompactor.class);

  private enum Compact { INSTANCE }

  private enum Maintain { INSTANCE }

  private record Maintained(java.util.Optional<H2Maintenance.Round> round, Throwable failure) {}

  private record Done(JournalCompaction.Result result, Throwable failure) {}

  private JournalCompactor() {}

  public static void start(ActorSystem<?> system) {
    JournalRetention retention = JournalRetention.of(system.settings().config());
    JournalDatabase db = JournalDatabase.of(system.settings().config());
    ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(create(db, retention)).onFailure(SupervisorStrategy.restart()), "journal-compactor"));
  }

  static Behavior<Object> create(JournalDatabase db, JournalRetention retention) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      var blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
      var maintenance = context.getSystem().settings().config().getConfig("troupe.journal.h2-maintenance");
      Duration maintainEvery = maintenance.getDuration("interval");
      int maintainBytes = (int) Math.min(Integer.MAX_VALUE, maintenance.getBytes("max-bytes"));
      timers.startSingleTimer(Compact.INSTANCE, retention.interval());
      if (!db.postgres()) timers.startSingleTimer(Maintain.INSTANCE, maintainEvery);
      return Behaviors.receive(Object.class)
          .onMessageEquals(Maintain.INSTANCE, () -> {
            context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
              try (Connection c = db.connect()) {
                return H2Maintenance.maintain(c, maintainBytes);
              } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
              }
            }, blocking), Maintained::new);
            return Behaviors.same();
          })
          .onMessage(Maintained.class, done -> {
            if (done.failure() != null) log.warn("H2 file compaction failed: {}", done.failure().getMessage());
            else done.round().ifPresent(r -> log.debug("H2 file compaction: {}", r));
            timers.startSingleTimer(Maintain.INSTANCE, maintainEvery);
            return Behaviors.same();
          })
          .onMessageEquals(Compact.INSTANCE, () -> {
            context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
              try (Connection c = db.connect()) {
                return JournalCompaction.run(c, retention, Instant.now());
              } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
              }
            }, blocking), Done::new);
            return Behaviors.same();
          })
          .onMessage(Done.class, done -> {
            if (done.failure() != null) {
              log.warn("journal compaction failed, trying again in {}: {}", retention.interval(),
                  done.failure().getMessage());
              timers.startSingleTimer(Compact.INSTANCE, retention.interval());
              return Behaviors.same();
            }
            JournalCompaction.Result r = done.result();
            JournalStats.compacted(r.events());
            if (r.events() > 0 || r.snapshots() > 0) {
              log.debug("journal compaction removed {} events and {} snapshots; horizon {}", r.events(),
                  r.snapshots(), r.horizon());
            }
            boolean more = r.events() >= retention.batchSize();
            timers.startSingleTimer(Compact.INSTANCE, more ? Duration.ofMillis(10) : retention.interval());
            return Behaviors.same();
          })
          .build();
    }));
  }
}
