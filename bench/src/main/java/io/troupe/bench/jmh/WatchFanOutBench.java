package io.troupe.bench.jmh;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.WatchCache;
import io.troupe.persistence.watch.WatchRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Pod changes fanned out to {@code watchers} open watches by the real {@link WatchCache}, driven in-process as its
 * journal feed drives it ({@link WatchCache#apply}): each change goes into every watch's bounded queue, and each
 * watch is a Pekko stream that a consumer drains (as the HTTP edge drains it before writing JSON lines). One
 * invocation applies {@value #BATCH} changes (MODIFIED, over 1,000 pods) and waits until every watcher has received
 * every one, so the score is the time per change delivered to all watchers; the report divides it by
 * {@code watchers} for the time per delivery. {@code watchers = 0} is the cache's own cost per change (index and
 * window, no fan-out). Every watch takes every pod (a controller's watch, the widest fan-out); the JSON encoding of
 * the watch lines is not included (see {@link SerializationBench}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WatchFanOutBench {
  static final int BATCH = 100;
  private static final int OBJECTS = 1_000;

  @Param({"0", "1", "100", "1000"})
  public int watchers;

  private ActorSystem<Void> system;
  private WatchCache cache;
  private KubeObject[] pods;
  private String[] keys;
  private long revision;
  private final long[] sequenceNrs = new long[OBJECTS];
  private final AtomicLong remaining = new AtomicLong();
  private volatile CompletableFuture<Void> delivered;

  @Setup(Level.Trial)
  public void setUp() {
    system = LocalSystem.start("watch-fan-out-bench");
    // a window of 1,000 changes; a watcher may hold two batches before the cache would close it
    cache = new WatchCache(system, 1_000, 2 * BATCH);
    pods = new KubeObject[OBJECTS];
    keys = new String[OBJECTS];
    for (int i = 0; i < OBJECTS; i++) {
      pods[i] = Manifests.pod(i);
      keys[i] = pods[i].key();
      cache.apply(++revision, keys[i], ++sequenceNrs[i], pods[i], false);
    }
    cache.markReady();
    for (int w = 0; w < watchers; w++) {
      cache.watch(new WatchRequest("Pod", null, o -> true, revision, false, false))
          .runWith(Sink.foreach(e -> {
            if (remaining.decrementAndGet() == 0) delivered.complete(null);
          }), system);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    int open = cache.watcherCount();
    system.terminate();
    if (open != watchers) {
      throw new IllegalStateException(open + " of " + watchers + " watches still open: the cache closed some");
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long applyAndDeliver() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    delivered = done;
    remaining.set((long) watchers * BATCH);
    if (watchers == 0) done.complete(null);
    for (int b = 0; b < BATCH; b++) {
      int i = (int) (revision % OBJECTS);
      cache.apply(++revision, keys[i], ++sequenceNrs[i], pods[i], false);
    }
    try {
      done.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(remaining.get() + " deliveries missing after 30 s", e);
    }
    return revision;
  }
}
