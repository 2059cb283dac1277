package io.troupe.control.scheduler.plugins.noderesources;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Resources;
import io.troupe.control.scheduler.ScorePlugin;
import java.util.List;

/**
 * Prefers nodes whose cpu and memory would be used in the same proportion once the pod is on them, so that neither
 * runs out while the other sits idle: {@code (1 - |cpuFraction - memoryFraction| / 2) * 100}, fractions capped at
 * 1. Counts actual requests; pods that request nothing are not scored, as in Kubernetes (scoring them piles them
 * onto one node).
 */
public final class NodeResourcesBalancedAllocation implements ScorePlugin {

  public static final String NAME = "NodeResourcesBalancedAllocation";

  @Override
  public String name() {
    return NAME;
  }

  /** The score of a node whose pods request {@code nodeRequested} when {@code podRequest} joins them. */
  public static long score(Resources podRequest, Resources nodeRequested, Resources allocatable) {
    boolean hasCpu = allocatable.milliCpu() > 0;
    boolean hasMemory = allocatable.memory() > 0;
    // With one resource (or none) the standard deviation is 0: perfectly balanced.
    if (!hasCpu || !hasMemory) return MAX_NODE_SCORE;
    double cpu = Math.min(1.0,
        (double) (nodeRequested.milliCpu() + podRequest.milliCpu()) / allocatable.milliCpu());
    double memory = Math.min(1.0, (double) (nodeRequested.memory() + podRequest.memory()) / allocatable.memory());
    double deviation = Math.abs(cpu - memory) / 2;
    return (long) ((1 - deviation) * MAX_NODE_SCORE);
  }

  @Override
  public NodeScorer prepare(PodInfo pod, ClusterView view, List<NodeInfo> nodes) {
    Resources request = pod.requests();
    if (request.milliCpu() == 0 && request.memory() == 0) return null;
    return node -> score(request, node.requested(), node.allocatable());
  }
}
