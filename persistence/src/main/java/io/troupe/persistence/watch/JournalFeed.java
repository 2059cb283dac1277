package io.troupe.persistence.watch;

import io.troupe.persistence.entity.ResourceEntity;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the journal (Persistence Query {@code eventsByTag} on the one tag every event carries) into the
 * watch cache, in journal order. The journal's global {@code ordering} is the resourceVersion everywhere.
 * At start it first reads what is there ({@code currentEventsByTag}); when that is done the cache is ready.
 */
public final class JournalFeed {
  private static final Logger log = LoggerFactory.getLogger(JournalFeed.class);

  private JournalFeed() {}

  /** Starts the feed; {@code close()} stops it (at shutdown). */
  public static AutoCloseable start(ActorSystem<?> system, WatchCache cache) {
    JdbcReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    AtomicBoolean stopped = new AtomicBoolean();
    AtomicReference<UniqueKillSwitch> live = new AtomicReference<>();
    journal.currentEventsByTag(ResourceEntity.TAG, Offset.noOffset())
        .runWith(Sink.foreach(env -> apply(cache, env)), system)
        .whenComplete((Done done, Throwable failure) -> {
          if (failure != null) {
            log.error("reading the journal at start failed; stopping", failure);
            system.terminate();
            return;
          }
          log.info("watch cache loaded: {} objects at resourceVersion {}", cache.size(), cache.revision());
          cache.markReady();
          if (stopped.get()) return;
          // from where the catch-up ended; after a failure, from whatever the cache has applied since
          live.set(RestartSource.withBackoff(
                  RestartSettings.create(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2),
                  () -> journal.eventsByTag(ResourceEntity.TAG, Offset.sequence(cache.revision())))
              .viaMat(KillSwitches.single(), Keep.right())
              .toMat(Sink.foreach(env -> apply(cache, env)), Keep.left())
              .run(system));
        });
    return () -> {
      stopped.set(true);
      UniqueKillSwitch k = live.get();
      if (k != null) k.shutdown();
    };
  }

  private static void apply(WatchCache cache, EventEnvelope env) {
    if (!(env.event() instanceof ResourceEntity.Event event)) return;
    String persistenceId = env.persistenceId();
    String key = persistenceId.substring(persistenceId.indexOf('|') + 1);
    long revision = ((Sequence) env.offset()).value();
    cache.apply(revision, key, env.sequenceNr(), event.object(), event instanceof ResourceEntity.Deleted);
  }
}
