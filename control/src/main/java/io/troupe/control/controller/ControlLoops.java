package io.troupe.control.controller;

import io.troupe.control.controller.daemonset.DaemonSetController;
import io.troupe.control.controller.deployment.DeploymentReconciler;
import io.troupe.control.controller.endpoints.EndpointsReconciler;
import io.troupe.control.controller.gc.GarbageCollector;
import io.troupe.control.controller.namespace.NamespaceReconciler;
import io.troupe.control.controller.node.NodeLifecycleController;
import io.troupe.control.controller.quota.ResourceQuotaController;
import io.troupe.control.controller.replicaset.ReplicaSetReconciler;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.OwnerReference;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The controllers Troupe runs, each as a {@link ControllerSpec}: what it watches, and how a key is reconciled
 * from the watch cache with its pure reconciler.
 */
public final class ControlLoops {
  private static final Duration RESYNC = Duration.ofSeconds(30);

  private ControlLoops() {}

  public static List<ControllerSpec> all(ActorSystem<?> system, Store store) {
    WatchCache cache = store.cache();
    return List.of(namespaces(cache), endpoints(cache), garbageCollector(cache), replicaSets(cache),
        deployments(cache), DaemonSetController.spec(cache), NodeLifecycleController.spec(cache, system),
        ResourceQuotaController.spec(cache));
  }

  static ControllerSpec replicaSets(WatchCache cache) {
    ReplicaSetReconciler reconciler = new ReplicaSetReconciler();
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("ReplicaSet", o -> List.of(o.key()));
    // a pod concerns its controller; an orphan, every ReplicaSet of its namespace that might adopt it
    triggers.put("Pod", o -> controllerKey(o, "ReplicaSet")
        .map(List::of)
        .orElseGet(() -> keys(cache, "ReplicaSet", o.metadata().namespace())));
    return new ControllerSpec("replicaset-controller", "ReplicaSet", triggers, key -> {
      KubeObject rs = object(cache, key);
      if (rs == null) return List.of();
      return reconciler.reconcile(rs, cache.items("Pod", rs.metadata().namespace()),
          Instant.now());
    }, key -> cache.get(key).flatMap(s -> ReplicaSetReconciler.availabilityCheckAt(s.object(),
        cache.items("Pod", s.object().metadata().namespace()), Instant.now())),
        RESYNC, 16);
  }

  static ControllerSpec deployments(WatchCache cache) {
    DeploymentReconciler reconciler = new DeploymentReconciler();
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("Deployment", o -> List.of(o.key()));
    triggers.put("ReplicaSet", o -> controllerKey(o, "Deployment")
        .map(List::of)
        .orElseGet(() -> keys(cache, "Deployment", o.metadata().namespace())));
    // pods matter to a Deployment through their ReplicaSet (a Recreate waits for old pods to be gone)
    triggers.put("Pod", o -> controllerKey(o, "ReplicaSet")
        .flatMap(rsKey -> cache.get(rsKey).map(Stored::object))
        .flatMap(rs -> controllerKey(rs, "Deployment"))
        .map(List::of)
        .orElse(List.of()));
    return new ControllerSpec("deployment-controller", "Deployment", triggers, key -> {
      KubeObject deployment = object(cache, key);
      if (deployment == null) return List.of();
      String ns = deployment.metadata().namespace();
      return reconciler.reconcile(deployment, cache.items("ReplicaSet", ns),
          cache.items("Pod", ns), Instant.now());
    }, key -> cache.get(key).flatMap(s -> DeploymentReconciler.progressDeadlineAt(s.object())), RESYNC, 16);
  }

  /** The key of the object's controller (the ownerReference with controller=true), if it is of {@code kind}. */
  private static Optional<String> controllerKey(KubeObject o, String kind) {
    for (OwnerReference ref : o.metadata().ownerReferences()) {
      if (Boolean.TRUE.equals(ref.controller()) && kind.equals(ref.kind())) {
        return Optional.of(ObjectKey.of(kind, o.metadata().namespace(), ref.name()));
      }
    }
    return Optional.empty();
  }

  private static List<String> keys(WatchCache cache, String kind, String namespace) {
    return cache.items(kind, namespace).stream().map(KubeObject::key).toList();
  }

