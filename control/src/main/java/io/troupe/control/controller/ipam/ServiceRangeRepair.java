package io.troupe.control.controller.ipam;

import io.troupe.control.ipam.AllocatorRef;
import io.troupe.control.ipam.HeldValues;
import io.troupe.control.ipam.RangeAllocator;
import io.troupe.control.ipam.ServiceAllocators;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repair loop of the Service ranges (a cluster singleton): every {@code troupe.net.ipam.repair-interval} it
 * compares the ClusterIPs, nodePorts and load-balancer addresses allocated with those the Services in the watch
 * cache hold ({@link RangeRepair}), marks what they hold and frees what has leaked: a create that failed on a JVM
 * that died between allocating and writing, a Service removed where no allocator ran.
 */
public final class ServiceRangeRepair extends AbstractBehavior<ServiceRangeRepair.Command> {
  public static final String NAME = "service-range-repair";
  /** Its passes run on futures, off the actor: a logger of its own rather than the context's. */
  private static final Logger log = LoggerFactory.getLogger(ServiceRangeRepair.class);

  public sealed interface Command {}

  private enum Tick implements Command { INSTANCE }

  private record Passed(Map<String, Set<String>> suspects, Throwable failure) implements Command {}

  /** One range and what a Service holds of it. */
  private record Checked(AllocatorRef allocator, Function<KubeObject, List<String>> held) {}

  public static Behavior<Command> create(Store store) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ServiceAllocators allocators = ServiceAllocators.get(context.getSystem());
      Duration every = allocators.settings().repairInterval();
      timers.startTimerWithFixedDelay(Tick.INSTANCE, every);
      context.getSelf().tell(Tick.INSTANCE);
      return new ServiceRangeRepair(context, store, allocators);
    }));
  }

  private final Store store;
  private final List<Checked> ranges;
  /** Values no Service held in the last pass, by range. */
  private Map<String, Set<String>> suspects = new HashMap<>();
  private boolean running;

  private ServiceRangeRepair(ActorContext<Command> context, Store store, ServiceAllocators allocators) {
    super(context);
    this.store = store;
    this.ranges = List.of(
        new Checked(allocators.clusterIps(), HeldValues::clusterIps),
        new Checked(allocators.nodePorts(), HeldValues::nodePorts),
        new Checked(allocators.loadBalancerIps(), HeldValues::loadBalancerIps));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Passed.class, this::onPassed)
        .build();
  }

  private Behavior<Command> onTick() {
    if (running) return this;
    running = true;
    Map<String, Set<String>> next = new HashMap<>();
    CompletionStage<Void> pass = CompletableFuture.completedFuture(null);
    Map<String, Set<String>> before = suspects;
    for (Checked range : ranges) pass = pass.thenCompose(v -> repair(range, before, next));
    getContext().pipeToSelf(pass, (done, failure) -> new Passed(next, failure));
    return this;
  }

  private Behavior<Command> onPassed(Passed passed) {
    running = false;
    if (passed.failure() != null) {
      log.warn("repair of the Service ranges failed: {}", passed.failure().toString());
    } else {
      suspects = passed.suspects();
    }
    return this;
  }

  /** Reads the allocation (first: a value allocated after it is not yet suspected), then the Services. */
  private CompletionStage<Void> repair(Checked range, Map<String, Set<String>> before,
      Map<String, Set<String>> next) {
    AllocatorRef allocator = range.allocator();
    return allocator.read().thenCompose(read -> {
      if (!(read instanceof RangeAllocator.Done allocated)) {
        return CompletableFuture.failedFuture(new IllegalStateException(allocator.name() + ": " + read));
      }
      Map<String, List<String>> holders = new HashMap<>();
      for (KubeObject service : store.cache().items("Service", null)) {
        for (String value : range.held().apply(service)) {
          holders.computeIfAbsent(value, v -> new ArrayList<>()).add(service.key());
        }
      }
      RangeRepair repair = RangeRepair.of(allocator.range(), Set.copyOf(allocated.values()), holders,
          before.getOrDefault(allocator.name(), Set.of()));
      next.put(allocator.name(), repair.suspects());
      repair.duplicates().forEach((value, services) -> log
          .warn("{}: {} is held by several Services: {}", allocator.name(), value, services));
      if (!repair.changes()) return CompletableFuture.completedFuture(null);
      if (!repair.free().isEmpty()) {
        log.info("{}: {} appear to have leaked: cleaning up", allocator.name(), repair.free());
      }
      if (!repair.mark().isEmpty()) {
        log.info("{}: marking {}, held by Services", allocator.name(), repair.mark());
      }
      return allocator.repair(repair.mark(), repair.free()).thenAccept(result -> {
        if (!(result instanceof RangeAllocator.Done)) {
          throw new IllegalStateException(allocator.name() + ": " + result);
        }
      });
    });
  }
}
