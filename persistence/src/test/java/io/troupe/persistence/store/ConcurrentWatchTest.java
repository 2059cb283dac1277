package io.troupe.persistence.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.troupe.persistence.TestSystems;
import io.troupe.persistence.cluster.ClusterFormation;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real store (sharded entities, H2 journal, journal feed, watch cache) under concurrent writers: a watch
 * must never skip, repeat or reorder an acknowledged write, whichever revision it started from.
 */
class ConcurrentWatchTest {
  private static final int WRITERS = 8;
  private static final int WRITES_EACH = 100;
  private static final int OBJECTS = 100;
  private static final String END = "zz-end";

  static ActorTestKit testKit;
  static Store store;

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create("ConcurrentWatchTest",
        TestSystems.singleJvm(Files.createTempDirectory("troupe-concurrent-watch")));
    ClusterFormation.join(testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    store = Store.start(testKit.system());
    store.cache().whenReady().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    testKit.shutdownTestKit();
  }

  /** One acknowledged write as its writer saw it. */
  record Ack(long revision, String name, boolean created, String value) {
    String asWatched() {
      return (created ? "ADDED " : "MODIFIED ") + name + " " + revision;
    }
  }

  /** A watcher started at {@code from}, and everything it received before the end marker. */
  record Watcher(long from, CompletionStage<List<WatchEvent>> events) {}

  static KubeObject configMap(String name, String value) {
    var body = Json.object();
    body.putObject("data").put("value", value);
    return new KubeObject("v1", "ConfigMap",
        ObjectMeta.named("default", name).withCreation("uid-" + name, "2026-11-25T00:00:00Z"), body);
  }

  static StoreResult await(CompletionStage<StoreResult> s) throws Exception {
    return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Replaces the object, or creates it when it is not there yet (another writer may win that race). */
  static Ack write(String name, String value) throws Exception {
    KubeObject object = configMap(name, value);
    for (int attempt = 0; attempt < 5; attempt++) {
      StoreResult replaced = await(store.replace(object, false, ResourceEntity.ANY_REVISION));
      if (replaced instanceof StoreResult.Written w) return new Ack(w.stored().revision(), name, false, value);
      StoreResult created = await(store.create(object));
      if (created instanceof StoreResult.Written w) return new Ack(w.stored().revision(), name, true, value);
    }
    throw new AssertionError("no write of " + name + " was acknowledged");
  }

  static Watcher watchFrom(long from) {
    var events = store.cache()
        .watch(new WatchRequest("ConfigMap", "default", o -> true, from, false, false))
        .takeWhile(e -> !END.equals(e.object().metadata().name()))
        .runWith(Sink.seq(), testKit.system());
    return new Watcher(from, events);
  }

  /** Equal lists, or a failure naming the first event that differs (the lists are long). */
  static void assertSameEvents(List<String> expected, List<String> seen, String what) {
    int i = 0;
    while (i < expected.size() && i < seen.size() && expected.get(i).equals(seen.get(i))) i++;
    if (i < expected.size() || i < seen.size()) {
      fail(what + ": " + expected.size() + " events expected, " + seen.size() + " seen; at event " + i
          + " expected " + (i < expected.size() ? expected.get(i) : "nothing")
          + " but saw " + (i < seen.size() ? seen.get(i) : "nothing"));
    }
  }

  @Test
  void everyWatcherSeesEveryAcknowledgedWriteAfterItsStartOnceAndInOrder() throws Exception {
    ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    CountDownLatch oneThird = new CountDownLatch(WRITERS * WRITES_EACH / 3);
    CountDownLatch twoThirds = new CountDownLatch(WRITERS * WRITES_EACH * 2 / 3);
    List<Watcher> watchers = new ArrayList<>();
    watchers.add(watchFrom(store.cache().revision()));

    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(pool.submit(() -> {
          for (int i = 0; i < WRITES_EACH; i++) {
            // each writer walks all objects from its own offset, so writers meet on the same objects
            acks.add(write("cm-" + (writer * 13 + i) % OBJECTS, writer + "-" + i));
            oneThird.countDown();
            twoThirds.countDown();
          }
          return null;
        }));
      }
      assertTrue(oneThird.await(60, TimeUnit.SECONDS), "a third of the writes within 60 s");
      watchers.add(watchFrom(store.cache().revision()));
      assertTrue(twoThirds.await(60, TimeUnit.SECONDS), "two thirds of the writes within 60 s");
      watchers.add(watchFrom(store.cache().revision()));
      for (Future<?> writer : writers) writer.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertTrue(await(store.create(configMap(END, "end"))) instanceof StoreResult.Written);

    List<Ack> acknowledged = new ArrayList<>(acks);
    acknowledged.sort(Comparator.comparingLong(Ack::revision));
    assertEquals(WRITERS * WRITES_EACH, acknowledged.size());
    assertEquals(OBJECTS, acknowledged.stream().filter(Ack::created).count());
    assertTrue(watchers.get(0).from() < watchers.get(1).from() && watchers.get(1).from() < watchers.get(2).from(),
        "the watchers started at different revisions");

    for (Watcher watcher : watchers) {
      List<WatchEvent> events = watcher.events().toCompletableFuture().get(60, TimeUnit.SECONDS);
      List<Long> revisions = events.stream()
          .map(e -> Long.parseLong(e.object().metadata().resourceVersion())).toList();
      for (int i = 1; i < revisions.size(); i++) {
        assertTrue(revisions.get(i - 1) < revisions.get(i),
            "from " + watcher.from() + ": " + revisions.get(i - 1) + " then " + revisions.get(i));
      }
      List<String> expected = acknowledged.stream()
          .filter(a -> a.revision() > watcher.from()).map(Ack::asWatched).toList();
      List<String> seen = events.stream()
          .map(e -> e.type() + " " + e.object().metadata().name() + " " + e.object().metadata().resourceVersion())
          .toList();
      assertSameEvents(expected, seen, "the watch from " + watcher.from());
    }

    // and the cache ends with every object at its last acknowledged value
    Map<String, String> last = new TreeMap<>();
    for (Ack a : acknowledged) last.put(a.name(), a.value());
    Map<String, String> cached = new TreeMap<>();
    for (KubeObject o : store.cache().list("ConfigMap", "default", o -> !END.equals(o.metadata().name()), null, 0)
        .items()) {
      cached.put(o.metadata().name(), Json.text(o.body(), "data.value"));
    }
    assertEquals(last, cached);
  }
}
