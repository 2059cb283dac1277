package io.troupe.control.controller;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A level-triggered controller, as Kubernetes' sample-controller: changes seen in the watch cache make keys
 * due; each due key is reconciled by re-reading the current state (never by acting on the change itself); at
 * most one reconcile per key is in flight, and a key that changes meanwhile is reconciled once more after it;
 * a reconcile whose writes conflict (its view was stale) is retried with backoff; every key is resynced
 * periodically. It runs as a cluster singleton, so a crash moves it to another JVM, which rebuilds its view
 * from that JVM's watch cache. Its writes are conditional or idempotent, since a singleton can briefly run twice.
 */
public final class Controller extends AbstractBehavior<Controller.Command> {

  public sealed interface Command {}

  /** A change made this key due. */
  public record Enqueue(String key) implements Command {}

  private enum Resync implements Command { INSTANCE }

  /** A reconcile ended; one that wrote something runs once more, to see the world it made. */
  private record Reconciled(String key, boolean retry, boolean wrote) implements Command {}

  private record Retry(String key) implements Command {}

  /** The watch cache ended a watch of this incarnation (it fell too far behind). */
  private record WatchEnded(String kind) implements Command {}

  /** A member of the cluster was downed, removed or left (null: another membership change). */
  private record MemberRemoved(String address, Duration actAfter) implements Command {}

  private record MemberLeft(String address) implements Command {}

  private static final Duration MIN_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  public static Behavior<Command> create(ControllerSpec spec, Store store) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Controller(context, timers, spec, store)));
  }

  private final ControllerSpec spec;
  private final Store store;
  private final ActionRunner runner;
  private final TimerScheduler<Command> timers;
  private final LinkedHashSet<String> queue = new LinkedHashSet<>();
  private final Set<String> inFlight = new HashSet<>();
  private final Set<String> dirty = new HashSet<>();
  private final Map<String, Integer> failures = new HashMap<>();
  private final Informers informers;

  private Controller(ActorContext<Command> context, TimerScheduler<Command> timers, ControllerSpec spec,
      Store store) {
    super(context);
    this.spec = spec;
    this.store = store;
    this.timers = timers;
    // a Service this controller removes (a namespace's, the garbage collector's) frees its addresses
    var services = io.troupe.control.ipam.ServiceAllocators.get(context.getSystem());
    this.runner = new ActionRunner(store, spec.name(), services::releaseHeldBy);
    this.informers = new Informers(context.getSystem(), store.cache());
    ActorRef<Command> self = context.getSelf();
    for (Map.Entry<String, Function<KubeObject, List<String>>> trigger : spec.triggers().entrySet()) {
      Function<KubeObject, List<String>> keys = trigger.getValue();
      String kind = trigger.getKey();
      informers.follow(kind, e -> keys.apply(e.object()).forEach(k -> self.tell(new Enqueue(k))),
          () -> self.tell(new WatchEnded(kind)));
    }
    // A member gone is acted on once its shards live elsewhere: after its removal and the down-removal-margin the
    // shard coordinator waits before it moves them. Writes sent sooner (at its downing) went to its dead shard
    // region, were lost, and held the key until their ask timed out (10 s, seen in ChaosTest).
    Duration afterRemoval = removalMargin(context.getSystem()).plusMillis(250);
    ActorRef<ClusterEvent.MemberEvent> members = context.messageAdapter(ClusterEvent.MemberEvent.class, e ->
        new MemberRemoved(e instanceof ClusterEvent.MemberRemoved ? e.member().address().toString() : null,
            afterRemoval));
    Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(members, ClusterEvent.MemberEvent.class));
    timers.startTimerWithFixedDelay(Resync.INSTANCE, spec.resyncInterval());
    context.getLog().info("controller {} started", spec.name());
  }

  /** {@code pekko.cluster.down-removal-margin}, zero when off. */
  private static Duration removalMargin(ActorSystem<?> system) {
    var config = system.settings().config();
    return "off".equals(config.getString("pekko.cluster.down-removal-margin")) ? Duration.ZERO
        : config.getDuration("pekko.cluster.down-removal-margin");
  }

  private Behavior<Command> stopInformers() {
    informers.stop();
    return this;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Enqueue.class, e -> enqueue(e.key()))
        .onMessage(Retry.class, r -> enqueue(r.key()))
        .onMessage(MemberRemoved.class, m -> {
          if (m.address() != null) timers.startSingleTimer(new MemberLeft(m.address()), m.actAfter());
          return this;
        })
        .onMessage(MemberLeft.class, m -> {
          spec.memberLeft().apply(m.address()).forEach(this::enqueue);
          return this;
        })
        .onMessageEquals(Resync.INSTANCE, this::resync)
        .onMessage(Reconciled.class, this::onReconciled)
        .onMessage(WatchEnded.class, w -> {
          throw new IllegalStateException("the watch of " + w.kind() + " ended (too far behind): starting over");
        })
        .onSignal(PostStop.class, s -> stopInformers())
        .onSignal(PreRestart.class, s -> stopInformers())
        .build();
  }

  private Behavior<Command> enqueue(String key) {
    if (inFlight.contains(key)) dirty.add(key);
    else queue.add(key);
    return drain();
  }

  private Behavior<Command> resync() {
    store.cache().items(spec.primaryKind(), null)
        .forEach(o -> queue.add(o.key()));
    queue.removeAll(inFlight);
    return drain();
  }

  private Behavior<Command> drain() {
    var it = queue.iterator();
    while (inFlight.size() < spec.parallelism() && it.hasNext()) {
      String key = it.next();
      it.remove();
      inFlight.add(key);
      reconcile(key);
    }
    return this;
  }

  private void reconcile(String key) {
    List<Action> actions;
    try {
      actions = spec.reconcile().apply(key);
    } catch (RuntimeException e) {
      getContext().getLog().warn("controller {}: reconcile of {} failed: {}", spec.name(), key, e.toString());
      getContext().getSelf().tell(new Reconciled(key, true, false));
      return;
    }
    if (actions.isEmpty()) {
      getContext().getSelf().tell(new Reconciled(key, false, false));
      return;
    }
    getContext().pipeToSelf(runner.run(actions), (allDone, failure) ->
        new Reconciled(key, failure != null || !allDone, true));
  }

  private void scheduleNextCheck(String key) {
    Optional<Instant> at;
    try {
      at = spec.nextCheck().apply(key);
    } catch (RuntimeException e) {
      return;
    }
    at.ifPresent(when -> timers.startSingleTimer(new Retry(key), new Retry(key),
        Duration.ofMillis(Math.max(0, Duration.between(Instant.now(), when).toMillis()) + 10)));
  }

  private Behavior<Command> onReconciled(Reconciled r) {
    inFlight.remove(r.key());
    if (r.retry()) {
      int n = failures.merge(r.key(), 1, Integer::sum);
      long delay = Math.min(MAX_BACKOFF.toMillis(), MIN_BACKOFF.toMillis() << Math.min(n - 1, 20));
      timers.startSingleTimer(new Retry(r.key()), new Retry(r.key()), Duration.ofMillis(delay));
    } else {
      failures.remove(r.key());
      scheduleNextCheck(r.key());
    }
    if (dirty.remove(r.key()) || (r.wrote() && !r.retry())) queue.add(r.key());
    return drain();
  }
}
