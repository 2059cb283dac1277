package io.troupe.persistence.watch;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.OwnerReference;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The read side of the store on one API-server JVM: the current objects by key, a bounded window of recent
 * changes, and the open watches. It is fed, in journal order, by {@link JournalFeed}; everything that reads
 * objects (list, get, watch, the controllers) reads here.
 *
 * <p>It is a monitor (every method synchronized) rather than an actor because routes read it synchronously
 * on every request and a watch must be registered atomically with the snapshot it starts from; the feed is
 * its only writer. No method blocks or does I/O while holding the lock.
 */
public final class WatchCache {
  private final int windowSize;
  private final int watcherBuffer;
  private final ActorSystem<?> system;

  private final TreeMap<String, Stored> objects = new TreeMap<>();
  /** Keys of the objects whose ownerReferences name a uid, by that uid (the garbage collector's lookup). */
  private final Map<String, Set<String>> dependentsByOwner = new HashMap<>();
  /** Keys of the pods bound to a node, by {@code spec.nodeName} (the apiserver's and client-go's nodeName index):
   * the node lifecycle controller and the pod router ask for one node's pods, which must not scan every pod. */
  private final Map<String, Set<String>> podsByNode = new HashMap<>();
  private final ArrayDeque<Change> window = new ArrayDeque<>();
  /** The newest change of each key that is still in the window. */
  private final Map<String, Change> lastChangeByKey = new HashMap<>();
  private final List<Watcher> watchers = new ArrayList<>();
  private final Map<String, List<Waiter>> waitersByKey = new HashMap<>();
  private final TreeMap<Long, List<CompletableFuture<Long>>> revisionWaiters = new TreeMap<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private long revision;
  /** The revision of the latest change of each kind: a reader that derives state from a few kinds rebuilds it when
   * one of them changed, not on every change (the RBAC authorizer's index). */
  private final Map<String, Long> revisionByKind = new HashMap<>();
  /** Changes up to this revision have left the window: a watch from before it would miss them. */
  private long evictedThrough;

  public WatchCache(ActorSystem<?> system, int windowSize, int watcherBuffer) {
    this.system = system;
    this.windowSize = windowSize;
    this.watcherBuffer = watcherBuffer;
  }

  // ---- the feed's side ----

  /** Applies one journal event; revisions at or below the current one were applied already and are ignored. */
  public synchronized void apply(long eventRevision, String key, long sequenceNr, KubeObject object, boolean deleted) {
    if (eventRevision <= revision) return;
    revision = eventRevision;
    revisionByKind.put(object.kind(), eventRevision);
    KubeObject versioned = object.withResourceVersion(eventRevision);
    Stored before = objects.get(key);
    KubeObject previous = before == null ? null : before.object();
    if (deleted) objects.remove(key);
    else objects.put(key, new Stored(versioned, eventRevision, sequenceNr));
    if (previous != null) indexOwners(key, previous, false);
    if (!deleted) indexOwners(key, versioned, true);
    if (previous != null) indexNode(key, previous, false);
    if (!deleted) indexNode(key, versioned, true);
    Change change = new Change(eventRevision, key, sequenceNr, versioned, previous, deleted);
    window.addLast(change);
    lastChangeByKey.put(key, change);
    while (window.size() > windowSize) {
      Change evicted = window.removeFirst();
      evictedThrough = Math.max(evictedThrough, evicted.revision());
      lastChangeByKey.remove(evicted.key(), evicted);
    }
    deliver(change);
    completeWaiters(change);
  }

  /**
   * The journal this cache loads is complete only after {@code horizon} (compaction removed events at or below
   * it): a watch from a revision before it answers 410 Gone, as one from before the window does.
   */
  public synchronized void journalCompleteAfter(long horizon) {
    evictedThrough = Math.max(evictedThrough, horizon);
  }

