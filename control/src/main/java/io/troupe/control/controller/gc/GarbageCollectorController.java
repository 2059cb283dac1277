package io.troupe.control.controller.gc;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.control.controller.OwnerKeys;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.OwnerReference;
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

/** Cascades deletions along ownerReferences. */
public final class GarbageCollectorController {
  private GarbageCollectorController() {}

  /**
   * Keys of every kind. A change makes the object itself due (as a dependent, and as an owner being deleted);
   * an object being deleted or gone also makes its dependents and its owners due.
   */
  public static ControllerSpec spec(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    for (ResourceType t : ResourceTypes.ALL) {
      triggers.put(t.kind(), o -> {
        List<String> keys = new ArrayList<>();
        keys.add(o.key());
        if (o.metadata().isDeleting()) {
          dependents(cache, o).forEach(d -> keys.add(d.key()));
          // an owner waiting for its dependents to go looks again as each one goes
          for (OwnerReference ref : o.metadata().ownerReferences()) keys.add(OwnerKeys.of(o, ref));
        }
        return keys;
      });
    }
    return new ControllerSpec("garbage-collector", "Pod", triggers, key -> {
      KubeObject object = cache.get(key).map(Stored::object).orElse(null);
      if (object == null) return List.of();
      // only an owner being deleted needs its dependents (a scan)
      List<KubeObject> dependents = object.metadata().isDeleting() ? dependents(cache, object) : List.of();
      return GarbageCollector.reconcile(object, ref -> owner(cache, object, ref), dependents);
    }, Duration.ofSeconds(30), 8);
  }

  /** The owner a reference points to, or null when it is gone (or replaced by another object of that name). */
  private static KubeObject owner(WatchCache cache, KubeObject dependent, OwnerReference ref) {
    return cache.get(OwnerKeys.of(dependent, ref)).map(Stored::object)
        .filter(o -> o.metadata().uid().equals(ref.uid()))
        .orElse(null);
  }

  /**
   * Objects whose ownerReferences name {@code owner}'s uid (the watch cache's index by owner): in its namespace for
   * a namespaced owner (a reference resolves in the dependent's own namespace), anywhere for a cluster-scoped one.
   */
  private static List<KubeObject> dependents(WatchCache cache, KubeObject owner) {
    String namespace = owner.metadata().namespace();
    return cache.dependents(owner.metadata().uid()).stream()
        .filter(d -> namespace == null || namespace.equals(d.metadata().namespace()))
        .toList();
  }
}
