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
 * singleton: two passes at once would only race to delete the same rows), then on H2 the file's online compaction
 * ({@link H2Maintenance}; PostgreSQL's autovacuum needs no help). A pass that removed a full batch is followed by
 * the next at once; a failed one is logged and tried at the next interval.
 */
public final class JournalCompactor {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JournalCompactor.class);

  private enum Compact { INSTANCE }

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
      timers.startSingleTimer(Compact.INSTANCE, retention.interval());
      return Behaviors.receive(Object.class)
          .onMessageEquals(Compact.INSTANCE, () -> {
            context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
              try (Connection c = db.connect()) {
                JournalCompaction.Result result = JournalCompaction.run(c, retention, Instant.now());
                if (!db.postgres()) H2Maintenance.compact(c);
                return result;
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
