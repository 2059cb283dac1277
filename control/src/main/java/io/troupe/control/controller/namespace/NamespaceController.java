package io.troupe.control.controller.namespace;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Empties a namespace being deleted, then lets it go. */
public final class NamespaceController {
  private NamespaceController() {}

  public static ControllerSpec spec(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("Namespace", o -> List.of(o.key()));
    for (ResourceType t : ResourceTypes.ALL) {
      if (t.namespaced()) triggers.put(t.kind(), o -> List.of(ObjectKey.of("Namespace", null, o.metadata().namespace())));
    }
    return new ControllerSpec("namespace-controller", "Namespace", triggers, key -> {
      KubeObject ns = cache.get(key).map(Stored::object).orElse(null);
      if (ns == null || !ns.metadata().isDeleting()) return List.of();
      List<KubeObject> contents = new ArrayList<>();
      for (ResourceType t : ResourceTypes.ALL) {
        if (t.namespaced()) contents.addAll(cache.items(t.kind(), ns.metadata().name()));
      }
      return NamespaceReconciler.reconcile(ns, contents);
    }, Duration.ofSeconds(30), 4);
  }
}
