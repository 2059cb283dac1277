package io.troupe.control.controller.daemonset;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.control.controller.OwnerKeys;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One pod of each DaemonSet on every eligible node, following nodes as they join and leave. */
public final class DaemonSetController {
  private DaemonSetController() {}

  public static ControllerSpec spec(WatchCache cache) {
    DaemonSetReconciler reconciler = new DaemonSetReconciler();
    return new ControllerSpec("daemonset-controller", "DaemonSet", Map.of(
        "DaemonSet", o -> List.of(o.key()),
        // a node joining, leaving or changing may concern every DaemonSet
        "Node", o -> all(cache),
        "Pod", o -> OwnerKeys.controller(o, "DaemonSet").map(List::of).orElse(List.of())),
        key -> cache.get(key).map(Stored::object)
            .map(ds -> reconciler.reconcile(ds, cache.items("Node", null),
                cache.items("Pod", ds.metadata().namespace()), Instant.now()))
            .orElse(List.of()),
        Duration.ofSeconds(30), 8);
  }

  private static List<String> all(WatchCache cache) {
    return cache.items("DaemonSet", null).stream().map(KubeObject::key).toList();
  }
}