  /**
   * Compaction has removed events up to {@code horizon} while this cache was live. Nothing is lost when the cache
   * had applied them all; if it had not (its feed ran more than {@code retention.min-age} behind), its window has
   * a gap: every watch is closed (its client watches again, from before the horizon it gets 410 and lists again)
   * and no watch from before the horizon is served.
   */
  public synchronized void compactedThrough(long horizon) {
    if (horizon <= revision) return;
    evictedThrough = Math.max(evictedThrough, horizon);
    for (Watcher w : watchers) {
      if (!w.closed()) w.queue().complete();
    }
    watchers.clear();
  }

  /** The feed caught up with the journal at start: the cache may serve. */
  public void markReady() {
    ready.complete(null);
  }

  public boolean isReady() {
    return ready.isDone();
  }

  public CompletionStage<Void> whenReady() {
    return ready;
  }

  // ---- reads ----

  public synchronized long revision() {
    return revision;
  }

  /** The revision of the latest change (create, update or delete) of any object of these kinds; 0 if none. */
  public synchronized long revisionOf(java.util.Collection<String> kinds) {
    long latest = 0;
    for (String kind : kinds) latest = Math.max(latest, revisionByKind.getOrDefault(kind, 0L));
    return latest;
  }

  public synchronized int size() {
    return objects.size();
  }

  public synchronized Optional<Stored> get(String key) {
    return Optional.ofNullable(objects.get(key));
  }

  /** One page of a list, in key order, starting after {@code afterKey} (null for the first page). */
  public synchronized Page list(String kind, String namespace, Predicate<KubeObject> filter, String afterKey,
      int limit) {
    String start = ObjectKey.start(kind, namespace);
    String end = ObjectKey.end(start);
    NavigableMap<String, Stored> range = objects.subMap(start, true, end, false);
    // a continue key from another list (another namespace, a crafted token) must not fail: clamp it to the range
    if (afterKey != null && afterKey.compareTo(start) >= 0) {
      range = afterKey.compareTo(end) >= 0 ? Collections.emptyNavigableMap() : range.tailMap(afterKey, false);
    }
    List<KubeObject> items = new ArrayList<>();
    String last = null;
    int remaining = 0;
    for (Map.Entry<String, Stored> e : range.entrySet()) {
      KubeObject o = e.getValue().object();
      if (!filter.test(o)) continue;
      if (limit > 0 && items.size() == limit) {
        remaining++;
        continue;
      }
      items.add(o);
      last = e.getKey();
    }
    return new Page(List.copyOf(items), revision, remaining > 0 ? last : null, remaining);
  }

  /** The objects whose ownerReferences name {@code ownerUid}, in key order. */
  public synchronized List<KubeObject> dependents(String ownerUid) {
    Set<String> keys = dependentsByOwner.getOrDefault(ownerUid, Set.of());
    List<KubeObject> out = new ArrayList<>(keys.size());
    for (String key : keys) out.add(objects.get(key).object());
    return out;
  }

  /** The pods whose {@code spec.nodeName} is {@code nodeName}, in key order; from an index, not a scan. */
  public synchronized List<KubeObject> podsOnNode(String nodeName) {
    Set<String> keys = podsByNode.getOrDefault(nodeName, Set.of());
    List<KubeObject> out = new ArrayList<>(keys.size());
    for (String key : keys) out.add(objects.get(key).object());
    return out;
  }

  /** Every object of a kind, in one namespace or (null) all, in key order. */
  public List<KubeObject> items(String kind, String namespace) {
    return list(kind, namespace, o -> true, null, 0).items();
  }

  /** A page of a list: its items, the revision it reflects, and where the next page starts (null at the end). */
  public record Page(List<KubeObject> items, long revision, String continueAfter, int remaining) {}

  private void indexOwners(String key, KubeObject object, boolean add) {
    for (OwnerReference ref : object.metadata().ownerReferences()) {
      if (ref.uid() == null) continue;
      if (add) {
        dependentsByOwner.computeIfAbsent(ref.uid(), u -> new TreeSet<>()).add(key);
      } else {
        Set<String> keys = dependentsByOwner.get(ref.uid());
        if (keys != null && keys.remove(key) && keys.isEmpty()) dependentsByOwner.remove(ref.uid());
      }
    }
  }

