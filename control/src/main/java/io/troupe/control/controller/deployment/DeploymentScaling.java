package io.troupe.control.controller.deployment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a paused Deployment, or one whose replicas just changed, does instead of rolling out (Kubernetes'
 * sync.go): resize its ReplicaSets without moving pods from one template to another. With a single active
 * ReplicaSet that one takes the whole size; during a rolling update the change is spread over the active
 * ReplicaSets in proportion to their sizes, so that the rollout resumes where it was.
 */
final class DeploymentScaling {
  /** Larger first; among equals the newer first (who grows first when scaling up). */
  private static final Comparator<ReplicaSetDraft> BY_SIZE_NEWER =
      Comparator.comparingInt((ReplicaSetDraft rs) -> rs.replicas()).reversed()
          .thenComparing(ReplicaSetDraft.BY_CREATION.reversed());

  /** Larger first; among equals the older first (who shrinks first when scaling down). */
  private static final Comparator<ReplicaSetDraft> BY_SIZE_OLDER =
      Comparator.comparingInt((ReplicaSetDraft rs) -> rs.replicas()).reversed()
          .thenComparing(ReplicaSetDraft.BY_CREATION);

  private DeploymentScaling() {}

  /** isScalingEvent: an active ReplicaSet records a desired size other than the Deployment's replicas. */
  static boolean isScalingEvent(DeploymentRollout r) {
    for (ReplicaSetDraft rs : DeploymentRollout.active(r.all())) {
      Integer desired = RevisionAnnotations.desiredReplicas(rs.annotations());
      if (desired != null && desired != r.spec.replicas()) return true;
    }
    return false;
  }

  /** sync: scale, and for a paused Deployment also clean up old revisions (nothing rolls meanwhile). */
  static void sync(DeploymentRollout r) {
    scale(r);
    if (r.spec.paused()) r.cleanup(r.oldRss);
  }

  static void scale(DeploymentRollout r) {
    int replicas = r.spec.replicas();
    ReplicaSetDraft only = activeOrLatest(r);
    if (only != null) {
      if (only.replicas() != replicas) r.scaleAndRecordEvent(only, replicas);
      return;
    }
    if (isSaturated(r)) {
      // A saturated new ReplicaSet with old ones still active: left over from adopting ReplicaSets mid-rollout.
      for (ReplicaSetDraft old : DeploymentRollout.active(r.oldRss)) r.scaleAndRecordEvent(old, 0);
      return;
    }
    if (!r.spec.rollingUpdate()) return;
    List<ReplicaSetDraft> active = DeploymentRollout.active(r.all());
    int allowed = replicas > 0 ? replicas + r.spec.maxSurgeCount() : 0;
    int toAdd = allowed - DeploymentRollout.replicasOf(active);
    String direction = "";
    if (toAdd > 0) {
      active.sort(BY_SIZE_NEWER);
      direction = "up";
    } else if (toAdd < 0) {
      active.sort(BY_SIZE_OLDER);
      direction = "down";
    }
    Map<ReplicaSetDraft, Integer> sizes = new IdentityHashMap<>();
    int added = 0;
    for (ReplicaSetDraft rs : active) {
      int proportion = toAdd == 0 ? 0 : proportion(r, rs, toAdd, added);
      sizes.put(rs, rs.replicas() + proportion);
      added += proportion;
    }
    for (int i = 0; i < active.size(); i++) {
      ReplicaSetDraft rs = active.get(i);
      int size = sizes.get(rs);
      if (i == 0 && toAdd != 0) size = Math.max(0, size + toAdd - added); // rounding leftovers go to the largest
      r.scale(rs, size, direction);
    }
  }

  /**
   * FindActiveOrLatest: the one ReplicaSet with replicas when there is exactly one; the newest (the new one if it
   * exists) when none has any; null when several do.
   */
  private static ReplicaSetDraft activeOrLatest(DeploymentRollout r) {
    if (r.newRs == null && r.oldRss.isEmpty()) return null;
    List<ReplicaSetDraft> active = DeploymentRollout.active(r.all());
    if (active.size() == 1) return active.get(0);
    if (!active.isEmpty()) return null;
    if (r.newRs != null) return r.newRs;
    List<ReplicaSetDraft> newestFirst = new ArrayList<>(r.oldRss);
    newestFirst.sort(ReplicaSetDraft.BY_CREATION.reversed());
    return newestFirst.get(0);
  }

  /** IsSaturated: the new ReplicaSet has, wants and makes available exactly the Deployment's replicas. */
  private static boolean isSaturated(DeploymentRollout r) {
    if (r.newRs == null) return false;
    int replicas = r.spec.replicas();
    Integer desired = RevisionAnnotations.desiredReplicas(r.newRs.annotations());
    return r.newRs.replicas() == replicas && desired != null && desired == replicas
        && r.newRs.status().availableReplicas() == replicas;
  }

  /** GetReplicaSetProportion: this ReplicaSet's share of the change, never beyond what is left to hand out. */
  private static int proportion(DeploymentRollout r, ReplicaSetDraft rs, int toAdd, int added) {
    if (rs.replicas() == 0 || toAdd == added) return 0;
    int fraction = fraction(r, rs);
    int allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  /**
   * getReplicaSetFraction: the ReplicaSet's size scaled by new max / old max, the old max read from its
   * max-replicas annotation (or, without one, the Deployment's last reported replicas).
   */
  private static int fraction(DeploymentRollout r, ReplicaSetDraft rs) {
    if (r.spec.replicas() == 0) return -rs.replicas();
    int newMax = r.spec.replicas() + r.spec.maxSurgeCount();
    Integer oldMax = RevisionAnnotations.maxReplicas(rs.annotations());
    if (oldMax == null || oldMax == 0) {
      oldMax = r.working.replicas();
      if (oldMax == 0) return 0;
    }
    double scaled = (double) rs.replicas() * newMax / oldMax;
    return (int) Math.round(scaled) - rs.replicas();
  }
}
