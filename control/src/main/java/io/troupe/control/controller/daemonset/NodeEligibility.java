package io.troupe.control.controller.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.scheduler.ConditionStatus;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Resources;
import io.troupe.control.scheduler.Taint;
import io.troupe.control.scheduler.Toleration;
import io.troupe.control.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.troupe.control.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import io.troupe.control.scheduler.plugins.tainttoleration.TaintToleration;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a node should run the DaemonSet's pod (Kubernetes' NodeShouldRunDaemonPod), judged with the scheduler's
 * own filters on the daemon pod (template plus daemon tolerations): node selector and required node affinity,
 * untolerated NoSchedule/NoExecute taints, cordoning (always tolerated by a daemon pod). Resources and readiness
 * are not the controller's business: the scheduler waits for room, and a not-ready node is tolerated.
 *
 * @param shouldRun the node should have a daemon pod: one is created when it has none
 * @param shouldContinueRunning a daemon pod already there may stay: true also for a node that only gained an
 *     untolerated NoSchedule taint (it keeps new pods off, not running ones), false for NoExecute, a node selector
 *     or affinity that no longer matches, or a node being deleted
 */
record NodeEligibility(boolean shouldRun, boolean shouldContinueRunning) {
  static final NodeEligibility RUN = new NodeEligibility(true, true);
  static final NodeEligibility KEEP_ONLY = new NodeEligibility(false, true);
  static final NodeEligibility NONE = new NodeEligibility(false, false);

  static NodeEligibility of(PodInfo daemonPod, KubeObject node) {
    if (node.metadata().isDeleting()) return NONE;
    NodeInfo info = nodeInfo(node);
    if (!NodeAffinity.fits(daemonPod, info)) return NONE;
    Taint untolerated = TaintToleration.firstUntolerated(info.taints(), daemonPod.tolerations());
    if (untolerated != null) {
      for (Taint taint : info.taints()) {
        if (Taint.NO_EXECUTE.equals(taint.effect()) && !Toleration.anyTolerates(daemonPod.tolerations(), taint)) {
          return NONE;
        }
      }
      return KEEP_ONLY;
    }
    return NodeUnschedulable.fits(daemonPod, info) ? RUN : KEEP_ONLY;
  }

  /**
   * The node's name, labels, cordon and taints; its allocatable is not read, so a malformed quantity (the
   * scheduler's concern) cannot make a node lose its daemon pod.
   */
  static NodeInfo nodeInfo(KubeObject node) {
    JsonNode spec = node.spec();
    List<Taint> taints = new ArrayList<>();
    boolean unschedulable = false;
    if (spec != null) {
      unschedulable = spec.path("unschedulable").asBoolean(false);
      for (JsonNode taint : spec.path("taints")) {
        if (!taint.path("key").isTextual()) continue;
        taints.add(new Taint(taint.path("key").asText(), taint.path("value").asText(""),
            taint.path("effect").asText("")));
      }
    }
    return NodeInfo.of(node.metadata().name(), node.metadata().labels(), ConditionStatus.UNKNOWN, unschedulable,
        taints, Resources.ZERO, List.of());
  }
}
