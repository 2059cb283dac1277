package io.troupe.control.controller.deployment;

/**
 * Recreate (Kubernetes' recreate.go): every old ReplicaSet goes to zero, and the new one is created and scaled to
 * replicas only once no old pod is left running, so that two versions never serve side by side.
 */
final class RecreateStrategy {
  private RecreateStrategy() {}

  static void rollout(DeploymentRollout r) {
    boolean scaledDown = false;
    for (ReplicaSetDraft rs : r.oldRss) {
      if (rs.replicas() != 0 && r.scaleAndRecordEvent(rs, 0)) scaledDown = true;
    }
    if (scaledDown || r.oldPodsRunning()) return;
    if (r.newRs == null && !r.createNewReplicaSet()) return;
    r.scaleAndRecordEvent(r.newRs, r.spec.replicas());
    if (DeploymentStatus.complete(r.spec, r.generation(), r.working)) r.cleanup(r.oldRss);
  }
}
