package io.troupe.control.controller.loadbalancer;

import io.troupe.control.controller.Action;
import io.troupe.control.controller.ActionRunner;
import io.troupe.control.controller.Informers;
import io.troupe.control.ipam.AllocatorRef;
import io.troupe.control.ipam.RangeAllocator;
import io.troupe.control.ipam.ServiceAllocators;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import io.troupe.persistence.watch.Stored;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The service load-balancer controller (a cluster singleton; the cloud controller manager's service controller, or
 * MetalLB, in Kubernetes): Services of type LoadBalancer get an address from {@code troupe.net.load-balancer-pool}
 * in {@code status.loadBalancer.ingress}, allocated through the pool's {@link RangeAllocator}; a Service that stops
 * being one gives it back (a removed Service's is freed by whoever removed it). The status write is conditional on
 * the Service's revision: an address whose write fails is freed again at once. One reconcile per Service at a time,
 * retried with backoff, every Service resynced periodically.
 */
public final class ServiceLoadBalancerController extends AbstractBehavior<ServiceLoadBalancerController.Command> {
  public static final String NAME = "service-lb-controller";
  /** Reconciles run on futures, off the actor: a logger of its own rather than the context's. */
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServiceLoadBalancerController.class);

  public sealed interface Command {}

  private record Enqueue(String key) implements Command {}

  private enum Resync implements Command { INSTANCE }

  private record Reconciled(String key, boolean retry) implements Command {}

  private record WatchEnded() implements Command {}

  private static final Duration RESYNC = Duration.ofSeconds(30);
  private static final int PARALLELISM = 8;

  public static Behavior<Command> create(Store store) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new ServiceLoadBalancerController(context, timers, store)));
  }

  private final TimerScheduler<Command> timers;
  private final Store store;
  private final AllocatorRef pool;
  private final ActionRunner events;
  private final Informers informers;
  private final LinkedHashSet<String> queue = new LinkedHashSet<>();
  private final Set<String> inFlight = new HashSet<>();
  private final Set<String> dirty = new HashSet<>();
  private final Map<String, Integer> failures = new HashMap<>();

  private ServiceLoadBalancerController(ActorContext<Command> context, TimerScheduler<Command> timers, Store store) {
    super(context);
    this.timers = timers;
    this.store = store.as(NAME);
    this.pool = ServiceAllocators.get(context.getSystem()).loadBalancerIps();
    this.events = new ActionRunner(store, NAME);
    this.informers = new Informers(context.getSystem(), store.cache());
    var self = context.getSelf();
    informers.follow("Service", e -> self.tell(new Enqueue(e.object().key())), () -> self.tell(new WatchEnded()));
    timers.startTimerWithFixedDelay(Resync.INSTANCE, RESYNC);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Enqueue.class, e -> enqueue(e.key()))
        .onMessageEquals(Resync.INSTANCE, () -> {
          store.cache().items("Service", null).forEach(s -> enqueue(s.key()));
          return this;
        })
        .onMessage(Reconciled.class, this::onReconciled)
        .onMessage(WatchEnded.class, w -> {
          throw new IllegalStateException("the watch of Services ended (too far behind): starting over");
        })
        .onSignal(PostStop.class, s -> stop())
        .onSignal(PreRestart.class, s -> stop())
        .build();
  }

  private Behavior<Command> stop() {
    informers.stop();
    return this;
  }

  private Behavior<Command> enqueue(String key) {
    if (inFlight.contains(key)) dirty.add(key);
    else queue.add(key);
    return drain();
  }

  private Behavior<Command> drain() {
    var it = queue.iterator();
    while (inFlight.size() < PARALLELISM && it.hasNext()) {
      String key = it.next();
      it.remove();
      inFlight.add(key);
      getContext().pipeToSelf(reconcile(key), (ok, failure) -> new Reconciled(key, failure != null || !ok));
    }
    return this;
  }

  private Behavior<Command> onReconciled(Reconciled r) {
    inFlight.remove(r.key());
    if (r.retry()) {
      int n = failures.merge(r.key(), 1, Integer::sum);
      long delay = Math.min(30_000, 100L << Math.min(n - 1, 10));
      timers.startSingleTimer(r.key(), new Enqueue(r.key()), Duration.ofMillis(delay));
    } else {
      failures.remove(r.key());
    }
    if (dirty.remove(r.key())) queue.add(r.key());
    return drain();
  }

  private static String why(RangeAllocator.Refused refused) {
    return switch (refused.problem()) {
      case FULL -> "no available IPs in the pool " + refused.range();
      case ALREADY_ALLOCATED -> refused.value() + " is already allocated";
      case NOT_IN_RANGE -> refused.value() + " is not in the pool " + refused.range();
    };
  }

  /** True when converged (or gone); false to try again later. Runs on futures: reads the cache, writes the store. */
  private CompletionStage<Boolean> reconcile(String key) {
    Optional<Stored> stored = store.cache().get(key);
    if (stored.isEmpty()) return CompletableFuture.completedFuture(true);
    KubeObject service = stored.get().object();
    long revision = stored.get().sequenceNr();
    var decision = LoadBalancerReconciler.decide(service, pool.range());
    if (decision instanceof LoadBalancerReconciler.Assign assign) {
      List<String> asked = assign.asked() == null ? List.of() : List.of(assign.asked());
      return pool.allocate(asked, asked.isEmpty() ? 1 : 0).thenCompose(result -> {
        if (!(result instanceof RangeAllocator.Done done)) {
          log.debug("Service {}: no load-balancer address: {}", key, result);
          if (result instanceof RangeAllocator.Refused refused) {
            events.run(List.of(new Action.RecordEvent(service, "Warning", "AllocationFailed",
                "Failed to allocate an IP for \"" + service.metadata().namespace() + "/" + service.metadata().name()
                    + "\": " + why(refused))));
          }
          return CompletableFuture.completedFuture(false);
        }
        String address = done.values().get(0);
        KubeObject next = service.withField("status",
            LoadBalancerReconciler.withIngress(service.status(), address));
        return store.replaceStatus(next, revision).handle((written, failure) -> {
          if (written instanceof StoreResult.Written) {
            events.run(List.of(new Action.RecordEvent(service, "Normal", "EnsuredLoadBalancer",
                "Ensured load balancer " + address)));
            return true;
          }
          pool.release(List.of(address));
          return false;
        });
      });
    }
    if (decision instanceof LoadBalancerReconciler.Withdraw withdraw) {
      KubeObject next = service.withField("status",
          LoadBalancerReconciler.withoutIngress(service.status(), withdraw.addresses()));
      return store.replaceStatus(next, revision).thenCompose(written -> {
        if (!(written instanceof StoreResult.Written)) return CompletableFuture.completedFuture(false);
        return pool.release(withdraw.addresses()).thenApply(RangeAllocator.Done.class::isInstance);
      });
    }
    return CompletableFuture.completedFuture(true);
  }

}
