package io.troupe.net.dns;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.WatchCache;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Mirrors one kind of the local watch cache into a {@link Target}, as client-go's Reflector does: the current
 * objects as one {@code replace} (the watch's initial events, up to the BOOKMARK that ends them), then every
 * change. The watch cache closes a watcher that falls too far behind: the reflector then watches again and
 * replaces the whole kind, so an object deleted meanwhile does not linger. Events reach the target one at a time,
 * on the stream's thread.
 */
final class Reflector implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Reflector.class);
  private static final Duration RESTART_DELAY = Duration.ofMillis(200);
  static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";

  /** Where the objects go. */
  interface Target {
    /** The kind's objects now: anything else the target holds of the kind is gone. */
    void replace(String kind, List<KubeObject> objects);

    /** One change after the replace (ADDED, MODIFIED, DELETED). */
    void apply(WatchEvent event);
  }

  private final ActorSystem<?> system;
  private final WatchCache cache;
  private final String kind;
  private final Target target;
  private volatile boolean closed;
  private volatile UniqueKillSwitch watch;

  private Reflector(ActorSystem<?> system, WatchCache cache, String kind, Target target) {
    this.system = system;
    this.cache = cache;
    this.kind = kind;
    this.target = target;
  }

  /** Starts once the cache has caught up with the journal. */
  static Reflector start(ActorSystem<?> system, WatchCache cache, String kind, Target target) {
    Reflector r = new Reflector(system, cache, kind, target);
    cache.whenReady().thenRun(r::watch);
    return r;
  }

  private synchronized void watch() {
    if (closed) return;
    List<KubeObject> initial = new ArrayList<>();
    boolean[] listing = {true};
    var run = cache.watch(new WatchRequest(kind, null, o -> true, null, true, false))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(e -> {
          if (!listing[0]) {
            if (e.type() != WatchEvent.Type.BOOKMARK) target.apply(e);
          } else if (e.type() == WatchEvent.Type.BOOKMARK) {
            if ("true".equals(e.object().metadata().annotations().get(INITIAL_EVENTS_END))) {
              listing[0] = false;
              target.replace(kind, List.copyOf(initial));
              initial.clear();
            }
          } else {
            initial.add(e.object());
          }
        }), Keep.both())
        .run(system);
    watch = run.first();
    run.second().whenComplete((done, failure) -> {
      if (closed || cache.stopping()) return;
      log.debug("watch of {} ended ({}); watching again", kind, failure == null ? "closed" : failure.toString());
      system.scheduler().scheduleOnce(RESTART_DELAY, this::watch, system.executionContext());
    });
  }

  @Override
  public synchronized void close() {
    closed = true;
    UniqueKillSwitch w = watch;
    if (w != null) w.shutdown();
  }
}
