package io.troupe.net.policy;

import io.troupe.persistence.watch.WatchCache;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Keeps a JVM's {@link PolicyVerdicts} current in loopback mode: any change of a NetworkPolicy, Pod or Namespace in
 * the local watch cache starts a short timer ({@code apply-delay}, so that a burst is judged once); then it reads all
 * three again from the cache (level-triggered, as {@link PolicyWatch}) and publishes new verdicts, which the proxies
 * read on each new connection.
 */
final class VerdictWatch extends AbstractBehavior<VerdictWatch.Command> {

  sealed interface Command {}

  private record Changed(String kind) implements Command {}

  private record WatchEnded(String kind, UniqueKillSwitch watch) implements Command {}

  private record Restart(String kind) implements Command {}

  private enum Rebuild implements Command { INSTANCE }

  enum Stop implements Command { INSTANCE }

  static Behavior<Command> create(WatchCache cache, Duration delay, AtomicReference<PolicyVerdicts> current) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new VerdictWatch(context, timers, cache, delay, current)));
  }

  /** The verdicts of what the cache holds now, or null while it is still catching up. */
  static PolicyVerdicts read(WatchCache cache) {
    if (!cache.isReady()) return null; // half a cluster would judge wrongly
    return PolicyVerdicts.of(ClusterView.read(cache));
  }

  private final TimerScheduler<Command> timers;
  private final WatchCache cache;
  private final Duration delay;
  private final AtomicReference<PolicyVerdicts> current;
  private final Map<String, UniqueKillSwitch> watches = new HashMap<>();

  private VerdictWatch(ActorContext<Command> context, TimerScheduler<Command> timers, WatchCache cache,
      Duration delay, AtomicReference<PolicyVerdicts> current) {
    super(context);
    this.timers = timers;
    this.cache = cache;
    this.delay = delay;
    this.current = current;
    PolicyWatch.KINDS.forEach(this::watch);
    context.getSelf().tell(Rebuild.INSTANCE);
  }

  private void watch(String kind) {
    Source<WatchEvent, NotUsed> events;
    try {
      events = cache.watch(new WatchRequest(kind, null, o -> true, cache.revision(), false, false));
    } catch (RuntimeException e) {
      // the cache moved on meanwhile (Expired): watch again from its new revision shortly
      timers.startSingleTimer("restart-" + kind, new Restart(kind), Duration.ofMillis(500));
      return;
    }
    var self = getContext().getSelf();
    var run = events
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(e -> self.tell(new Changed(kind))), Keep.both())
        .run(getContext().getSystem());
    UniqueKillSwitch started = run.first();
    watches.put(kind, started);
    run.second().whenComplete((done, failure) -> self.tell(new WatchEnded(kind, started)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, c -> schedule())
        .onMessage(WatchEnded.class, w -> {
          if (cache.stopping()) return Behaviors.stopped();
          if (watches.get(w.kind()) == w.watch()) {
            watches.remove(w.kind());
            timers.startSingleTimer("restart-" + w.kind(), new Restart(w.kind()), Duration.ofMillis(500));
          }
          return this;
        })
        .onMessage(Restart.class, r -> {
          watch(r.kind());
          return schedule(); // what changed while no watch ran
        })
        .onMessageEquals(Rebuild.INSTANCE, this::onRebuild)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          watches.values().forEach(UniqueKillSwitch::shutdown);
          watches.clear();
          return this;
        })
        .build();
  }

  private Behavior<Command> schedule() {
    if (!timers.isTimerActive(Rebuild.INSTANCE)) timers.startSingleTimer(Rebuild.INSTANCE, Rebuild.INSTANCE, delay);
    return this;
  }

  private Behavior<Command> onRebuild() {
    PolicyVerdicts verdicts = read(cache);
    if (verdicts == null) {
      timers.startSingleTimer(Rebuild.INSTANCE, Rebuild.INSTANCE, delay);
      return this;
    }
    current.set(verdicts);
    return this;
  }
}
