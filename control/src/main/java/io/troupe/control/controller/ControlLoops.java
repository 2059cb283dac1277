package io.troupe.control.controller;

import io.troupe.control.controller.daemonset.DaemonSetController;
import io.troupe.control.controller.deployment.DeploymentController;
import io.troupe.control.controller.endpoints.EndpointsController;
import io.troupe.control.controller.event.EventTtlController;
import io.troupe.control.controller.gc.GarbageCollectorController;
import io.troupe.control.controller.namespace.NamespaceController;
import io.troupe.control.controller.node.NodeLifecycleController;
import io.troupe.control.controller.quota.ResourceQuotaController;
import io.troupe.control.controller.replicaset.ReplicaSetController;
import io.troupe.control.controller.serviceaccount.ServiceAccountsController;
import io.troupe.control.controller.volume.LocalPathProvisionerController;
import io.troupe.control.controller.volume.PersistentVolumeBinderController;
import io.troupe.control.controller.volume.PvcProtectionController;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.WatchCache;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;

/** The controllers Troupe runs (besides the scheduler), each a {@link ControllerSpec} from its own package. */
public final class ControlLoops {
  private ControlLoops() {}

  public static List<ControllerSpec> all(ActorSystem<?> system, Store store) {
    WatchCache cache = store.cache();
    return List.of(
        NamespaceController.spec(cache),
        ServiceAccountsController.spec(cache),
        EndpointsController.spec(cache),
        GarbageCollectorController.spec(cache),
        ReplicaSetController.spec(cache),
        DeploymentController.spec(cache),
        DaemonSetController.spec(cache),
        NodeLifecycleController.spec(cache, system),
        ResourceQuotaController.spec(cache),
        PersistentVolumeBinderController.claims(cache),
        PersistentVolumeBinderController.volumes(cache),
        PvcProtectionController.spec(cache),
        LocalPathProvisionerController.spec(cache),
        EventTtlController.spec(cache, system.settings().config().getDuration("troupe.events.ttl")));
  }
}
