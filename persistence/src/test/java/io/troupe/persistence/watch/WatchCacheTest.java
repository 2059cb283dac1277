package io.troupe.persistence.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.selector.LabelSelector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watch cache fed by hand, as the journal feed would feed it: revisions (journal orderings) increase but
 * need not be contiguous, and every change carries the entity's sequence number.
 */
class WatchCacheTest {
  private static final Predicate<KubeObject> EVERYTHING = o -> true;

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("WatchCacheTest");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Feeds one cache: each change gets the next revision (in steps of 10) and its key's next sequence number. */
  private static final class Feed {
    final WatchCache cache;
    final Map<String, Long> sequenceNrs = new HashMap<>();
    long revision;

    Feed(int windowSize, int watcherBuffer) {
      cache = new WatchCache(testKit.system(), windowSize, watcherBuffer);
    }

    long put(KubeObject o) {
      return apply(o, false);
    }

    long delete(KubeObject o) {
      return apply(o, true);
    }

    private long apply(KubeObject o, boolean deleted) {
      revision += 10;
      cache.apply(revision, o.key(), sequenceNrs.merge(o.key(), 1L, Long::sum), o, deleted);
      return revision;
    }
  }

  private static KubeObject pod(String namespace, String name, String app) {
    ObjectMeta meta = new ObjectMeta(name, null, namespace, "uid-" + name, null, 1L, "2026-11-25T10:00:00Z", null,
        null, Map.of("app", app), null, null, null);
    var body = Json.object();
    body.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", app);
    return new KubeObject("v1", "Pod", meta, body);
  }

  private static Predicate<KubeObject> selector(String labelSelector) {
    LabelSelector s = LabelSelector.parse(labelSelector);
    return o -> s.matches(o.metadata().labels());
  }

  private static WatchRequest podsIn(String namespace, Predicate<KubeObject> filter, Long from) {
    return new WatchRequest("Pod", namespace, filter, from, false, false);
  }

