package io.troupe.control.controller;

import io.troupe.persistence.watch.WatchCache;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The kinds one controller incarnation follows, as client-go's informers: every current object first (as
 * ADDED: the initial sync), then every change. The watch cache closes a watcher that falls too far behind;
 * {@code ended} then runs and the controller starts over with a full sync. After {@link #stop()} (the
 * incarnation stopping or restarting) no {@code ended} runs, so a new incarnation never hears of the old one's
 * watches.
 */
public final class Informers {
  private final ActorSystem<?> system;
  private final WatchCache cache;
  private final List<UniqueKillSwitch> watches = new ArrayList<>();
  private volatile boolean stopped;

  public Informers(ActorSystem<?> system, WatchCache cache) {
    this.system = system;
    this.cache = cache;
  }

  public void follow(String kind, Consumer<WatchEvent> onEvent, Runnable ended) {
    watches.add(cache.watch(new WatchRequest(kind, null, o -> true, null, false, false))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(onEvent::accept), Keep.both())
        .mapMaterializedValue(both -> {
          both.second().thenRun(() -> {
            if (!stopped && !cache.stopping()) ended.run();
          });
          return both.first();
        })
        .run(system));
  }

  public void stop() {
    stopped = true;
    watches.forEach(UniqueKillSwitch::shutdown);
  }
}
