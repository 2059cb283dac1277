package io.troupe.persistence.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.TestSystems;
import io.troupe.persistence.cluster.ClusterFormation;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.watch.Expired;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StoreTest {
  static ActorTestKit testKit;
  static Store store;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("troupe-store");
    testKit = ActorTestKit.create("StoreTest",
        TestSystems.singleJvm(dir, Map.of("troupe.watch-cache.window-size", 50)));
    ClusterFormation.join(testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    store = Store.start(testKit.system());
    store.cache().whenReady().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    testKit.shutdownTestKit();
  }

  static KubeObject configMap(String name, String value) {
    var body = Json.object();
    body.putObject("data").put("k", value);
    return new KubeObject("v1", "ConfigMap",
        ObjectMeta.named("default", name).withCreation("uid-" + name, "2026-11-25T00:00:00Z"), body);
  }

  static StoreResult await(java.util.concurrent.CompletionStage<StoreResult> s) throws Exception {
    return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void createIsReadableAtOnceWithAResourceVersionAndAStaleUpdateConflicts() throws Exception {
    var created = assertInstanceOf(StoreResult.Written.class, await(store.create(configMap("a", "1"))));
    String rv = created.stored().object().metadata().resourceVersion();
    assertEquals(Long.toString(created.stored().revision()), rv);
    assertEquals(rv, store.get("ConfigMap/default/a").orElseThrow().object().metadata().resourceVersion());

    var again = assertInstanceOf(StoreResult.Refused.class, await(store.create(configMap("a", "1"))));
    assertEquals(ResourceEntity.Reason.ALREADY_EXISTS, again.reason());

    long expected = store.expectedRevision("ConfigMap/default/a", rv).toCompletableFuture().get();
    var updated = assertInstanceOf(StoreResult.Written.class,
        await(store.replace(configMap("a", "2"), false, expected)));
    assertNotEquals(rv, updated.stored().object().metadata().resourceVersion());

    long stale = store.expectedRevision("ConfigMap/default/a", rv).toCompletableFuture().get();
    var conflict = assertInstanceOf(StoreResult.Refused.class, await(store.replace(configMap("a", "3"), false, stale)));
    assertEquals(ResourceEntity.Reason.CONFLICT, conflict.reason());
  }

  /**
   * What a caller chains on a write or a read of an entity runs on Pekko's default dispatcher, whatever the answer:
   * not on ForkJoinPool.commonPool, where the stage of a javadsl ask would send it.
   */
  @Test
  void whatACallerChainsOnAWriteOrAnEntityReadRunsOnPekkosDefaultDispatcher() throws Exception {
    store.create(configMap("threads", "1")).toCompletableFuture().get(20, TimeUnit.SECONDS);
    List<Supplier<CompletionStage<?>>> calls = List.of(
        () -> store.create(configMap("threads-" + System.nanoTime(), "1")), // written
        () -> store.create(configMap("threads", "1")), // refused: it exists
        () -> store.current("ConfigMap/default/threads"));
    for (var call : calls) {
      String caller = Thread.currentThread().getName();
      String ranOn = caller;
      // a stage already complete when chained on runs its continuation on the caller's thread: ask again
      for (int attempt = 0; attempt < 20 && ranOn.equals(caller); attempt++) {
        ranOn = call.get().thenApply(answer -> Thread.currentThread().getName()).toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
      }
      assertTrue(ranOn.contains("pekko.actor.default-dispatcher"), ranOn);
    }
  }

  @Test
  void theWatchCacheHoldsTheWrittenObjectItselfNotAParsedCopy() throws Exception {
    KubeObject written = configMap("handed-over", "1");
    assertInstanceOf(StoreResult.Written.class, await(store.create(written)));
    // the journal feed found the row's bytes among those this JVM serialized (RecentEvents) and took the event
    assertSame(written.body(), store.get("ConfigMap/default/handed-over").orElseThrow().object().body());
  }

  @Test
  void aWatchFromARevisionSeesEveryLaterChangeInOrder() throws Exception {
    await(store.create(configMap("w0", "0")));
    long from = store.cache().revision();
    var events = store.cache()
        .watch(new WatchRequest("ConfigMap", "default", o -> o.metadata().name().startsWith("w"), from, false, false))
        .take(3)
        .runWith(Sink.seq(), testKit.system());
    await(store.create(configMap("w1", "1")));
    var w1 = (StoreResult.Written) await(store.replace(configMap("w1", "2"), false, ResourceEntity.ANY_REVISION));
    await(store.delete("ConfigMap/default/w1", "2026-11-25T00:00:01Z", null, ResourceEntity.ANY_REVISION));
    List<WatchEvent> seen = events.toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(List.of(WatchEvent.Type.ADDED, WatchEvent.Type.MODIFIED, WatchEvent.Type.DELETED),
        seen.stream().map(WatchEvent::type).toList());
    assertEquals(w1.stored().object().metadata().resourceVersion(), seen.get(1).object().metadata().resourceVersion());
  }

  @Test
  void aWatchFromBeforeTheWindowIsExpired() throws Exception {
    long old = store.cache().revision();
    for (int i = 0; i < 60; i++) await(store.create(configMap("x" + i, "v")));
    assertThrows(Expired.class, () -> store.cache()
        .watch(new WatchRequest("ConfigMap", null, o -> true, old, false, false)));
  }
}
