package io.troupe.control.api.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.ApiException;
import io.troupe.control.controller.serviceaccount.ServiceAccountsReconciler;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.Store;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Kubernetes' ServiceAccount admission for pods: {@code spec.serviceAccountName} defaults to {@code default} (and
 * {@code spec.serviceAccount}, its deprecated alias, mirrors it), and a new pod naming a service account that does
 * not exist is refused (403), as Kubernetes refuses it.
 *
 * <p>Where Troupe differs: a namespace's {@code default} account that the controller has not made yet is made
 * here, at the pod's create, instead of refusing the pod until the controller catches up (Kubernetes answers 403
 * in that window, and clients retry).
 */
public final class ServiceAccountAdmission {
  private ServiceAccountAdmission() {}

  /** The defaults on a pod's spec (run with the other defaults, on create and update). */
  static void defaultName(ObjectNode spec) {
    String name = spec.path("serviceAccountName").asText("");
    if (name.isEmpty()) name = spec.path("serviceAccount").asText("");
    if (name.isEmpty()) name = ServiceAccountsReconciler.DEFAULT;
    spec.put("serviceAccountName", name);
    spec.put("serviceAccount", name);
  }

  /**
   * Before a pod is created: its service account must exist; a missing {@code default} one is made first.
   *
   * @throws ApiException 403 when the pod names another account that does not exist
   */
  public static CompletionStage<Void> admit(Store store, KubeObject pod) {
    if (!pod.kind().equals("Pod")) return CompletableFuture.completedFuture(null);
    String namespace = pod.metadata().namespace();
    String name = pod.spec().path("serviceAccountName").asText(ServiceAccountsReconciler.DEFAULT);
    if (store.get(ObjectKey.of(ResourceTypes.SERVICE_ACCOUNT.kind(), namespace, name)).isPresent()) {
      return CompletableFuture.completedFuture(null);
    }
    if (!name.equals(ServiceAccountsReconciler.DEFAULT)) {
      throw ApiException.forbidden("pods", "", pod.metadata().name(), "pods \"" + pod.metadata().name()
          + "\" is forbidden: error looking up service account " + namespace + "/" + name
          + ": serviceaccount \"" + name + "\" not found");
    }
    KubeObject account = Admission.forCreate(ResourceTypes.SERVICE_ACCOUNT, namespace,
        ServiceAccountsReconciler.defaultAccount(namespace).toTree());
    // written, or made meanwhile by the controller or another create: either way it exists
    return store.create(account).thenApply(result -> null);
  }
}
