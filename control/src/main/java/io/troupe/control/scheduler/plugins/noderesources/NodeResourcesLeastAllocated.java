package io.troupe.control.scheduler.plugins.noderesources;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Resources;
import io.troupe.control.scheduler.ScorePlugin;
import java.util.List;

/**
 * Prefers the node with the most room left once the pod is on it: for cpu and memory (weight 1 each),
 * {@code (allocatable - requested) * 100 / allocatable}, averaged. Counts non-zero requests, so pods that request
 * nothing still spread (kube-scheduler's NodeResourcesFit score, strategy LeastAllocated).
 */
public final class NodeResourcesLeastAllocated implements ScorePlugin {

  public static final String NAME = "NodeResourcesLeastAllocated";

  @Override
  public String name() {
    return NAME;
  }

  /** The score of a node whose pods request {@code nodeRequested} when {@code podRequest} joins them. */
  public static long score(Resources podRequest, Resources nodeRequested, Resources allocatable) {
    long sum = 0;
    long weights = 0;
    if (allocatable.milliCpu() > 0) {
      sum += leastRequested(nodeRequested.milliCpu() + podRequest.milliCpu(), allocatable.milliCpu());
      weights++;
    }
    if (allocatable.memory() > 0) {
      sum += leastRequested(nodeRequested.memory() + podRequest.memory(), allocatable.memory());
      weights++;
    }
    return weights == 0 ? 0 : sum / weights;
  }

  private static long leastRequested(long requested, long capacity) {
    if (requested > capacity) return 0;
    // Scaled in two steps so that memory capacities near Long.MAX_VALUE / 100 cannot overflow.
    return capacity > Long.MAX_VALUE / MAX_NODE_SCORE
        ? (capacity - requested) / (capacity / MAX_NODE_SCORE)
        : (capacity - requested) * MAX_NODE_SCORE / capacity;
  }

  @Override
  public NodeScorer prepare(PodInfo pod, ClusterView view, List<NodeInfo> nodes) {
    Resources request = pod.nonZeroRequests();
    return node -> score(request, node.nonZeroRequested(), node.allocatable());
  }
}