  private void indexNode(String key, KubeObject object, boolean add) {
    String node = nodeName(object);
    if (node == null) return;
    if (add) {
      podsByNode.computeIfAbsent(node, n -> new TreeSet<>()).add(key);
    } else {
      Set<String> keys = podsByNode.get(node);
      if (keys != null && keys.remove(key) && keys.isEmpty()) podsByNode.remove(node);
    }
  }

  /** A pod's {@code spec.nodeName}; null for other kinds and unbound pods. */
  private static String nodeName(KubeObject object) {
    if (!"Pod".equals(object.kind()) || object.body() == null) return null;
    com.fasterxml.jackson.databind.JsonNode name = object.body().path("spec").path("nodeName");
    return name.isTextual() && !name.textValue().isEmpty() ? name.textValue() : null;
  }

  // ---- waiting for the feed ----

  /**
   * Completes once the change made by entity {@code key} at {@code sequenceNr} is applied here, with the object
   * as it stood after that change (read-your-writes).
   */
  public synchronized CompletionStage<Stored> awaitApplied(String key, long sequenceNr) {
    Stored current = objects.get(key);
    if (current != null && current.sequenceNr() == sequenceNr) return CompletableFuture.completedFuture(current);
    Change last = lastChangeByKey.get(key);
    if (last != null && last.sequenceNr() >= sequenceNr) {
      // applied, and changed since (or deleted): the change itself, if the window still has it
      Iterator<Change> recent = window.descendingIterator();
      while (recent.hasNext()) {
        Change c = recent.next();
        if (c.key().equals(key) && c.sequenceNr() <= sequenceNr) {
          if (c.sequenceNr() == sequenceNr) {
            return CompletableFuture.completedFuture(new Stored(c.object(), c.revision(), c.sequenceNr()));
          }
          break;
        }
      }
    }
    // applied, then overtaken by later changes that pushed it out of the window: the newer object is all we have
    if (current != null && current.sequenceNr() > sequenceNr) return CompletableFuture.completedFuture(current);
    CompletableFuture<Stored> f = new CompletableFuture<>();
    waitersByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Waiter(sequenceNr, f));
    return f;
  }

  /** Completes once the cache has applied every change up to {@code target}. */
  public synchronized CompletionStage<Long> awaitRevision(long target) {
    if (revision >= target) return CompletableFuture.completedFuture(revision);
    CompletableFuture<Long> f = new CompletableFuture<>();
    revisionWaiters.computeIfAbsent(target, k -> new ArrayList<>()).add(f);
    return f;
  }

  private record Waiter(long sequenceNr, CompletableFuture<Stored> future) {}

  private void completeWaiters(Change change) {
    List<Waiter> forKey = waitersByKey.get(change.key());
    if (forKey != null) {
      Stored applied = new Stored(change.object(), change.revision(), change.sequenceNr());
      forKey.removeIf(w -> {
        if (w.sequenceNr() > change.sequenceNr()) return false;
        w.future().complete(applied);
        return true;
      });
      if (forKey.isEmpty()) waitersByKey.remove(change.key());
    }
    var due = revisionWaiters.headMap(revision, true);
    for (List<CompletableFuture<Long>> fs : due.values()) for (CompletableFuture<Long> f : fs) f.complete(revision);
    due.clear();
  }

  // ---- watches ----

  /**
   * Whether this JVM is stopping (its coordinated shutdown has begun). A watch that ends then ended with the JVM:
   * whoever followed it stops rather than watching again, since nothing can be started on a stopping system.
   */
  public boolean stopping() {
    return CoordinatedShutdown.get(system).getShutdownReason().isPresent();
  }

  /**
   * Opens a watch. The returned source emits the initial events (if asked) and then every matching change
   * after the start, in revision order, without gaps or repeats. A watcher that falls {@code watcherBuffer}
   * events behind is closed (the client re-watches from its last resourceVersion, as with Kubernetes).
   *
   * @throws Expired when {@code fromRevision} is older than the window
   */
  public synchronized Source<WatchEvent, NotUsed> watch(WatchRequest request) {
    List<WatchEvent> backlog = new ArrayList<>();
    Long from = request.fromRevision();
    if (from == null || request.initialEvents()) {
      Page current = list(request.kind(), request.namespace(), request.filter(), null, 0);
      for (KubeObject o : current.items()) backlog.add(new WatchEvent(WatchEvent.Type.ADDED, o));
      if (request.initialEvents()) backlog.add(bookmark(request.kind(), true));
    } else {
      if (from < evictedThrough) throw new Expired(from, evictedThrough);
      for (Change c : window) {
        if (c.revision() <= from) continue;
        WatchEvent e = eventFor(request, c);
        if (e != null) backlog.add(e);
      }
    }
    Pair<BoundedSourceQueue<WatchEvent>, Source<WatchEvent, NotUsed>> queue =
        Source.<WatchEvent>queue(backlog.size() + watcherBuffer).preMaterialize(system);
    for (WatchEvent e : backlog) queue.first().offer(e);
    // a client may hold a revision this cache has not reached (it listed on another API server): start after it
    long after = from == null || request.initialEvents() ? revision : Math.max(from, revision);
    watchers.add(new Watcher(request, after, queue.first()));
    return queue.second();
  }

  /** Sends a BOOKMARK with the current revision to every open watch that asked for bookmarks. */
  public synchronized void bookmark() {
    watchers.removeIf(w -> w.request().bookmarks() && w.after() <= revision
        && !offer(w, bookmark(w.request().kind(), false)));
  }

  public synchronized int watcherCount() {
    watchers.removeIf(w -> w.closed());
    return watchers.size();
  }

  /** An open watch; it receives the changes after revision {@code after}. */
  private record Watcher(WatchRequest request, long after, BoundedSourceQueue<WatchEvent> queue) {
    boolean closed() {
      return queue.isCompleted();
    }
  }

  private void deliver(Change change) {
    if (watchers.isEmpty()) return;
    watchers.removeIf(w -> {
      if (change.revision() <= w.after()) return false;
      WatchEvent e = eventFor(w.request(), change);
      return e != null && !offer(w, e);
    });
  }

  /** False when the watcher is gone or too far behind; it is then closed and forgotten. */
  private static boolean offer(Watcher w, WatchEvent e) {
    QueueOfferResult result = w.queue().offer(e);
    if (result == QueueOfferResult.enqueued()) return true;
    if (!w.closed()) w.queue().complete();
    return false;
  }

  private WatchEvent bookmark(String kind, boolean initialEventsEnd) {
    String apiVersion = ResourceTypes.byKind(kind).map(ResourceType::apiVersion).orElse("v1");
    KubeObject marker = new KubeObject(apiVersion, kind,
        new io.troupe.persistence.model.ObjectMeta(null, null, null, null, Long.toString(revision), null, null, null,
            null, null, initialEventsEnd ? Map.of("k8s.io/initial-events-end", "true") : Collections.emptyMap(),
            null, null),
        null);
    return new WatchEvent(WatchEvent.Type.BOOKMARK, marker);
  }

  /** What a watcher sees of a change, given its selectors: an object entering the selection is ADDED, leaving it DELETED. */
  private static WatchEvent eventFor(WatchRequest r, Change c) {
    KubeObject now = c.object();
    if (!now.kind().equals(r.kind())) return null;
    if (r.namespace() != null && !r.namespace().equals(now.metadata().namespace())) return null;
    boolean matchesNow = r.filter().test(now);
    boolean matchedBefore = c.previous() != null && r.filter().test(c.previous());
    if (c.deleted()) return matchesNow || matchedBefore ? new WatchEvent(WatchEvent.Type.DELETED, now) : null;
    if (matchesNow && matchedBefore) return new WatchEvent(WatchEvent.Type.MODIFIED, now);
    if (matchesNow) return new WatchEvent(WatchEvent.Type.ADDED, now);
    if (matchedBefore) return new WatchEvent(WatchEvent.Type.DELETED, now);
    return null;
  }
}
