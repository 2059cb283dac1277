package io.troupe.control.controller.volume;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Lets a deleted claim go once no running pod uses it ({@link PvcProtectionReconciler}). */
public final class PvcProtectionController {
  private PvcProtectionController() {}

  public static ControllerSpec spec(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put(Claims.KIND, o -> o.metadata().isDeleting() ? List.of(o.key()) : List.of());
    triggers.put("Pod", Claims::keysUsedBy);
    return new ControllerSpec("pvc-protection-controller", Claims.KIND, triggers, key -> {
      KubeObject claim = cache.get(key).map(Stored::object).orElse(null);
      if (claim == null || !claim.metadata().isDeleting()) return List.of();
      return PvcProtectionReconciler.reconcile(claim, cache.items("Pod", claim.metadata().namespace()));
    }, Duration.ofSeconds(30), 4);
  }
}
