package io.troupe.control.controller.serviceaccount;

import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.model.ResourceTypes;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes' service account controller: every namespace that is not being deleted has a ServiceAccount named
 * {@code default}; one deleted is made again. Pure: the namespace and its default account as read, the actions
 * out.
 */
public final class ServiceAccountsReconciler {
  public static final String DEFAULT = "default";

  private ServiceAccountsReconciler() {}

  /**
   * @param namespace the namespace as read (absent: gone)
   * @param defaultAccount its {@code default} ServiceAccount as read
   */
  public static List<Action> reconcile(Optional<KubeObject> namespace, Optional<KubeObject> defaultAccount) {
    if (namespace.isEmpty() || namespace.get().metadata().isDeleting()) return List.of();
    if (defaultAccount.isPresent() && !defaultAccount.get().metadata().isDeleting()) return List.of();
    // one still being deleted is made again once it is gone (its deletion triggers this controller)
    if (defaultAccount.isPresent()) return List.of();
    return List.of(new Action.Create(defaultAccount(namespace.get().metadata().name())));
  }

  /** A namespace's {@code default} ServiceAccount, as the controller creates it (the server fills uid and time). */
  public static KubeObject defaultAccount(String namespace) {
    return new KubeObject(ResourceTypes.SERVICE_ACCOUNT.apiVersion(), ResourceTypes.SERVICE_ACCOUNT.kind(),
        ObjectMeta.named(namespace, DEFAULT), Json.object());
  }
}
