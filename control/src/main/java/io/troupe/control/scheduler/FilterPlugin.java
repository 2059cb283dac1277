package io.troupe.control.scheduler;

/**
 * A filter extension point (kube-scheduler's PreFilter + Filter): rules nodes out for a pod.
 *
 * <p>{@link #prepare} runs once per pod and computes what every node's check shares (tolerations looked up,
 * affinity counts per topology domain); the returned {@link NodeFilter} then runs once per node and must be cheap:
 * no allocation on success, no regex, no streams.
 */
public interface FilterPlugin {

  /** The plugin's name, as kube-scheduler names it. */
  String name();

  /**
   * Prepares the check of {@code pod} against the nodes of {@code view}.
   *
   * @return the per-node check, or null when no node can fail it for this pod (kube-scheduler's Skip)
   */
  NodeFilter prepare(PodInfo pod, ClusterView view);

  /** One pod's check against one node. */
  @FunctionalInterface
  interface NodeFilter {
    Status filter(NodeInfo node);
  }

  /** Prepares and checks one node: for tests and for explaining a decision, not for the scheduling loop. */
  default Status filter(PodInfo pod, NodeInfo node, ClusterView view) {
    NodeFilter check = prepare(pod, view);
    return check == null ? Status.SUCCESS : check.filter(node);
  }
}
