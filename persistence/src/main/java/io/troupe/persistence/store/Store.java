package io.troupe.persistence.store;

import com.typesafe.config.Config;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.journal.JournalCompaction;
import io.troupe.persistence.journal.JournalCompactor;
import io.troupe.persistence.journal.JournalGate;
import io.troupe.persistence.journal.JournalStats;
import io.troupe.persistence.entity.ResourceEntity.Command;
import io.troupe.persistence.entity.ResourceEntity.Reply;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.JournalFeed;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * The store as the API server and the controllers use it: writes go to the object's sharded entity and
 * return once the event is durable <em>and</em> this JVM's watch cache has applied it (read-your-writes);
 * reads go to the watch cache.
 */
public final class Store implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Store.class);
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final WatchCache cache;
  private final Duration askTimeout;
  private final Duration readYourWritesTimeout;
  private final JournalFeed feed;
  /** Passed by every request to an entity: closed while the H2 file is compacted (JournalCompactor). */
  private final JournalGate gate;
  private final Cancellable bookmarks;
  private final Cancellable stats;
  /** Who this store's writes are made by, recorded in their events (the object's history); null: unknown. */
  private final String author;
  /** A view of another store under another author: closing it closes nothing. */
  private final boolean view;

  private Store(Store base, String author) {
    this.view = true;
    this.system = base.system;
    this.sharding = base.sharding;
    this.cache = base.cache;
    this.askTimeout = base.askTimeout;
    this.readYourWritesTimeout = base.readYourWritesTimeout;
    this.feed = base.feed;
    this.gate = base.gate;
    this.bookmarks = base.bookmarks;
    this.stats = base.stats;
    this.author = author;
  }

  private Store(ActorSystem<?> system) {
    this.author = null;
    this.view = false;
    this.system = system;
    Config config = system.settings().config().getConfig("troupe");
    this.askTimeout = config.getDuration("store.ask-timeout");
    this.readYourWritesTimeout = config.getDuration("store.read-your-writes-timeout");
    this.sharding = ClusterSharding.get(system);
    this.cache = new WatchCache(system, config.getInt("watch-cache.window-size"),
        config.getInt("watch-cache.watcher-buffer"));
    this.gate = JournalGate.get(system);
    ResourceEntity.init(system);
    this.feed = JournalFeed.start(system, cache);
    Duration every = config.getDuration("watch-cache.bookmark-interval");
    this.bookmarks = system.scheduler().scheduleAtFixedRate(every, every, cache::bookmark, system.executionContext());
    JournalCompactor.start(system);
    Duration statsEvery = config.getDuration("journal.stats-interval");
    JournalDatabase db = JournalDatabase.of(system.settings().config());
    this.stats = system.scheduler().scheduleWithFixedDelay(Duration.ZERO, statsEvery, () -> {
      try {
        JournalStats.refresh(db);
      } catch (java.sql.SQLException e) {
        log.debug("journal stats not read: {}", e.getMessage());
      }
    }, system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
  }

  /** Creates the journal schema if it is missing (safe to re-run), then starts the entities and the feed. */
  public static Store start(ActorSystem<?> system) {
    long started = System.nanoTime();
    recoverH2BeforeOpening(system.settings().config());
    compactH2BeforeOpening(system.settings().config());
    if (!JournalDatabase.of(system.settings().config()).postgres()
        && System.getProperty("com.zaxxer.hikari.aliveBypassWindowMs") == null) {
      // a full online compaction of the H2 file closes the database under the journal plugin's pool (H2Maintenance):
      // HikariCP is to check a connection whenever it lends it (it skips the check for 500 ms after a use), so none
      // lent is dead. The pools are made after this; on embedded H2 the check is a method call.
      System.setProperty("com.zaxxer.hikari.aliveBypassWindowMs", "0");
    }
    // several JVMs of a cluster starting at once race to create it: the losers find it there on a second look
    for (int attempt = 1; ; attempt++) {
      try {
        SchemaUtils.createIfNotExists(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
        try (java.sql.Connection c = JournalDatabase.of(system.settings().config()).connect()) {
          JournalCompaction.prepare(c);
          io.troupe.persistence.journal.H2Maintenance.inlinePayloads(c);
          io.troupe.persistence.journal.H2Maintenance.cacheOrderings(c);
        }
        break;
      } catch (Exception e) {
        if (attempt == 3) throw new IllegalStateException("cannot prepare the journal schema: " + e.getMessage(), e);
        log.info("preparing the journal schema failed ({}), trying again", e.getMessage());
        try {
          Thread.sleep(500L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while preparing the journal schema", interrupted);
        }
      }
    }
    log.info("journal schema ready after {} ms", (System.nanoTime() - started) / 1_000_000);
    checkSecretEncryption(system);
    return new Store(system);
  }

  /**
   * Reads the Secret encryption keys (or makes the key file) and checks that they decrypt every encrypted Secret in
   * the journal: a wrong or missing key stops the start here, rather than an entity or a watch failing later.
   */
  private static void checkSecretEncryption(ActorSystem<?> system) {
    io.troupe.persistence.encryption.SecretEncryption encryption;
    try {
      encryption = io.troupe.persistence.encryption.SecretEncryption.get(system);
    } catch (RuntimeException e) {
      throw new IllegalStateException("Secret encryption keys: " + e.getMessage(), e);
    }
    try {
      encryption.verify(JournalDatabase.of(system.settings().config()));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot check the Secrets in the journal: " + e.getMessage(), e);
    }
  }

  /**
   * After an unclean stop, the H2 file is opened in recovery mode first, or H2 may drop the last commits, acknowledged
   * ones too (see H2Maintenance#recoverBeforeOpening). A failure stops the start: opened without it, the database
   * could lose them for good.
   */
  private static void recoverH2BeforeOpening(com.typesafe.config.Config config) {
    String url = JournalDatabase.of(config).url();
    try {
      io.troupe.persistence.journal.H2Maintenance.recoverBeforeOpening(url).ifPresent(versions ->
          log.info("journal file recovered after an unclean stop: newest complete version {} (its header named {})",
              versions[0], versions[1]));
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalStateException("cannot recover the journal file after an unclean stop: " + e.getMessage(), e);
    }
  }

  /** After an unclean stop the H2 file was not compacted at close: if it has grown large, now (see H2Maintenance). */
  private static void compactH2BeforeOpening(com.typesafe.config.Config config) {
    String url = JournalDatabase.of(config).url();
    long above = config.getBytes("troupe.journal.h2-maintenance.compact-on-start-above");
    try {
      io.troupe.persistence.journal.H2Maintenance.compactBeforeOpening(url, above).ifPresent(sizes ->
          log.info("journal file compacted from {} MB to {} MB before opening", sizes[0] >> 20, sizes[1] >> 20));
    } catch (java.io.IOException | RuntimeException e) {
      log.warn("journal file not compacted before opening: {}", e.getMessage());
    }
  }

  public WatchCache cache() {
    return cache;
  }

  /**
   * The same store, its writes recorded as made by {@code author} (a client's name and version, a controller, a
   * kubelet): what the object's history shows. Closing it closes nothing.
   */
  public Store as(String author) {
    return java.util.Objects.equals(author, this.author) ? this : new Store(this, author);
  }

  /** Who this store's writes are recorded as made by; null when unknown. */
  public String author() {
    return author;
  }

  // ---- writes ----

  public CompletionStage<StoreResult> create(KubeObject object) {
    return write(object.key(), replyTo -> new ResourceEntity.Create(object, author, replyTo));
  }

  public CompletionStage<StoreResult> replace(KubeObject object, boolean keepStatus, long expectedRevision) {
    return write(object.key(), replyTo -> new ResourceEntity.Replace(object, keepStatus, expectedRevision, author,
        replyTo));
  }

  public CompletionStage<StoreResult> replaceStatus(KubeObject object, long expectedRevision) {
    return write(object.key(), replyTo -> new ResourceEntity.ReplaceStatus(object, expectedRevision, author, replyTo));
  }

  public CompletionStage<StoreResult> bind(String podKey, String nodeName, String expectedUid, long expectedRevision,
      String timestamp) {
    return write(podKey, replyTo -> new ResourceEntity.Bind(nodeName, expectedUid, expectedRevision, timestamp,
        author, replyTo));
  }

  /**
   * Deletes with the kind's default grace period: a pod bound to a node is marked for its
   * {@code spec.terminationGracePeriodSeconds} and stays until its node agent deletes it with grace 0; other
   * objects go at once unless finalizers hold them. See {@link ResourceEntity.Delete}.
   */
  public CompletionStage<StoreResult> delete(String key, String timestamp, String expectedUid, long expectedRevision) {
    return delete(key, timestamp, expectedUid, expectedRevision, null, List.of());
  }

  /**
   * A delete as Kubernetes' DeleteOptions state it. {@code gracePeriodSeconds}: null for the kind's default, 0 to
   * remove a pod now (what a node agent sends once the pod's containers are gone, with the pod's uid as
   * {@code expectedUid}); only pods honour it. {@code finalizers} are added as the object is marked (propagation
   * Orphan or Foreground). {@link StoreResult.Written#removed()} tells whether the object is gone or only marked.
   */
  public CompletionStage<StoreResult> delete(String key, String timestamp, String expectedUid, long expectedRevision,
      Long gracePeriodSeconds, List<String> finalizers) {
    return write(key, replyTo -> new ResourceEntity.Delete(timestamp, expectedUid, expectedRevision,
        gracePeriodSeconds, finalizers, author, replyTo));
  }

  /**
   * The entity's reply is looked at on the thread that sent it (the entity's: a check, a wake of the feed, a waiter
   * registered), and the caller carries on on Pekko's default dispatcher whatever the outcome: never on the entity's
   * thread, the feed's (which completes its waiters under the cache's lock), the scheduler's (an ask's timeout), or
   * ForkJoinPool.commonPool, where the stage a javadsl ask returns (Scala's CompletableFuture) would send every
   * continuation given no executor: one thread on two cores, and a hand-off between pools for each write.
   */
  private CompletionStage<StoreResult> write(String key, Function<ActorRef<Reply>, Command> command) {
    return onDispatcher(gate.pass(() -> sharding.entityRefFor(ResourceEntity.ENTITY_KEY, key).<Reply>ask(
            command::apply, askTimeout))
        .thenCompose(reply -> {
          if (reply instanceof ResourceEntity.Rejected r) {
            return CompletableFuture.completedFuture(new StoreResult.Refused(r.reason(), r.message()));
          }
          ResourceEntity.Accepted a = (ResourceEntity.Accepted) reply;
          feed.wake();
          return cache.awaitApplied(key, a.revision())
              .toCompletableFuture()
              .orTimeout(readYourWritesTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .thenApply(stored -> (StoreResult) new StoreResult.Written(stored, a.removed()));
        }));
  }

  /** The same outcome, completed on Pekko's default dispatcher: what a caller chains runs there. */
  private <T> CompletionStage<T> onDispatcher(CompletionStage<T> stage) {
    return stage.whenCompleteAsync((value, failure) -> { }, system.executionContext());
  }

  // ---- reads and revisions ----

  /** The object as its entity holds it now (authoritative, ahead of any cache), and the entity revision. */
  public record Current(KubeObject object, long revision) {}

  public CompletionStage<Optional<Current>> current(String key) {
    // an entity asked may start, and read the journal
    return onDispatcher(gate.pass(() -> sharding.entityRefFor(ResourceEntity.ENTITY_KEY, key)
            .<Reply>ask(ResourceEntity.Get::new, askTimeout))
        .thenApply(reply -> reply instanceof ResourceEntity.Accepted a
            ? Optional.of(new Current(a.object(), a.revision()))
            : Optional.empty()));
  }

  public Optional<Stored> get(String key) {
    return cache.get(key);
  }

  /**
   * Maps a client's resourceVersion for {@code key} onto the entity revision a conditional write compares:
   * the entity's sequence number when the cache holds the object at exactly that version, otherwise a revision
   * that never matches (the entity then answers Conflict, or NotFound when the object is gone).
   */
  public CompletionStage<Long> expectedRevision(String key, String resourceVersion) {
    if (resourceVersion == null || resourceVersion.isEmpty()) {
      return CompletableFuture.completedFuture(ResourceEntity.ANY_REVISION);
    }
    long wanted;
    try {
      wanted = Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      return CompletableFuture.completedFuture(Long.MAX_VALUE);
    }
    return cache.awaitRevision(wanted).toCompletableFuture()
        .completeOnTimeout(-1L, readYourWritesTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApplyAsync(reached -> cache.get(key)
            .filter(s -> s.revision() == wanted)
            .map(Stored::sequenceNr)
            .orElse(Long.MAX_VALUE), system.executionContext());
  }

  @Override
  public void close() {
    if (view) return;
    bookmarks.cancel();
    stats.cancel();
    feed.close();
  }
}
