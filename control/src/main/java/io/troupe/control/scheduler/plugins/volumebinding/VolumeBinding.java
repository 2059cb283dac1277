package io.troupe.control.scheduler.plugins.volumebinding;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.FilterPlugin;
import io.troupe.control.scheduler.NodeSelector;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.PodVolumes;
import io.troupe.control.scheduler.Status;
import java.util.List;

/**
 * A pod's PersistentVolumeClaims (kube-scheduler's VolumeBinding filter), from what the scheduler resolved of them
 * ({@link PodInfo#volumes()}): a pod whose claims cannot be used fits no node; otherwise a node must match the node
 * affinity of every bound volume (a local volume lives on one node) and be the node already selected for each claim
 * that waited for its first consumer.
 */
public final class VolumeBinding implements FilterPlugin {

  public static final String NAME = "VolumeBinding";
  public static final String NODE_CONFLICT = "node(s) had volume node affinity conflict";
  public static final String BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
  public static final String NOT_RESOLVED = "pod's persistent volume claims were not looked up";

  private static final Status NODE_CONFLICT_STATUS = Status.unresolvable(NODE_CONFLICT);
  private static final Status BIND_CONFLICT_STATUS = Status.unresolvable(BIND_CONFLICT);
  private static final Status NOT_RESOLVED_STATUS = Status.unresolvable(NOT_RESOLVED);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NodeFilter prepare(PodInfo pod, ClusterView view) {
    if (pod.claims().isEmpty()) return null;
    PodVolumes volumes = pod.volumes();
    if (volumes == null) return node -> NOT_RESOLVED_STATUS;
    if (volumes.failure() != null) {
      Status failure = volumes.failure();
      return node -> failure;
    }
    if (volumes.constrainsNothing()) return null;
    List<String> selected = volumes.selectedNodes();
    List<NodeSelector> affinity = volumes.nodeAffinity();
    return node -> {
      for (int i = 0, n = selected.size(); i < n; i++) {
        if (!selected.get(i).equals(node.name())) return BIND_CONFLICT_STATUS;
      }
      for (int i = 0, n = affinity.size(); i < n; i++) {
        if (!affinity.get(i).matches(node)) return NODE_CONFLICT_STATUS;
      }
      return Status.SUCCESS;
    };
  }
}
