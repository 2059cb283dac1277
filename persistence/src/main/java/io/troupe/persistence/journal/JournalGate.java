package io.troupe.persistence.journal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What lets the journal's database be closed for a moment under a running JVM (the H2 file's full compaction,
 * {@link H2Maintenance}), as etcd's defragmentation blocks its writes: every store request that reaches an entity
 * (and so the journal) passes the gate; {@link #close} makes new ones wait and completes once those in flight have
 * ended; {@link #open} lets the waiting ones go on. Nothing fails: a write that came meanwhile is only later.
 */
public final class JournalGate implements Extension {
  private final Executor executor;
  private final Object lock = new Object();
  private int inFlight;
  /** Completed when the gate opens again; null while it is open. */
  private CompletableFuture<Void> reopened;
  /** Completed once nothing is in flight after a close. */
  private CompletableFuture<Void> drained;

  JournalGate(Executor executor) {
    this.executor = executor;
  }

  /** The gate of {@code system}'s journal. */
  public static JournalGate get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /**
   * Runs {@code work} once the gate is open, counted as in flight until the stage it returns completes. The stage
   * returned completes on the thread that completes {@code work}'s.
   */
  public <T> CompletionStage<T> pass(Supplier<CompletionStage<T>> work) {
    CompletableFuture<Void> wait;
    synchronized (lock) {
      wait = reopened;
      if (wait == null) inFlight++;
    }
    if (wait != null) return wait.thenComposeAsync(ignored -> pass(work), executor);
    CompletionStage<T> result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      leave();
      throw e;
    }
    // on the thread that completes the work: the stage a Pekko javadsl ask returns is Scala's CompletableFuture,
    // which would hand a continuation without an executor to ForkJoinPool.commonPool (one thread on two cores)
    return result.whenCompleteAsync((value, failure) -> leave(), Runnable::run);
  }

  private void leave() {
    CompletableFuture<Void> done = null;
    synchronized (lock) {
      inFlight--;
      if (inFlight == 0 && drained != null) done = drained;
    }
    if (done != null) done.complete(null);
  }

  /**
   * Closes the gate: what comes now waits. Completes once what was in flight has ended, or fails after
   * {@code deadline} (the gate then stays closed until {@link #open}).
   */
  public CompletionStage<Void> close(Duration deadline) {
    synchronized (lock) {
      if (reopened != null) throw new IllegalStateException("the journal gate is closed already");
      reopened = new CompletableFuture<>();
      drained = new CompletableFuture<>();
      if (inFlight == 0) drained.complete(null);
      return drained.orTimeout(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  /** Opens the gate: the requests that waited go on. */
  public void open() {
    CompletableFuture<Void> waiting;
    synchronized (lock) {
      waiting = reopened;
      reopened = null;
      drained = null;
    }
    if (waiting != null) waiting.complete(null);
  }

  private static final class Id extends ExtensionId<JournalGate> {
    static final Id INSTANCE = new Id();

    @Override
    public JournalGate createExtension(ActorSystem<?> system) {
      return new JournalGate(system.executionContext());
    }
  }
}
