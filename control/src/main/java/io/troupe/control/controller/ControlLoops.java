package io.troupe.control.controller;

import io.troupe.control.controller.endpoints.EndpointsReconciler;
import io.troupe.control.controller.namespace.NamespaceReconciler;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The controllers Troupe runs, each as a {@link ControllerSpec}: what it watches, and how a key is reconciled
 * from the watch cache with its pure reconciler.
 */
public final class ControlLoops {
  private static final Duration RESYNC = Duration.ofSeconds(30);

  private ControlLoops() {}

  public static List<ControllerSpec> all(Store store) {
    return List.of(namespaces(store.cache()), endpoints(store.cache()));
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
        if (t.namespaced()) contents.addAll(cache.list(t.kind(), ns.metadata().name(), o -> true, null, 0).items());
      }
      return NamespaceReconciler.reconcile(ns, contents);
    }, RESYNC, 4);
  }

  static ControllerSpec endpoints(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("Service", o -> List.of(o.key()));
    triggers.put("Endpoints", o -> List.of(ObjectKey.of("Service", o.metadata().namespace(), o.metadata().name())));
    // a pod may enter or leave any Service's selection: every Service of its namespace looks again
    triggers.put("Pod", o -> cache.list("Service", o.metadata().namespace(), s -> true, null, 0).items().stream()
        .map(KubeObject::key).toList());
    return new ControllerSpec("endpoints-controller", "Service", triggers, key -> {
      KubeObject service = object(cache, key);
      String[] parts = key.split("/", 3);
      KubeObject endpoints = object(cache, ObjectKey.of("Endpoints", parts[1], parts[2]));
      List<KubeObject> pods = cache.list("Pod", parts[1], o -> true, null, 0).items();
      return EndpointsReconciler.reconcile(service, endpoints, pods);
    }, RESYNC, 8);
  }

  private static KubeObject object(WatchCache cache, String key) {
    return cache.get(key).map(Stored::object).orElse(null);
  }
}
