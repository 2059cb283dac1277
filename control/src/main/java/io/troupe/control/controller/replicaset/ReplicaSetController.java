package io.troupe.control.controller.replicaset;

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

/** Keeps each ReplicaSet's replicas pods running. */
public final class ReplicaSetController {
  private ReplicaSetController() {}

  public static ControllerSpec spec(WatchCache cache) {
    ReplicaSetReconciler reconciler = new ReplicaSetReconciler();
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("ReplicaSet", o -> List.of(o.key()));
    // a pod concerns its controller; an orphan, every ReplicaSet of its namespace that might adopt it
    triggers.put("Pod", o -> OwnerKeys.controller(o, "ReplicaSet")
        .map(List::of)
        .orElseGet(() -> keys(cache, "ReplicaSet", o.metadata().namespace())));
    return new ControllerSpec("replicaset-controller", "ReplicaSet", triggers, key -> {
      KubeObject rs = cache.get(key).map(Stored::object).orElse(null);
      if (rs == null) return List.of();
      return reconciler.reconcile(rs, cache.items("Pod", rs.metadata().namespace()),
          Instant.now());
    }, key -> cache.get(key).flatMap(s -> ReplicaSetReconciler.availabilityCheckAt(s.object(),
        cache.items("Pod", s.object().metadata().namespace()), Instant.now())),
        Duration.ofSeconds(30), 16);
  }

  private static List<String> keys(WatchCache cache, String kind, String namespace) {
    return cache.items(kind, namespace).stream().map(KubeObject::key).toList();
  }
}