  /**
   * Keys of every kind. A change makes the object itself due (as a dependent, and as an owner being deleted);
   * an object being deleted or gone also makes its dependents and its owners due.
   */
  static ControllerSpec garbageCollector(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    for (ResourceType t : ResourceTypes.ALL) {
      triggers.put(t.kind(), o -> {
        List<String> keys = new ArrayList<>();
        keys.add(o.key());
        if (o.metadata().isDeleting()) {
          dependents(cache, o).forEach(d -> keys.add(d.key()));
          // an owner waiting for its dependents to go looks again as each one goes
          for (OwnerReference ref : o.metadata().ownerReferences()) {
            boolean namespaced = ResourceTypes.byKind(ref.kind()).map(ResourceType::namespaced).orElse(true);
            keys.add(ObjectKey.of(ref.kind(), namespaced ? o.metadata().namespace() : null, ref.name()));
          }
        }
        return keys;
      });
    }
    return new ControllerSpec("garbage-collector", "Pod", triggers, key -> {
      KubeObject object = object(cache, key);
      if (object == null) return List.of();
      // only an owner being deleted needs its dependents (a scan)
      List<KubeObject> dependents = object.metadata().isDeleting() ? dependents(cache, object) : List.of();
      return GarbageCollector.reconcile(object, ref -> owner(cache, object, ref), dependents);
    }, RESYNC, 8);
  }

  private static KubeObject owner(WatchCache cache, KubeObject dependent, OwnerReference ref) {
    boolean namespaced = ResourceTypes.byKind(ref.kind()).map(ResourceType::namespaced).orElse(true);
    KubeObject o = object(cache, ObjectKey.of(ref.kind(), namespaced ? dependent.metadata().namespace() : null,
        ref.name()));
    return o != null && o.metadata().uid().equals(ref.uid()) ? o : null;
  }

  /**
   * Objects whose ownerReferences name {@code owner}'s uid: a scan of its namespace (or of everything, for a
   * cluster-scoped owner). Fine at the sizes of today; an index by owner uid in the watch cache is the way on.
   */
  private static List<KubeObject> dependents(WatchCache cache, KubeObject owner) {
    String uid = owner.metadata().uid();
    List<KubeObject> out = new ArrayList<>();
    for (ResourceType t : ResourceTypes.ALL) {
      if (!t.namespaced() && owner.metadata().namespace() != null) continue;
      out.addAll(cache.list(t.kind(), t.namespaced() ? owner.metadata().namespace() : null,
          o -> o.metadata().ownerReferences().stream().anyMatch(r -> uid.equals(r.uid())), null, 0).items());
    }
    return out;
  }

  static ControllerSpec namespaces(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("Namespace", o -> List.of(o.key()));
    for (ResourceType t : ResourceTypes.ALL) {
      if (t.namespaced()) triggers.put(t.kind(), o -> List.of(ObjectKey.of("Namespace", null, o.metadata().namespace())));
    }
    return new ControllerSpec("namespace-controller", "Namespace", triggers, key -> {
      KubeObject ns = object(cache, key);
      if (ns == null || !ns.metadata().isDeleting()) return List.of();
      List<KubeObject> contents = new ArrayList<>();
      for (ResourceType t : ResourceTypes.ALL) {
        if (t.namespaced()) contents.addAll(cache.items(t.kind(), ns.metadata().name()));
      }
      return NamespaceReconciler.reconcile(ns, contents);
    }, RESYNC, 4);
  }

  static ControllerSpec endpoints(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("Service", o -> List.of(o.key()));
    triggers.put("Endpoints", o -> List.of(ObjectKey.of("Service", o.metadata().namespace(), o.metadata().name())));
    // a pod may enter or leave any Service's selection: every Service of its namespace looks again
    triggers.put("Pod", o -> cache.items("Service", o.metadata().namespace()).stream()
        .map(KubeObject::key).toList());
    return new ControllerSpec("endpoints-controller", "Service", triggers, key -> {
      KubeObject service = object(cache, key);
      String[] parts = key.split("/", 3);
      KubeObject endpoints = object(cache, ObjectKey.of("Endpoints", parts[1], parts[2]));
      List<KubeObject> pods = cache.items("Pod", parts[1]);
      return EndpointsReconciler.reconcile(service, endpoints, pods);
    }, RESYNC, 8);
  }

  private static KubeObject object(WatchCache cache, String key) {
    return cache.get(key).map(Stored::object).orElse(null);
  }
}
