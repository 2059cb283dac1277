package io.troupe.control.ipam;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Service allocators of this JVM (kube-apiserver's {@code Allocators}): ClusterIPs and nodePorts, which the API
 * server hands out as it admits Services, and load-balancer addresses, which the service load-balancer controller
 * hands out. One {@link RangeAllocator} per range per JVM; they agree across JVMs through the stored
 * {@link RangeAllocation}s. A Pekko extension so that whoever removes a Service on this JVM (the API, a controller)
 * frees what it held; {@link #start} binds it to the store once the control plane has one.
 */
public final class ServiceAllocators implements Extension {
  private static final Logger log = LoggerFactory.getLogger(ServiceAllocators.class);

  public static final class Id extends ExtensionId<ServiceAllocators> {
    private static final Id INSTANCE = new Id();

    @Override
    public ServiceAllocators createExtension(ActorSystem<?> system) {
      return new ServiceAllocators(system);
    }
  }

  private final ActorSystem<?> system;
  private final IpamSettings settings;
  private volatile Bound bound;

  private record Bound(AllocatorRef clusterIps, AllocatorRef nodePorts, AllocatorRef loadBalancerIps) {}

  private ServiceAllocators(ActorSystem<?> system) {
    this.system = system;
    this.settings = IpamSettings.of(system.settings().config());
  }

  public static ServiceAllocators get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** Starts this JVM's allocators on {@code store}; once (later calls return the started ones). */
  public static ServiceAllocators start(ActorSystem<?> system, Store store) {
    ServiceAllocators allocators = get(system);
    allocators.bind(store);
    return allocators;
  }

  private synchronized void bind(Store store) {
    if (bound != null) return;
    bound = new Bound(
        spawn(RangeAllocation.SERVICE_CLUSTER_IPS, settings.clusterIps(), store),
        spawn(RangeAllocation.SERVICE_NODE_PORTS, settings.nodePorts(), store),
        spawn(RangeAllocation.SERVICE_LOAD_BALANCER_IPS, settings.loadBalancerIps(), store));
  }

  private AllocatorRef spawn(String name, AllocationRange range, Store store) {
    // a failure (a bug, an unreadable stored object) restarts it with a fresh read rather than stopping the API's
    // Service creates for good; the requests of the batch it failed on time out
    var behavior = Behaviors.supervise(RangeAllocator.create(name, range, store))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2));
    var ref = system.systemActorOf(behavior, "range-allocator-" + name, Props.empty());
    return new AllocatorRef(name, range, ref, system.scheduler());
  }

  public IpamSettings settings() {
    return settings;
  }

  public AllocatorRef clusterIps() {
    return started().clusterIps();
  }

  public AllocatorRef nodePorts() {
    return started().nodePorts();
  }

  public AllocatorRef loadBalancerIps() {
    return started().loadBalancerIps();
  }

  private Bound started() {
    Bound b = bound;
    if (b == null) throw new IllegalStateException("the Service allocators are not started (no store yet)");
    return b;
  }

  /**
   * Frees what a Service held, once it is gone (removed from the store by the write that answered so: exactly
   * once per Service). Nothing when the allocators are not started on this JVM; the repair loop frees it then.
   */
  public CompletionStage<Void> releaseHeldBy(KubeObject service) {
    Bound b = bound;
    if (b == null || !"Service".equals(service.kind())) return CompletableFuture.completedFuture(null);
    CompletableFuture<?>[] releases = List.of(
            release(b.clusterIps(), HeldValues.clusterIps(service)),
            release(b.nodePorts(), HeldValues.nodePorts(service)),
            release(b.loadBalancerIps(), HeldValues.loadBalancerIps(service)))
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(releases).whenComplete((done, failure) -> {
      if (failure != null) {
        log.warn("the values of removed Service {} were not freed ({}); the repair loop frees them", service.key(),
            failure.toString());
      }
    });
  }

  private static CompletableFuture<?> release(AllocatorRef allocator, List<String> values) {
    if (values.isEmpty()) return CompletableFuture.completedFuture(null);
    return allocator.release(values).toCompletableFuture().thenAccept(result -> {
      if (result instanceof RangeAllocator.Failed f) throw new IllegalStateException(f.message());
    });
  }
}
