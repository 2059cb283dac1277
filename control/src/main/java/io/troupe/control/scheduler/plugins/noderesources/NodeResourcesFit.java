package io.troupe.control.scheduler.plugins.noderesources;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.FilterPlugin;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Resources;
import io.troupe.control.scheduler.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * The pod's requests must fit in what the node has left: one more pod within {@code allocatable.pods}, and the cpu
 * and memory it requests within allocatable minus the requests of the pods already there. A node short in several
 * ways reports each ("Too many pods", "Insufficient cpu", "Insufficient memory"), as Kubernetes does.
 */
public final class NodeResourcesFit implements FilterPlugin {

  public static final String NAME = "NodeResourcesFit";
  public static final String TOO_MANY_PODS = "Too many pods";
  public static final String INSUFFICIENT_CPU = "Insufficient cpu";
  public static final String INSUFFICIENT_MEMORY = "Insufficient memory";

  private static final int PODS = 1;
  private static final int CPU = 2;
  private static final int MEMORY = 4;
  // Every combination of shortfalls, built once: the filter never allocates.
  private static final Status[] STATUSES = new Status[8];

  static {
    STATUSES[0] = Status.SUCCESS;
    for (int mask = 1; mask < STATUSES.length; mask++) {
      List<String> reasons = new ArrayList<>();
      if ((mask & PODS) != 0) reasons.add(TOO_MANY_PODS);
      if ((mask & CPU) != 0) reasons.add(INSUFFICIENT_CPU);
      if ((mask & MEMORY) != 0) reasons.add(INSUFFICIENT_MEMORY);
      STATUSES[mask] = Status.unschedulable(reasons.toArray(new String[0]));
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Whether {@code request} fits on the node, and if not, every way it falls short. */
  public static Status fits(Resources request, NodeInfo node) {
    Resources allocatable = node.allocatable();
    Resources requested = node.requested();
    int shortfalls = 0;
    if (requested.pods() + 1 > allocatable.pods()) shortfalls |= PODS;
    if (request.milliCpu() > 0 && request.milliCpu() > allocatable.milliCpu() - requested.milliCpu()) {
      shortfalls |= CPU;
    }
    if (request.memory() > 0 && request.memory() > allocatable.memory() - requested.memory()) {
      shortfalls |= MEMORY;
    }
    return STATUSES[shortfalls];
  }

  @Override
  public NodeFilter prepare(PodInfo pod, ClusterView view) {
    Resources request = pod.requests();
    return node -> fits(request, node);
  }
}
