package io.troupe.control.scheduler.plugins.nodeunschedulable;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.FilterPlugin;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Status;
import io.troupe.control.scheduler.Taint;
import io.troupe.control.scheduler.Toleration;

/**
 * Keeps pods off cordoned nodes ({@code spec.unschedulable: true}, what {@code kubectl cordon} sets), unless the
 * pod tolerates the {@code node.kubernetes.io/unschedulable:NoSchedule} taint, as DaemonSet pods do.
 */
public final class NodeUnschedulable implements FilterPlugin {

  public static final String NAME = "NodeUnschedulable";
  public static final String REASON = "node(s) were unschedulable";
  public static final String TAINT_KEY = "node.kubernetes.io/unschedulable";

  private static final Taint TAINT = new Taint(TAINT_KEY, "", Taint.NO_SCHEDULE);
  private static final Status UNSCHEDULABLE = Status.unresolvable(REASON);

  @Override
  public String name() {
    return NAME;
  }

  /** Whether the pod may go to the node as far as cordoning goes. */
  public static boolean fits(PodInfo pod, NodeInfo node) {
    return !node.unschedulable() || Toleration.anyTolerates(pod.tolerations(), TAINT);
  }

  @Override
  public NodeFilter prepare(PodInfo pod, ClusterView view) {
    if (Toleration.anyTolerates(pod.tolerations(), TAINT)) return null;
    return node -> node.unschedulable() ? UNSCHEDULABLE : Status.SUCCESS;
  }
}
