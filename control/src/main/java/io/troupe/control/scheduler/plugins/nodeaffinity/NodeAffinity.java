package io.troupe.control.scheduler.plugins.nodeaffinity;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.FilterPlugin;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.PreferredSchedulingTerm;
import io.troupe.control.scheduler.ScorePlugin;
import io.troupe.control.scheduler.Status;
import java.util.List;
import java.util.Map;

/**
 * {@code spec.nodeSelector} and node affinity. Filter: every nodeSelector label must be on the node, and one of the
 * required terms must match (In, NotIn, Exists, DoesNotExist, Gt, Lt; matchFields on metadata.name). Score: the
 * summed weights of the preferred terms the node matches, scaled so the best node gets 100.
 */
public final class NodeAffinity implements FilterPlugin, ScorePlugin {

  public static final String NAME = "NodeAffinity";
  public static final String REASON = "node(s) didn't match Pod's node affinity/selector";

  private static final Status NOT_MATCHED = Status.unresolvable(REASON);

  @Override
  public String name() {
    return NAME;
  }

  /** Whether the node satisfies the pod's nodeSelector and required node affinity. */
  public static boolean fits(PodInfo pod, NodeInfo node) {
    Map<String, String> selector = pod.nodeSelector();
    if (!selector.isEmpty()) {
      Map<String, String> labels = node.labels();
      for (Map.Entry<String, String> label : selector.entrySet()) {
        if (!label.getValue().equals(labels.get(label.getKey()))) return false;
      }
    }
    return pod.requiredNodeAffinity() == null || pod.requiredNodeAffinity().matches(node);
  }

  @Override
  public NodeFilter prepare(PodInfo pod, ClusterView view) {
    if (pod.nodeSelector().isEmpty() && pod.requiredNodeAffinity() == null) return null;
    return node -> fits(pod, node) ? Status.SUCCESS : NOT_MATCHED;
  }

  /** The summed weights of the preferred terms the node matches. */
  public static long preferredWeight(List<PreferredSchedulingTerm> preferred, NodeInfo node) {
    long sum = 0;
    for (int i = 0, n = preferred.size(); i < n; i++) {
      PreferredSchedulingTerm term = preferred.get(i);
      if (term.weight() != 0 && term.preference().matches(node)) sum += term.weight();
    }
    return sum;
  }

  @Override
  public NodeScorer prepare(PodInfo pod, ClusterView view, List<NodeInfo> nodes) {
    List<PreferredSchedulingTerm> preferred = pod.preferredNodeAffinity();
    if (preferred.isEmpty()) return null;
    return new NodeScorer() {
      @Override
      public long score(NodeInfo node) {
        return preferredWeight(preferred, node);
      }

      @Override
      public void normalize(long[] scores, List<NodeInfo> scored) {
        ScorePlugin.defaultNormalize(scores, scored.size(), false);
      }
    };
  }
}
