package io.troupe.net.ingress;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The objects of one kind as a watch of the local watch cache delivers them, for the actor that owns it (client-go's
 * informer store, without its threads): the actor starts the watch, hands each event back to {@link #apply}, and
 * starts it again when it ends. A (re)started watch lists the current objects first; they replace the old view
 * only once the whole list has arrived (the initial-events BOOKMARK), so a restart never shows a half-empty view.
 */
final class Informer {
  private final String kind;
  private final Predicate<KubeObject> filter;
  private Map<String, KubeObject> objects = new HashMap<>();
  /** The list of a (re)started watch while it arrives; null once it is complete. */
  private Map<String, KubeObject> loading;
  private boolean synced;
  private UniqueKillSwitch watch;
  /** Set by {@link #stop}: the end of the watch it stopped is not news to anyone (the actor is gone). */
  private volatile boolean stopped;

  Informer(String kind, Predicate<KubeObject> filter) {
    this.kind = kind;
    this.filter = filter;
  }

  String kind() {
    return kind;
  }

  /**
   * Starts (or starts again) the watch: each event goes to {@code self} as {@code event.apply(e)}, and its end as
   * {@code ended.apply(watch)} (compare with {@link #isCurrent} to ignore the end of a watch already replaced).
   */
  <T> void start(ActorSystem<?> system, Store store, ActorRef<T> self, Function<WatchEvent, T> event,
      Function<UniqueKillSwitch, T> ended) {
    if (watch != null) watch.shutdown();
    loading = new HashMap<>();
    var run = store.cache().watch(new WatchRequest(kind, null, filter, null, true, false))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(e -> self.tell(event.apply(e))), Keep.both())
        .run(system);
    UniqueKillSwitch started = run.first();
    run.second().whenComplete((done, failure) -> {
      if (!stopped) self.tell(ended.apply(started));
    });
    watch = started;
  }

  boolean isCurrent(UniqueKillSwitch w) {
    return w == watch;
  }

  /** Applies one event of the current watch; true when the view changed. */
  boolean apply(WatchEvent e) {
    if (e.type() == WatchEvent.Type.BOOKMARK) {
      if (loading == null) return false;
      objects = loading;
      loading = null;
      synced = true;
      return true;
    }
    Map<String, KubeObject> target = loading != null ? loading : objects;
    if (e.type() == WatchEvent.Type.DELETED) target.remove(e.object().key());
    else target.put(e.object().key(), e.object());
    return loading == null;
  }

  /** Whether the first list has arrived whole. */
  boolean synced() {
    return synced;
  }

  Collection<KubeObject> objects() {
    return objects.values();
  }

  KubeObject get(String key) {
    return objects.get(key);
  }

  void stop() {
    stopped = true;
    if (watch != null) watch.shutdown();
    watch = null;
  }
}
