package io.troupe.control.controller.quota;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Keeps every ResourceQuota's {@code status.used} current as objects of its namespace come and go. */
public final class ResourceQuotaController {
  private ResourceQuotaController() {}

  public static ControllerSpec spec(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    for (ResourceType t : ResourceTypes.ALL) {
      if (!t.namespaced()) continue;
      triggers.put(t.kind(), o -> cache.items("ResourceQuota", o.metadata().namespace()).stream()
          .map(KubeObject::key).toList());
    }
    return new ControllerSpec("resourcequota-controller", "ResourceQuota", triggers, key -> {
      KubeObject quota = cache.get(key).map(Stored::object).orElse(null);
      if (quota == null) return List.of();
      Map<String, List<KubeObject>> byKind = new HashMap<>();
      for (ResourceType t : ResourceTypes.ALL) {
        if (t.namespaced()) {
          byKind.put(t.kind(), cache.items(t.kind(), quota.metadata().namespace()));
        }
      }
      return QuotaStatusReconciler.reconcile(quota, byKind);
    }, Duration.ofSeconds(30), 4);
  }
}
