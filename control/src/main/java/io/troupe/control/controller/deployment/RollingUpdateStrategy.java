package io.troupe.control.controller.deployment;

import java.util.ArrayList;
import java.util.List;

/**
 * RollingUpdate (Kubernetes' rolling.go): each reconcile either scales the new ReplicaSet up, within
 * replicas + maxSurge pods in total, or scales old ones down, keeping replicas - maxUnavailable pods available.
 * Availability is read from the ReplicaSets' statuses, so every step waits for the ReplicaSet controller to
 * report the pods of the previous one.
 */
final class RollingUpdateStrategy {
  private RollingUpdateStrategy() {}

  static void rollout(DeploymentRollout r) {
    if (r.newRs == null && !r.createNewReplicaSet()) return;
    if (reconcileNewReplicaSet(r)) return;
    if (reconcileOldReplicaSets(r)) return;
    // Old revisions go only once the rollout is complete, so that a rollback mid-rollout still finds them.
    if (DeploymentStatus.complete(r.spec, r.generation(), r.working)) r.cleanup(r.oldRss);
  }

  private static boolean reconcileNewReplicaSet(DeploymentRollout r) {
    int replicas = r.spec.replicas();
    if (r.newRs.replicas() == replicas) return false;
    if (r.newRs.replicas() > replicas) return r.scaleAndRecordEvent(r.newRs, replicas);
    return r.scaleAndRecordEvent(r.newRs, r.newRsNewReplicas());
  }

  /**
   * Scales old ReplicaSets down by at most allPods - minAvailable - (unavailable pods of the new ReplicaSet):
   * unavailable pods of the new one must not let availability fall further in a later step.
   */
  private static boolean reconcileOldReplicaSets(DeploymentRollout r) {
    List<ReplicaSetDraft> old = DeploymentRollout.active(r.oldRss);
    if (DeploymentRollout.replicasOf(old) == 0) return false;
    int minAvailable = r.spec.replicas() - r.spec.maxUnavailableCount();
    int newUnavailable = r.newRs.replicas() - r.newRs.availableForRollout();
    int maxScaledDown = DeploymentRollout.replicasOf(r.all()) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    int cleaned = cleanupUnhealthyReplicas(r, old, maxScaledDown);
    int scaledDown = scaleDownOldReplicaSets(r, old, minAvailable);
    return cleaned + scaledDown > 0;
  }

  /**
   * Removes the unavailable pods of old ReplicaSets first (oldest ReplicaSet first): deleting them costs no
   * availability, and a stuck old revision must not block the rollout.
   */
  private static int cleanupUnhealthyReplicas(DeploymentRollout r, List<ReplicaSetDraft> old, int maxCleanup) {
    List<ReplicaSetDraft> byAge = new ArrayList<>(old);
    byAge.sort(ReplicaSetDraft.BY_CREATION);
    int total = 0;
    for (ReplicaSetDraft rs : byAge) {
      if (total >= maxCleanup) break;
      if (rs.replicas() == 0) continue;
      int unhealthy = rs.replicas() - rs.availableForRollout();
      if (unhealthy == 0) continue;
      int down = Math.min(maxCleanup - total, unhealthy);
      r.scaleAndRecordEvent(rs, rs.replicas() - down);
      total += down;
    }
    return total;
  }

  /** Takes available pods away from old ReplicaSets, oldest first, down to minAvailable across the Deployment. */
  private static int scaleDownOldReplicaSets(DeploymentRollout r, List<ReplicaSetDraft> old, int minAvailable) {
    int available = 0;
    for (ReplicaSetDraft rs : r.all()) available += rs.availableForRollout();
    if (available <= minAvailable) return 0;
    List<ReplicaSetDraft> byAge = new ArrayList<>(old);
    byAge.sort(ReplicaSetDraft.BY_CREATION);
    int wanted = available - minAvailable;
    int total = 0;
    for (ReplicaSetDraft rs : byAge) {
      if (total >= wanted) break;
      if (rs.replicas() == 0) continue;
      int down = Math.min(rs.replicas(), wanted - total);
      r.scaleAndRecordEvent(rs, rs.replicas() - down);
      total += down;
    }
    return total;
  }
}
