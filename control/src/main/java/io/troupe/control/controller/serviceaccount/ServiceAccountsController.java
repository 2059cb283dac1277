package io.troupe.control.controller.serviceaccount;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keeps a {@code default} ServiceAccount in every namespace ({@link ServiceAccountsReconciler}), keyed by
 * namespace: a new namespace, and a change to (or the deletion of) a namespace's {@code default} account, make
 * the namespace due.
 */
public final class ServiceAccountsController {
  private ServiceAccountsController() {}

  public static ControllerSpec spec(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put("Namespace", o -> List.of(o.key()));
    triggers.put(ResourceTypes.SERVICE_ACCOUNT.kind(), o -> ServiceAccountsReconciler.DEFAULT.equals(o.metadata().name())
        ? List.of(ObjectKey.of("Namespace", null, o.metadata().namespace())) : List.of());
    return new ControllerSpec("serviceaccount-controller", "Namespace", triggers, key -> {
      var namespace = cache.get(key).map(Stored::object);
      var account = namespace.flatMap(ns -> cache.get(ObjectKey.of(ResourceTypes.SERVICE_ACCOUNT.kind(),
          ns.metadata().name(), ServiceAccountsReconciler.DEFAULT))).map(Stored::object);
      return ServiceAccountsReconciler.reconcile(namespace, account);
    }, Duration.ofMinutes(5), 4);
  }
}
