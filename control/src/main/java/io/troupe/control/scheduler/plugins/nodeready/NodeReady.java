package io.troupe.control.scheduler.plugins.nodeready;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.ConditionStatus;
import io.troupe.control.scheduler.FilterPlugin;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Status;
import io.troupe.control.scheduler.Taint;
import io.troupe.control.scheduler.Toleration;
import io.troupe.control.scheduler.plugins.tainttoleration.TaintToleration;

/**
 * Keeps pods off nodes whose Ready condition is not True. Kubernetes does this through taints: its node lifecycle
 * controller taints such a node {@code node.kubernetes.io/not-ready:NoSchedule} (Ready False) or
 * {@code node.kubernetes.io/unreachable:NoSchedule} (Ready Unknown, or never reported), and TaintToleration
 * rejects it. This filter reads the condition itself, so a pod is kept off a failing node before any controller
 * has reacted, and says so in the same words; a pod that tolerates the taint may still go there.
 */
public final class NodeReady implements FilterPlugin {

  public static final String NAME = "NodeReady";
  public static final String NOT_READY_TAINT_KEY = "node.kubernetes.io/not-ready";
  public static final String UNREACHABLE_TAINT_KEY = "node.kubernetes.io/unreachable";

  private static final Taint NOT_READY = new Taint(NOT_READY_TAINT_KEY, "", Taint.NO_SCHEDULE);
  private static final Taint UNREACHABLE = new Taint(UNREACHABLE_TAINT_KEY, "", Taint.NO_SCHEDULE);

  /** "node(s) had untolerated taint {node.kubernetes.io/not-ready: }". */
  public static final String NOT_READY_REASON = TaintToleration.reason(NOT_READY);
  /** "node(s) had untolerated taint {node.kubernetes.io/unreachable: }". */
  public static final String UNREACHABLE_REASON = TaintToleration.reason(UNREACHABLE);

  private static final Status NOT_READY_STATUS = Status.unresolvable(NOT_READY_REASON);
  private static final Status UNREACHABLE_STATUS = Status.unresolvable(UNREACHABLE_REASON);

  @Override
  public String name() {
    return NAME;
  }

  /** The filter, as a status. */
  public static Status fits(PodInfo pod, NodeInfo node) {
    return check(node, Toleration.anyTolerates(pod.tolerations(), NOT_READY),
        Toleration.anyTolerates(pod.tolerations(), UNREACHABLE));
  }

  @Override
  public NodeFilter prepare(PodInfo pod, ClusterView view) {
    boolean toleratesNotReady = Toleration.anyTolerates(pod.tolerations(), NOT_READY);
    boolean toleratesUnreachable = Toleration.anyTolerates(pod.tolerations(), UNREACHABLE);
    if (toleratesNotReady && toleratesUnreachable) return null;
    return node -> check(node, toleratesNotReady, toleratesUnreachable);
  }

  private static Status check(NodeInfo node, boolean toleratesNotReady, boolean toleratesUnreachable) {
    if (node.ready() == ConditionStatus.TRUE) return Status.SUCCESS;
    if (node.ready() == ConditionStatus.FALSE) return toleratesNotReady ? Status.SUCCESS : NOT_READY_STATUS;
    return toleratesUnreachable ? Status.SUCCESS : UNREACHABLE_STATUS;
  }
}
