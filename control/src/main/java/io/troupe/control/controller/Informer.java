package io.troupe.control.controller;

import io.troupe.persistence.watch.WatchCache;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * What a controller follows of one kind, as client-go's informer: every current object first (as ADDED: the
 * initial sync), then every change. The watch cache closes a watcher that falls too far behind; {@code ended}
 * then runs, and the controller starts over with a full sync.
 */
public final class Informer {
  private Informer() {}

  /** Starts following {@code kind}; the kill switch stops it (and {@code ended} runs then too). */
  public static UniqueKillSwitch start(ActorSystem<?> system, WatchCache cache, String kind,
      Consumer<WatchEvent> onEvent, Runnable ended) {
    return cache.watch(new WatchRequest(kind, null, o -> true, null, false, false))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(onEvent::accept), Keep.both())
        .mapMaterializedValue(both -> {
          both.second().thenRun(ended);
          return both.first();
        })
        .run(system);
  }
}
