package io.troupe.net.policy;

import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.WatchCache;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
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
 * Keeps this host's nftables table in line with the cluster's NetworkPolicies (one per JVM): any change of a
 * NetworkPolicy, Pod or Namespace in the local watch cache starts a short timer ({@code apply-delay}, so that a
 * burst is applied once); then it reads all three again from the cache (level-triggered: the events only say when),
 * renders the whole table ({@link NftRuleset}) and, when the text differs from what it last applied, applies it in
 * one {@code nft} transaction off the actor. One apply at a time; a failed one is tried again after
 * {@code retry-interval}. Every worker JVM of a host writes the same table from the same cluster: each write is
 * whole, so they converge.
 */
final class PolicyWatch extends AbstractBehavior<PolicyWatch.Command> {

  sealed interface Command {}

  private record Changed(String kind) implements Command {}

  private record WatchEnded(String kind, UniqueKillSwitch watch) implements Command {}

  private record Restart(String kind) implements Command {}

  private record Applied(String script, Throwable failure) implements Command {}

  private enum Apply implements Command { INSTANCE }

  enum Stop implements Command { INSTANCE }

  static final List<String> KINDS = List.of("NetworkPolicy", "Pod", "Namespace");

  /** Where rendered rulesets go; {@link NftTable#apply} but in tests. */
  interface Applier {
    void apply(String script);
  }

  static Behavior<Command> create(Store store, PolicySettings settings, Applier applier) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new PolicyWatch(context, timers, store.cache(), settings, applier)));
  }

  private final TimerScheduler<Command> timers;
  private final WatchCache cache;
  private final PolicySettings settings;
  private final Applier applier;
  private final Executor blocking;
  private final Map<String, UniqueKillSwitch> watches = new HashMap<>();
  private String applied;
  private boolean applying;
  private boolean again;

  private PolicyWatch(ActorContext<Command> context, TimerScheduler<Command> timers, WatchCache cache,
      PolicySettings settings, Applier applier) {
    super(context);
    this.timers = timers;
    this.cache = cache;
    this.settings = settings;
    this.applier = applier;
    this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    KINDS.forEach(this::watch);
    context.getSelf().tell(Apply.INSTANCE);
  }

  /** Changes of {@code kind} from now on, as {@link Changed}; its end as {@link WatchEnded}. */
  private void watch(String kind) {
    Source<WatchEvent, NotUsed> events;
    try {
      events = cache.watch(new WatchRequest(kind, null, o -> true, cache.revision(), false, false));
    } catch (RuntimeException e) {
      // the cache moved on meanwhile (Expired): watch again from its new revision shortly
      timers.startSingleTimer("restart-" + kind, new Restart(kind), Duration.ofMillis(500));
      return;
    }
    var run = events
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(e -> getContext().getSelf().tell(new Changed(kind))), Keep.both())
        .run(getContext().getSystem());
    UniqueKillSwitch started = run.first();
    watches.put(kind, started);
    var self = getContext().getSelf();
    run.second().whenComplete((done, failure) -> self.tell(new WatchEnded(kind, started)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, c -> schedule())
        .onMessage(WatchEnded.class, this::onWatchEnded)
        .onMessage(Restart.class, r -> {
          watch(r.kind());
          return schedule(); // what changed while no watch ran
        })
        .onMessageEquals(Apply.INSTANCE, this::onApply)
        .onMessage(Applied.class, this::onApplied)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          watches.values().forEach(UniqueKillSwitch::shutdown);
          watches.clear();
          return this;
        })
        .build();
  }

  private Behavior<Command> schedule() {
    if (!timers.isTimerActive(Apply.INSTANCE)) {
      timers.startSingleTimer(Apply.INSTANCE, Apply.INSTANCE, settings.applyDelay());
    }
    return this;
  }

  private Behavior<Command> onWatchEnded(WatchEnded w) {
    if (cache.stopping()) return Behaviors.stopped();
    if (watches.get(w.kind()) == w.watch()) {
      watches.remove(w.kind());
      // not at once: a watch that ends as soon as it starts (a store shutting down) must not spin
      timers.startSingleTimer("restart-" + w.kind(), new Restart(w.kind()), Duration.ofMillis(500));
    }
    return this;
  }

  private Behavior<Command> onApply() {
    if (!cache.isReady()) {
      // half a cluster would deny what the rest allows: wait for the whole of it
      timers.startSingleTimer(Apply.INSTANCE, Apply.INSTANCE, settings.applyDelay());
      return this;
    }
    if (applying) {
      again = true;
      return this;
    }
    ClusterView view = ClusterView.read(cache);
    String script = NftRuleset.render(view, settings.table());
    if (script.equals(applied)) return this;
    applying = true;
    getContext().pipeToSelf(CompletableFuture.runAsync(() -> applier.apply(script), blocking),
        (ok, failure) -> new Applied(script, failure));
    return this;
  }

  private Behavior<Command> onApplied(Applied a) {
    applying = false;
    if (a.failure() != null) {
      Throwable cause = a.failure().getCause() != null ? a.failure().getCause() : a.failure();
      getContext().getLog().warn("NetworkPolicy: cannot apply the nftables table {}, trying again in {}: {}",
          settings.table(), settings.retryInterval(), cause.getMessage());
      timers.startSingleTimer(Apply.INSTANCE, Apply.INSTANCE, settings.retryInterval());
      return this;
    }
    if (applied == null) {
      getContext().getLog().info("NetworkPolicy: enforcing in nftables table inet {}", settings.table());
    }
    applied = a.script();
    getContext().getLog().debug("NetworkPolicy: applied {} characters of rules", a.script().length());
    if (again) {
      again = false;
      return onApply();
    }
    return this;
  }
}
