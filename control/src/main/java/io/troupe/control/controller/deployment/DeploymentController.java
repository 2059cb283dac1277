package io.troupe.control.controller.deployment;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.control.controller.OwnerKeys;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Rolls each Deployment out through one ReplicaSet per pod template. */
public final class DeploymentController {
  private DeploymentController() {}

  public static ControllerSpec spec(WatchCache cache) {
    DeploymentReconciler reconciler = new DeploymentReconciler();
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("Deployment", o -> List.of(o.key()));
    triggers.put("ReplicaSet", o -> OwnerKeys.controller(o, "Deployment")
        .map(List::of)
        .orElseGet(() -> keys(cache, "Deployment", o.metadata().namespace())));
    // pods matter to a Deployment through their ReplicaSet (a Recreate waits for old pods to be gone)
    triggers.put("Pod", o -> OwnerKeys.controller(o, "ReplicaSet")
        .flatMap(rsKey -> cache.get(rsKey).map(Stored::object))
        .flatMap(rs -> OwnerKeys.controller(rs, "Deployment"))
        .map(List::of)
        .orElse(List.of()));
    return new ControllerSpec("deployment-controller", "Deployment", triggers, key -> {
      KubeObject deployment = cache.get(key).map(Stored::object).orElse(null);
      if (deployment == null) return List.of();
      String ns = deployment.metadata().namespace();
      return reconciler.reconcile(deployment, cache.items("ReplicaSet", ns),
          cache.items("Pod", ns), Instant.now());
    }, key -> cache.get(key).flatMap(s -> DeploymentReconciler.progressDeadlineAt(s.object())), Duration.ofSeconds(30), 16);
  }

  private static List<String> keys(WatchCache cache, String kind, String namespace) {
    return cache.items(kind, namespace).stream().map(KubeObject::key).toList();
  }
}
