package io.troupe.persistence.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.troupe.persistence.TestSystems;
import io.troupe.persistence.cluster.ClusterFormation;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import io.troupe.persistence.watch.WatchCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link WatchCache#podsOnNode}: the pods of one node by {@code spec.nodeName}, from the cache's index. Fed by hand
 * (a change of nodeName, deletes, other kinds) and by the real store (binds through the pod entity, removals) with a second cache loaded from the same journal, as a restarted API server loads it.
 */
class PodsOnNodeIndexTest {
  private static ActorTestKit testKit;
  private static Store store;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("troupe-pods-on-node");
    testKit = ActorTestKit.create("PodsOnNodeIndexTest", TestSystems.singleJvm(dir, Map.of()));
    ClusterFormation.join(testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    store = Store.start(testKit.system());
    store.cache().whenReady().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    store.close();
    testKit.shutdownTestKit();
  }

  private static KubeObject pod(String name, String nodeName) {
    var body = Json.object();
    var spec = body.putObject("spec");
    spec.putArray("containers").addObject().put("name", "app").put("image", "nginx");
    if (nodeName != null) spec.put("nodeName", nodeName);
    return new KubeObject("v1", "Pod",
        ObjectMeta.named("default", name).withCreation("uid-" + name, "2026-12-05T10:00:00Z"), body);
  }

  private static List<String> names(List<KubeObject> objects) {
    return objects.stream().map(o -> o.metadata().name()).toList();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void theIndexFollowsUpdatesThatMoveAPodDeletesAndIgnoresOtherKinds() {
    WatchCache cache = new WatchCache(testKit.system(), 100, 10);
    long[] revision = {0};
    java.util.function.BiConsumer<KubeObject, Boolean> apply = (o, deleted) -> {
      revision[0] += 10;
      cache.apply(revision[0], o.key(), revision[0], o, deleted);
    };
    apply.accept(pod("a", "n1"), false);
    apply.accept(pod("b", "n1"), false);
    apply.accept(pod("c", null), false);
    apply.accept(pod("d", ""), false);
    var configMapBody = Json.object();
    configMapBody.putObject("spec").put("nodeName", "n1"); // not a pod: never indexed
    apply.accept(new KubeObject("v1", "ConfigMap", ObjectMeta.named("default", "cm"), configMapBody), false);
    assertEquals(List.of("a", "b"), names(cache.podsOnNode("n1")));
    assertEquals(List.of(), names(cache.podsOnNode("")));

    apply.accept(pod("a", "n2"), false); // a moves
    apply.accept(pod("c", "n2"), false); // c is bound
    assertEquals(List.of("b"), names(cache.podsOnNode("n1")));
    assertEquals(List.of("a", "c"), names(cache.podsOnNode("n2")));
    assertEquals("n2", cache.podsOnNode("n2").get(0).body().path("spec").path("nodeName").asText());

    apply.accept(pod("b", "n1"), true);
    apply.accept(pod("a", null), false); // unbound again (a replace without nodeName)
    assertEquals(List.of(), names(cache.podsOnNode("n1")));
    assertEquals(List.of("c"), names(cache.podsOnNode("n2")));
    assertEquals(List.of(), names(cache.podsOnNode("nowhere")));
  }

  @Test
  void bindsThroughTheStoreAreIndexedAndACacheLoadedFromTheJournalHasTheSameIndex() throws Exception {
    for (String name : List.of("p1", "p2", "p3", "p4")) {
      assertInstanceOf(StoreResult.Written.class, await(store.create(pod(name, null))));
    }
    String ts = "2026-12-05T10:00:01Z";
    for (String[] bind : new String[][] {{"p1", "w1"}, {"p2", "w1"}, {"p3", "w2"}, {"p4", "w2"}}) {
      var written = await(store.bind("Pod/default/" + bind[0], bind[1], "uid-" + bind[0],
          io.troupe.persistence.entity.ResourceEntity.ANY_REVISION, ts));
      assertInstanceOf(StoreResult.Written.class, written, bind[0] + ": " + written);
    }
    assertEquals(List.of("p1", "p2"), names(store.cache().podsOnNode("w1")));
    assertEquals(List.of("p3", "p4"), names(store.cache().podsOnNode("w2")));

    await(store.delete("Pod/default/p2", ts, "uid-p2", io.troupe.persistence.entity.ResourceEntity.ANY_REVISION, 0L,
        List.of()));
    await(store.delete("Pod/default/p3", ts, "uid-p3", io.troupe.persistence.entity.ResourceEntity.ANY_REVISION, 0L,
        List.of()));
    assertEquals(List.of("p1"), names(store.cache().podsOnNode("w1")));
    assertEquals(List.of("p4"), names(store.cache().podsOnNode("w2")));

    WatchCache reloaded = new WatchCache(testKit.system(), 100, 10);
    JournalFeed feed = JournalFeed.start(testKit.system(), reloaded);
    try {
      await(reloaded.whenReady());
      assertEquals(List.of("p1"), names(reloaded.podsOnNode("w1")));
      assertEquals(List.of("p4"), names(reloaded.podsOnNode("w2")));
    } finally {
      feed.close();
    }
  }
}
