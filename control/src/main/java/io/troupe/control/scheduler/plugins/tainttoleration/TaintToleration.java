package io.troupe.control.scheduler.plugins.tainttoleration;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.FilterPlugin;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.ScorePlugin;
import io.troupe.control.scheduler.Status;
import io.troupe.control.scheduler.Taint;
import io.troupe.control.scheduler.Toleration;
import java.util.ArrayList;
import java.util.List;

/**
 * Taints and tolerations. Filter: a node with a NoSchedule or NoExecute taint the pod does not tolerate is ruled
 * out, reported by its first such taint. Score: the fewer untolerated PreferNoSchedule taints, the better.
 */
public final class TaintToleration implements FilterPlugin, ScorePlugin {

  public static final String NAME = "TaintToleration";

  @Override
  public String name() {
    return NAME;
  }

  /** Kubernetes' reason, e.g. "node(s) had untolerated taint {dedicated: gpu}" (a taint without value ends ": }"). */
  public static String reason(Taint taint) {
    return "node(s) had untolerated taint {" + taint.key() + ": " + taint.value() + "}";
  }

  /** The first NoSchedule/NoExecute taint of the node the tolerations do not tolerate, or null. */
  public static Taint firstUntolerated(List<Taint> taints, List<Toleration> tolerations) {
    for (int i = 0, n = taints.size(); i < n; i++) {
      Taint taint = taints.get(i);
      if (taint.forbidsScheduling() && !Toleration.anyTolerates(tolerations, taint)) return taint;
    }
    return null;
  }

  /** The filter, as a status. */
  public static Status fits(PodInfo pod, NodeInfo node) {
    if (node.taints().isEmpty()) return Status.SUCCESS;
    Taint taint = firstUntolerated(node.taints(), pod.tolerations());
    return taint == null ? Status.SUCCESS : Status.unresolvable(reason(taint));
  }

  @Override
  public NodeFilter prepare(PodInfo pod, ClusterView view) {
    return node -> fits(pod, node);
  }

  /** The number of the node's PreferNoSchedule taints that none of {@code tolerations} tolerates. */
  public static int intolerablePreferNoSchedule(List<Taint> taints, List<Toleration> tolerations) {
    int count = 0;
    for (int i = 0, n = taints.size(); i < n; i++) {
      Taint taint = taints.get(i);
      if (Taint.PREFER_NO_SCHEDULE.equals(taint.effect()) && !Toleration.anyTolerates(tolerations, taint)) count++;
    }
    return count;
  }

  @Override
  public NodeScorer prepare(PodInfo pod, ClusterView view, List<NodeInfo> nodes) {
    // Only tolerations that can apply to PreferNoSchedule count, as in Kubernetes.
    List<Toleration> preferNoSchedule = new ArrayList<>();
    for (Toleration toleration : pod.tolerations()) {
      if (toleration.effect().isEmpty() || Taint.PREFER_NO_SCHEDULE.equals(toleration.effect())) {
        preferNoSchedule.add(toleration);
      }
    }
    return new NodeScorer() {
      @Override
      public long score(NodeInfo node) {
        return node.taints().isEmpty() ? 0 : intolerablePreferNoSchedule(node.taints(), preferNoSchedule);
      }

      @Override
      public void normalize(long[] scores, List<NodeInfo> scored) {
        ScorePlugin.defaultNormalize(scores, scored.size(), true);
      }
    };
  }
}
