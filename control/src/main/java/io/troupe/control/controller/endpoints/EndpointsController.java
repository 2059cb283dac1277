package io.troupe.control.controller.endpoints;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Keeps the Endpoints of every Service with a selector. */
public final class EndpointsController {
  private EndpointsController() {}

  public static ControllerSpec spec(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("Service", o -> List.of(o.key()));
    triggers.put("Endpoints", o -> List.of(ObjectKey.of("Service", o.metadata().namespace(), o.metadata().name())));
    // a pod may enter or leave any Service's selection: every Service of its namespace that selects pods looks again
    triggers.put("Pod", o -> cache.items("Service", o.metadata().namespace()).stream()
        .filter(EndpointsReconciler::hasSelector).map(KubeObject::key).toList());
    return new ControllerSpec("endpoints-controller", "Service", triggers, key -> {
      KubeObject service = cache.get(key).map(Stored::object).orElse(null);
      String[] parts = key.split("/", 3);
      KubeObject endpoints =
          cache.get(ObjectKey.of("Endpoints", parts[1], parts[2])).map(Stored::object).orElse(null);
      // the pods of the namespace only for a Service that selects some: a namespace's every pod is a long read
      List<KubeObject> pods = service != null && EndpointsReconciler.hasSelector(service)
          ? cache.items("Pod", parts[1]) : List.of();
      return EndpointsReconciler.reconcile(service, endpoints, pods);
    }, Duration.ofSeconds(30), 8);
  }
}