  /** Every event up to and including the first about an object named {@code lastName}. */
  private static List<WatchEvent> until(Source<WatchEvent, NotUsed> watch, String lastName) throws Exception {
    return watch.takeWhile(e -> !lastName.equals(e.object().metadata().name()), true)
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** What a client prints for each event: type, name and resourceVersion. */
  private static List<String> seen(List<WatchEvent> events) {
    return events.stream()
        .map(e -> e.type() + " " + e.object().metadata().name() + " " + e.object().metadata().resourceVersion())
        .toList();
  }

  private static List<String> names(WatchCache.Page page) {
    return page.items().stream().map(o -> o.metadata().namespace() + "/" + o.metadata().name()).toList();
  }

  private static <T> T done(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static KubeObject ownedBy(KubeObject pod, String... ownerUids) {
    var refs = java.util.Arrays.stream(ownerUids)
        .map(u -> new io.troupe.persistence.model.OwnerReference("apps/v1", "ReplicaSet", "rs-" + u, u, true, null))
        .toList();
    ObjectMeta m = pod.metadata();
    return pod.withMetadata(new ObjectMeta(m.name(), null, m.namespace(), m.uid(), null, 1L, m.creationTimestamp(),
        null, null, m.labels(), null, refs, null));
  }

  @Test
  void dependentsFollowTheirOwnerReferencesThroughUpdatesAndDeletes() {
    Feed feed = new Feed(100, 10);
    KubeObject a = ownedBy(pod("default", "a", "web"), "rs-1");
    KubeObject b = ownedBy(pod("default", "b", "web"), "rs-1", "rs-2");
    feed.put(a);
    feed.put(b);
    feed.put(pod("default", "c", "web"));
    assertEquals(List.of("a", "b"), names(feed.cache.dependents("rs-1")));
    assertEquals(List.of("b"), names(feed.cache.dependents("rs-2")));

    feed.put(ownedBy(a, "rs-2")); // a changes owner
    assertEquals(List.of("b"), names(feed.cache.dependents("rs-1")));
    assertEquals(List.of("a", "b"), names(feed.cache.dependents("rs-2")));
    assertEquals("rs-rs-2", feed.cache.dependents("rs-2").get(0).metadata().ownerReferences().get(0).name());

    feed.delete(b);
    assertEquals(List.of(), names(feed.cache.dependents("rs-1")));
    assertEquals(List.of("a"), names(feed.cache.dependents("rs-2")));
    assertEquals(List.of(), names(feed.cache.dependents("nobody")));
  }

  private static List<String> names(List<KubeObject> objects) {
    return objects.stream().map(o -> o.metadata().name()).toList();
  }

  @Test
  void listReturnsOneKindAndNamespaceInKeyOrderWithItsResourceVersions() {
    Feed feed = new Feed(100, 100);
    feed.put(pod("default", "b", "web"));
    long aRevision = feed.put(pod("default", "a", "web"));
    feed.put(pod("kube-system", "c", "dns"));
    feed.put(pod("defaults", "d", "web"));
    feed.put(new KubeObject("v1", "Service", ObjectMeta.named("default", "a"), null));
    feed.put(pod("default", "e", "db"));

    WatchCache.Page inDefault = feed.cache.list("Pod", "default", EVERYTHING, null, 0);
    assertEquals(List.of("default/a", "default/b", "default/e"), names(inDefault));
    assertEquals(Long.toString(aRevision), inDefault.items().get(0).metadata().resourceVersion());
    assertEquals(feed.revision, inDefault.revision());
    assertNull(inDefault.continueAfter());
    assertEquals(0, inDefault.remaining());

    assertEquals(List.of("default/a", "default/b", "default/e", "defaults/d", "kube-system/c"),
        names(feed.cache.list("Pod", null, EVERYTHING, null, 0)));
    assertEquals(List.of("default/a", "default/b"),
        names(feed.cache.list("Pod", "default", selector("app=web"), null, 0)));
    assertEquals(List.of(), names(feed.cache.list("Pod", "nowhere", EVERYTHING, null, 0)));
  }

  @Test
  void listPagesWithLimitAndContinue() {
    Feed feed = new Feed(100, 100);
    for (String name : List.of("p1", "p2", "p3", "p4", "p5", "p6")) {
      feed.put(pod("default", name, name.equals("p3") ? "db" : "web"));
    }
    Predicate<KubeObject> web = selector("app=web");

    WatchCache.Page first = feed.cache.list("Pod", "default", web, null, 2);
    assertEquals(List.of("default/p1", "default/p2"), names(first));
    assertEquals("Pod/default/p2", first.continueAfter());
    assertEquals(3, first.remaining());

    WatchCache.Page second = feed.cache.list("Pod", "default", web, first.continueAfter(), 2);
    assertEquals(List.of("default/p4", "default/p5"), names(second));
    assertEquals(1, second.remaining());

    WatchCache.Page last = feed.cache.list("Pod", "default", web, second.continueAfter(), 2);
    assertEquals(List.of("default/p6"), names(last));
    assertNull(last.continueAfter());
    assertEquals(0, last.remaining());
  }

  @Test
  void aContinueKeyFromAnotherListGivesAPageNotAnError() {
    Feed feed = new Feed(100, 100);
    feed.put(pod("default", "a", "web"));
    feed.put(pod("default", "b", "web"));
    feed.put(pod("kube-system", "c", "web"));

    // keys sort "ConfigMap/..." < "Pod/default/..." < "Pod/kube-system/...": before the range, then past it
    assertEquals(List.of("default/a", "default/b"),
        names(feed.cache.list("Pod", "default", EVERYTHING, "ConfigMap/default/x", 0)));
    assertEquals(List.of(), names(feed.cache.list("Pod", "default", EVERYTHING, "Pod/kube-system/c", 0)));
  }

  @Test
  void getReturnsTheObjectAtItsLastChangeUntilItIsDeleted() {
    Feed feed = new Feed(100, 100);
    feed.put(pod("default", "web", "v1"));
    long modified = feed.put(pod("default", "web", "v2"));

    Stored stored = feed.cache.get("Pod/default/web").orElseThrow();
    assertEquals(modified, stored.revision());
    assertEquals(2, stored.sequenceNr());
    assertEquals(Long.toString(modified), stored.object().metadata().resourceVersion());
    assertEquals("v2", stored.object().metadata().labels().get("app"));
    assertEquals(1, feed.cache.size());

    feed.delete(pod("default", "web", "v2"));
    assertTrue(feed.cache.get("Pod/default/web").isEmpty());
    assertEquals(0, feed.cache.size());
  }

  @Test
  void aWatchWithALabelSelectorSeesObjectsEnterAndLeaveItsSelection() throws Exception {
    Feed feed = new Feed(100, 100);
    feed.put(pod("default", "old", "web"));
    var watch = feed.cache.watch(podsIn("default", selector("app=web"), feed.revision));

    feed.put(pod("default", "x", "db"));
    long entered = feed.put(pod("default", "x", "web"));
    long modified = feed.put(pod("default", "x", "web").withField("status", Json.object().put("phase", "Running")));
    long left = feed.put(pod("default", "x", "db"));
    feed.delete(pod("default", "x", "db"));
    feed.put(pod("other", "y", "web"));
    long oldGone = feed.delete(pod("default", "old", "web"));
    long end = feed.put(pod("default", "end", "web"));

    assertEquals(List.of("ADDED x " + entered, "MODIFIED x " + modified, "DELETED x " + left,
        "DELETED old " + oldGone, "ADDED end " + end), seen(until(watch, "end")));
  }

  @Test
  void aWatchFromARevisionReplaysTheChangesAfterItThenFollows() throws Exception {
    Feed feed = new Feed(100, 100);
    feed.put(pod("default", "a", "web"));
    long from = feed.put(pod("default", "b", "web"));
    long aModified = feed.put(pod("default", "a", "db"));
    long bDeleted = feed.delete(pod("default", "b", "web"));

    var watch = feed.cache.watch(podsIn("default", EVERYTHING, from));
    long c = feed.put(pod("default", "c", "web"));

    assertEquals(List.of("MODIFIED a " + aModified, "DELETED b " + bDeleted, "ADDED c " + c),
        seen(until(watch, "c")));
  }

  @Test
  void aWatchFromARevisionThisCacheHasNotReachedYetStartsAfterIt() throws Exception {
    // another API server's cache may be ahead: a client lists there at revision 30, then watches here
    Feed feed = new Feed(100, 100);
    feed.put(pod("default", "a", "web"));
    var watch = feed.cache.watch(new WatchRequest("Pod", "default", EVERYTHING, 30L, false, true));
    feed.cache.bookmark();
    feed.put(pod("default", "b", "web"));
    long caughtUp = feed.put(pod("default", "a", "db"));
    feed.cache.bookmark();
    long c = feed.put(pod("default", "c", "web"));

    // neither the changes up to 30 again, nor a bookmark that would take the client back before 30
    assertEquals(List.of("BOOKMARK null " + caughtUp, "ADDED c " + c), seen(until(watch, "c")));
  }

  @Test
  void aWatchFromBeforeTheWindowIsExpired() throws Exception {
    Feed feed = new Feed(3, 100);
    long first = feed.put(pod("default", "a", "web"));
    long second = feed.put(pod("default", "b", "web"));
    feed.put(pod("default", "c", "web"));
    feed.put(pod("default", "d", "web"));
    long last = feed.put(pod("default", "e", "web"));

    Expired expired = assertThrows(Expired.class, () -> feed.cache.watch(podsIn(null, EVERYTHING, first)));
    assertTrue(expired.getMessage().startsWith("too old resource version: " + first), expired.getMessage());
    assertThrows(Expired.class, () -> feed.cache.watch(podsIn(null, EVERYTHING, 0L)));

    // the oldest revision a client may still hold: the three changes after it are in the window
    var watch = feed.cache.watch(podsIn(null, EVERYTHING, second));
    assertEquals(List.of("ADDED c " + (second + 10), "ADDED d " + (second + 20), "ADDED e " + last),
        seen(until(watch, "e")));
  }

  @Test
  void initialEventsAreTheCurrentObjectsThenABookmarkMarkingTheirEnd() throws Exception {
    Feed feed = new Feed(100, 100);
    long b = feed.put(pod("default", "b", "web"));
    long a = feed.put(pod("default", "a", "web"));
    feed.put(pod("default", "gone", "web"));
    feed.delete(pod("default", "gone", "web"));
    feed.put(pod("default", "db", "db"));
    long listed = feed.revision;

    var watch = feed.cache.watch(new WatchRequest("Pod", "default", selector("app=web"), 0L, true, true));
    long c = feed.put(pod("default", "c", "web"));

    List<WatchEvent> events = until(watch, "c");
    assertEquals(List.of("ADDED a " + a, "ADDED b " + b, "BOOKMARK null " + listed, "ADDED c " + c), seen(events));
    KubeObject bookmark = events.get(2).object();
    assertEquals("Pod", bookmark.kind());
    assertEquals("v1", bookmark.apiVersion());
    assertEquals(Map.of("k8s.io/initial-events-end", "true"), bookmark.metadata().annotations());
  }

  @Test
  void bookmarksReachOnlyTheWatchersThatAskedForThem() throws Exception {
    Feed feed = new Feed(100, 100);
    long at = feed.put(pod("default", "a", "web"));
    var withBookmarks = feed.cache.watch(new WatchRequest("Pod", null, EVERYTHING, at, false, true));
    var without = feed.cache.watch(podsIn(null, EVERYTHING, at));

    feed.cache.bookmark();
    long end = feed.put(pod("default", "end", "web"));

    List<WatchEvent> bookmarked = until(withBookmarks, "end");
    assertEquals(List.of("BOOKMARK null " + at, "ADDED end " + end), seen(bookmarked));
    assertTrue(bookmarked.get(0).object().metadata().annotations().isEmpty());
    assertEquals(List.of("ADDED end " + end), seen(until(without, "end")));
  }

  @Test
  void aWatcherThatFallsTooFarBehindIsClosedWhileTheOthersCarryOn() throws Exception {
    Feed feed = new Feed(100, 3);
    var slow = feed.cache.watch(podsIn(null, EVERYTHING, 0L));
    BlockingQueue<WatchEvent> fast = new LinkedBlockingQueue<>();
    feed.cache.watch(podsIn(null, EVERYTHING, 0L)).runWith(Sink.foreach(fast::add), testKit.system());
    assertEquals(2, feed.cache.watcherCount());

    // nobody reads the slow watch: once its buffer of 3 (plus the few elements a stream stage prefetches) is
    // full, the next change closes it
    for (int i = 0; i < 10; i++) {
      long revision = feed.put(pod("default", "p" + i, "web"));
      WatchEvent e = fast.poll(5, TimeUnit.SECONDS);
      assertEquals("ADDED p" + i + " " + revision, e == null ? "nothing" : seen(List.of(e)).get(0));
    }

    List<WatchEvent> slowEvents = slow.runWith(Sink.seq(), testKit.system()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertTrue(slowEvents.size() >= 3 && slowEvents.size() < 10, "closed after its buffer: " + seen(slowEvents));
    for (int i = 0; i < slowEvents.size(); i++) {
      // what it did get is a gapless prefix, so it can re-watch from the last resourceVersion it saw
      assertEquals("ADDED p" + i + " " + (i + 1) * 10, seen(slowEvents).get(i));
    }
    assertEquals(1, feed.cache.watcherCount());
  }

  @Test
  void awaitAppliedCompletesWithTheObjectAsThatChangeLeftIt() throws Exception {
    Feed feed = new Feed(100, 100);
    long created = feed.put(pod("default", "web", "v1"));

    Stored already = done(feed.cache.awaitApplied("Pod/default/web", 1));
    assertEquals(created, already.revision());

    var later = feed.cache.awaitApplied("Pod/default/web", 2);
    var deletion = feed.cache.awaitApplied("Pod/default/web", 3);
    assertFalse(later.toCompletableFuture().isDone());
    feed.put(pod("default", "other", "v1"));
    assertFalse(later.toCompletableFuture().isDone(), "a change of another object does not count");

    long modified = feed.put(pod("default", "web", "v2"));
    assertEquals(modified, done(later).revision());
    assertEquals("v2", done(later).object().metadata().labels().get("app"));
    assertFalse(deletion.toCompletableFuture().isDone());

    long deleted = feed.delete(pod("default", "web", "v2"));
    assertEquals(deleted, done(deletion).revision());
    assertEquals(Long.toString(deleted), done(deletion).object().metadata().resourceVersion());

    // read-your-writes for a change that was overtaken by later ones: the object as that change left it
    Stored first = done(feed.cache.awaitApplied("Pod/default/web", 1));
    assertEquals(created, first.revision());
    assertEquals("v1", first.object().metadata().labels().get("app"));
    assertEquals(deleted, done(feed.cache.awaitApplied("Pod/default/web", 3)).revision());
  }

  @Test
  void awaitAppliedForAChangeOvertakenAndEvictedAnswersWithTheNewerObject() throws Exception {
    Feed feed = new Feed(2, 100);
    feed.put(pod("default", "web", "v1"));
    long modified = feed.put(pod("default", "web", "v2"));
    feed.put(pod("default", "a", "web"));
    feed.put(pod("default", "b", "web"));

    // the write at sequence number 1 is applied (the object has moved on) but no longer in the window
    Stored applied = done(feed.cache.awaitApplied("Pod/default/web", 1));
    assertEquals(modified, applied.revision());
    assertEquals(2, applied.sequenceNr());
  }

  @Test
  void awaitRevisionCompletesOnceTheCacheHasReachedIt() throws Exception {
    Feed feed = new Feed(100, 100);
    feed.put(pod("default", "a", "web"));
    assertEquals(10L, done(feed.cache.awaitRevision(5)));

    var ahead = feed.cache.awaitRevision(15);
    assertFalse(ahead.toCompletableFuture().isDone());
    feed.put(pod("default", "b", "web"));
    assertEquals(20L, done(ahead), "revisions need not be contiguous: the first one past the target completes it");
  }

  @Test
  void aRevisionAppliedAlreadyIsIgnored() throws Exception {
    Feed feed = new Feed(100, 100);
    feed.cache.apply(10, "Pod/default/a", 1, pod("default", "a", "web"), false);
    var watch = feed.cache.watch(podsIn(null, EVERYTHING, 10L));

    feed.cache.apply(10, "Pod/default/a", 2, pod("default", "a", "replayed"), false);
    feed.cache.apply(5, "Pod/default/a", 1, pod("default", "a", "db"), true);
    feed.cache.apply(20, "Pod/default/end", 1, pod("default", "end", "web"), false);

    assertEquals("web", feed.cache.get("Pod/default/a").orElseThrow().object().metadata().labels().get("app"));
    assertEquals(1, feed.cache.get("Pod/default/a").orElseThrow().sequenceNr());
    assertEquals(20, feed.cache.revision());
    assertEquals(List.of("ADDED end 20"), seen(until(watch, "end")));
  }

  @Test
  void theRevisionOfAKindMovesOnlyWithItsOwnChanges() {
    Feed feed = new Feed(100, 100);
    assertEquals(0, feed.cache.revisionOf(List.of("Pod", "ConfigMap")));
    long created = feed.put(pod("default", "a", "web"));
    KubeObject other = new KubeObject("v1", "ConfigMap", ObjectMeta.named("default", "c"), Json.object());
    feed.put(other);
    assertEquals(created, feed.cache.revisionOf(List.of("Pod")));
    long deleted = feed.delete(pod("default", "a", "web"));
    assertEquals(deleted, feed.cache.revisionOf(List.of("Pod", "Node")));
    assertEquals(deleted - 10, feed.cache.revisionOf(List.of("ConfigMap")));
  }
}
