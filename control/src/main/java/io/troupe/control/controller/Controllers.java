package io.troupe.control.controller;

import io.troupe.control.controller.ipam.ServiceRangeRepair;
import io.troupe.control.controller.loadbalancer.ServiceLoadBalancerController;
import io.troupe.control.controller.nodeipam.NodeIpamController;
import io.troupe.control.ipam.IpamSettings;
import io.troupe.control.ipam.ServiceAllocators;
import io.troupe.control.scheduler.PodScheduler;
import io.troupe.persistence.store.Store;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/** Starts each controller as a cluster singleton on the JVMs with the control role. */
public final class Controllers {
  /** A failed controller starts over, with a fresh view from the watch cache. */
  private static final SupervisorStrategy RESTART =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)
          .withLogLevel(org.slf4j.event.Level.WARN);

  private Controllers() {}

  public static void start(ActorSystem<?> system, Store store, List<ControllerSpec> specs) {
    ClusterSingletonSettings settings = ClusterSingletonSettings.create(system).withRole("control");
    ClusterSingleton.get(system).init(SingletonActor.of(
            Behaviors.supervise(PodScheduler.create(store))
                .onFailure(RESTART),
            PodScheduler.NAME)
        .withSettings(settings));
    // the address controllers: Service range repair, Node pod CIDRs, load-balancer addresses
    IpamSettings ipam = ServiceAllocators.get(system).settings();
    List<SingletonActor<?>> ipamLoops = List.of(
        SingletonActor.of(Behaviors.supervise(ServiceRangeRepair.create(store)).onFailure(RESTART),
            ServiceRangeRepair.NAME),
        SingletonActor.of(Behaviors.supervise(NodeIpamController.create(store, ipam)).onFailure(RESTART),
            NodeIpamController.NAME),
        SingletonActor.of(Behaviors.supervise(ServiceLoadBalancerController.create(store)).onFailure(RESTART),
            ServiceLoadBalancerController.NAME));
    for (SingletonActor<?> loop : ipamLoops) ClusterSingleton.get(system).init(loop.withSettings(settings));
    for (ControllerSpec spec : specs) {
      ClusterSingleton.get(system).init(SingletonActor.of(
              Behaviors.supervise(Controller.create(spec, store))
                  .onFailure(RESTART),
              spec.name())
          .withSettings(settings));
    }
  }
}
