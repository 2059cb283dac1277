package io.troupe.control.controller.volume;

import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.List;

/**
 * Kubernetes' pvc-protection controller: a claim being deleted keeps its {@code kubernetes.io/pvc-protection}
 * finalizer while a pod that has not finished (phase neither Succeeded nor Failed) names it in its volumes; then the
 * finalizer goes and the claim with it.
 */
public final class PvcProtectionReconciler {
  private PvcProtectionReconciler() {}

  /**
   * @param claim the claim, or null when it is gone
   * @param podsInNamespace the pods of the claim's namespace
   */
  public static List<Action> reconcile(KubeObject claim, List<KubeObject> podsInNamespace) {
    if (claim == null || !claim.metadata().isDeleting()
        || !claim.metadata().finalizers().contains(Claims.PROTECTION_FINALIZER)) {
      return List.of();
    }
    for (KubeObject pod : podsInNamespace) {
      if (usesClaim(pod, claim.metadata().name())) return List.of();
    }
    return List.of(new Action.Update(Volumes.withoutFinalizer(claim, Claims.PROTECTION_FINALIZER)));
  }

  private static boolean usesClaim(KubeObject pod, String claimName) {
    String phase = Json.text(pod.body(), "status.phase");
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) return false;
    return Claims.claimNames(pod).contains(claimName);
  }
}
